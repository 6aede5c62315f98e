package org.servicejobs.data.version1;

import java.time.ZonedDateTime;

/**
 * The state of a job at a moment: the one home of the rules that say whether a job may be
 * leased, is running, or is done with. Every job is in exactly one state at any time:
 * <ul>
 * <li><b>completed</b>: <code>completed</code> is set;</li>
 * <li><b>running</b>: not completed and its lock holds (<code>locked_until</code> after the moment);</li>
 * <li><b>failed</b>: not completed, no lock held, its retries used up (<code>retries</code> at or
 * above the retry limit);</li>
 * <li><b>expired</b>: not completed, no lock held, retries left, and its time to live passed
 * (<code>execute_until</code> at or before the moment);</li>
 * <li><b>waiting</b>: the rest: not completed, no lock held, retries left, not expired. Only a
 * waiting job may be leased.</li>
 * </ul>
 * The states depend on the time: a running job whose lock runs out is waiting again (or failed,
 * or expired) without any write. The memory and file stores, the controller's refusals, the
 * statistics and the metrics all classify with {@link #of}; the MongoDB store states the same
 * rules as queries, which a test checks against this classifier.
 * <p>
 * Besides its state, a job may have an <i>open lease</i>: it was leased (<code>started</code>
 * is set) and not completed. The holder of an open lease may extend, abort or complete it, even
 * after its lock ran out, until another lease replaces it ({@link #isLeaseOpen},
 * {@link #holdsLease}).
 */
public enum JobState {
    WAITING("waiting"),
    RUNNING("running"),
    COMPLETED("completed"),
    FAILED("failed"),
    EXPIRED("expired");

    /** The primitive form of an unset time, in the epoch-millisecond arguments below. */
    public static final long NONE = Long.MIN_VALUE;

    private final String _name;

    JobState(String name) {
        _name = name;
    }

    /** The name of the state on the wire and in the metrics. */
    public String wireName() {
        return _name;
    }

    @Override
    public String toString() {
        return _name;
    }

    /**
     * The state of a job at <code>now</code>; times in epoch milliseconds, {@link #NONE} when unset.
     *
     * @param maxRetries the retry limit: a job whose retries reached it is never leased again.
     */
    public static JobState of(long completed, long lockedUntil, long executeUntil, int retries, int maxRetries,
                              long now) {
        if (completed != NONE)
            return COMPLETED;
        if (lockedUntil != NONE && lockedUntil > now)
            return RUNNING;
        if (retries >= maxRetries)
            return FAILED;
        if (executeUntil != NONE && executeUntil <= now)
            return EXPIRED;
        return WAITING;
    }

    /** The state of a job at <code>now</code>, with the retry limit <code>maxRetries</code>. */
    public static JobState of(JobV1 job, ZonedDateTime now, int maxRetries) {
        return of(millis(job.getCompleted()), millis(job.getLockedUntil()), millis(job.getExecuteUntil()),
                job.getRetries(), maxRetries, millis(now));
    }

    /** Whether a job has an open lease: it was leased and not completed. */
    public static boolean isLeaseOpen(long started, long completed) {
        return started != NONE && completed == NONE;
    }

    /**
     * Whether a caller may extend, abort or complete a job: its lease is open and the caller's
     * lock token, when given, is the job's.
     */
    public static boolean holdsLease(long started, long completed, String jobToken, String callerToken) {
        return isLeaseOpen(started, completed) && (callerToken == null || callerToken.equals(jobToken));
    }

    /** A date as epoch milliseconds, {@link #NONE} for null. */
    public static long millis(ZonedDateTime date) {
        return date == null ? NONE : date.toInstant().toEpochMilli();
    }
}
