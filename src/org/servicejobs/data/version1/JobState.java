package org.servicejobs.data.version1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * The state of a job at a moment: the one home of the rules that say whether a job may be
 * leased, is running, or is done with. Every job is in exactly one state at any time; the first
 * rule that holds decides:
 * <ol>
 * <li><b>cancelled</b>: <code>cancelled</code> is set (cancel_job);</li>
 * <li><b>completed</b>: <code>completed</code> is set;</li>
 * <li><b>failed</b>: <code>failed</code> is set (fail_job, or an abort of its last attempt);</li>
 * <li><b>running</b>: its lock holds (<code>locked_until</code> after the moment);</li>
 * <li><b>failed</b>: its time to live passed (<code>execute_until</code> at or before the moment),
 * or its retries are used up (<code>retries</code> at or above its <code>max_retries</code>);</li>
 * <li><b>scheduled</b>: it may not run before a later time (<code>run_at</code> after the moment);</li>
 * <li><b>waiting</b>: the rest; only a waiting job may be leased.</li>
 * </ol>
 * The states depend on the time: a running job whose lock runs out is waiting again (or
 * scheduled, or failed), a scheduled job becomes waiting at its <code>run_at</code>, without any
 * write. The memory and file stores, the controller's refusals and answers, the statistics and the
 * metrics all classify with {@link #of}; the MongoDB store states the same rules as queries, which
 * a test checks against this classifier. Cancelled, completed and failed are <i>final</i>: no
 * lease takes the job again (retry_job makes a failed or cancelled job waiting).
 * <p>
 * Besides its state, a job may have an <i>open lease</i>: it was leased (<code>started</code>
 * is set) and is not final by a write (completed, failed, cancelled). The holder of an open
 * lease may extend, abort, complete or fail it, even after its lock ran out, until another lease
 * replaces it ({@link #holdsLease}). A lease that ran out unfinished is recorded as an error
 * {@link JobErrorV1#LEASE_EXPIRED} ({@link #lostLease}).
 * <p>
 * Times are epoch milliseconds, {@link #NONE} when unset.
 */
public enum JobState {
    WAITING("waiting"),
    SCHEDULED("scheduled"),
    RUNNING("running"),
    COMPLETED("completed"),
    FAILED("failed"),
    CANCELLED("cancelled");

    /** The primitive form of an unset time, in the epoch-millisecond arguments below. */
    public static final long NONE = Long.MIN_VALUE;

    private final String _name;

    JobState(String name) {
        _name = name;
    }

    /** The name of the state on the wire and in the metrics. */
    @JsonValue
    public String wireName() {
        return _name;
    }

    @Override
    public String toString() {
        return _name;
    }

    /** The state of a wire name, or null when there is none. */
    @JsonCreator
    public static JobState fromWireName(String name) {
        for (JobState state : values()) {
            if (state._name.equals(name))
                return state;
        }
        return null;
    }

    /** Completed, failed or cancelled: no lease takes the job again. */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /**
     * The state of a job at <code>now</code>.
     *
     * @param maxRetries the job's retry limit (see {@link #maxRetries}).
     */
    public static JobState of(long completed, long failed, long cancelled, long lockedUntil, long executeUntil,
                              long runAt, int retries, int maxRetries, long now) {
        if (cancelled != NONE)
            return CANCELLED;
        if (completed != NONE)
            return COMPLETED;
        if (failed != NONE)
            return FAILED;
        if (lockedUntil != NONE && lockedUntil > now)
            return RUNNING;
        if (executeUntil != NONE && executeUntil <= now || retries >= maxRetries)
            return FAILED;
        if (runAt != NONE && runAt > now)
            return SCHEDULED;
        return WAITING;
    }

    /** The state of a job at <code>now</code>, its retry limit defaulting to <code>defaultMaxRetries</code>. */
    public static JobState of(JobV1 job, ZonedDateTime now, int defaultMaxRetries) {
        return of(millis(job.getCompleted()), millis(job.getFailed()), millis(job.getCancelled()),
                millis(job.getLockedUntil()), millis(job.getExecuteUntil()), millis(job.getRunAt()), job.getRetries(),
                maxRetries(job.getMaxRetries(), defaultMaxRetries), millis(now));
    }

    /** The retry limit of a job: its own, or the default when it has none (0 or null). */
    public static int maxRetries(Integer jobMaxRetries, int defaultMaxRetries) {
        return jobMaxRetries != null && jobMaxRetries > 0 ? jobMaxRetries : defaultMaxRetries;
    }

    /**
     * When a failed job failed: its <code>failed</code> time when one is set, else the moment
     * the classifier began to say failed: when its retries are used up, the end of its last lease
     * (its created time without one); else, its ttl having passed, the later of its lock's end and
     * its <code>execute_until</code>.
     */
    public static long failedAt(long failed, long lockedUntil, long executeUntil, long created, int retries,
                                int maxRetries) {
        if (failed != NONE)
            return failed;
        if (retries >= maxRetries || executeUntil == NONE)
            return lockedUntil != NONE ? lockedUntil : created;
        return Math.max(executeUntil, lockedUntil);
    }

    /** Whether a job has an open lease: it was leased and is not completed, failed or cancelled by a write. */
    public static boolean isLeaseOpen(long started, long completed, long failed, long cancelled) {
        return started != NONE && completed == NONE && failed == NONE && cancelled == NONE;
    }

    /**
     * Whether a caller may extend, abort, complete or fail a job: its lease is open and the
     * caller's lock token, when given, is the job's.
     */
    public static boolean holdsLease(long started, long completed, long failed, long cancelled, String jobToken,
                                     String callerToken) {
        return isLeaseOpen(started, completed, failed, cancelled)
                && (callerToken == null || callerToken.equals(jobToken));
    }

    /**
     * The error of a lease that ran out unfinished at <code>now</code>, or null: the lease is open
     * and its lock ended at or before <code>now</code>.
     */
    public static JobErrorV1 lostLease(long started, long completed, long failed, long cancelled, long lockedUntil,
                                       int retries, long now) {
        if (!isLeaseOpen(started, completed, failed, cancelled) || lockedUntil == NONE || lockedUntil > now)
            return null;
        return new JobErrorV1(retries, date(lockedUntil), JobErrorV1.LEASE_EXPIRED);
    }

    /** A date as epoch milliseconds, {@link #NONE} for null. */
    public static long millis(ZonedDateTime date) {
        return date == null ? NONE : date.toInstant().toEpochMilli();
    }

    /** Epoch milliseconds as a UTC date, null for {@link #NONE}. */
    public static ZonedDateTime date(long millis) {
        return millis == NONE ? null : ZonedDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
}
