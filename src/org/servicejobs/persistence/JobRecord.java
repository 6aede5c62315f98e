package org.servicejobs.persistence;

import org.servicejobs.data.version1.JobBackoffV1;
import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;

import java.util.Arrays;
import java.util.Comparator;

import static org.servicejobs.persistence.JobDates.NONE;
import static org.servicejobs.persistence.JobDates.date;
import static org.servicejobs.persistence.JobDates.millis;

/**
 * The stored form of a job in the memory and file stores: immutable, with dates as epoch
 * milliseconds ({@link JobDates#NONE} for null) and params, progress and result as JSON text, so
 * that a change replaces the record and readers never see half of one. Its state is
 * {@link JobState#of}; its transitions are the methods that make its next version.
 * <p>
 * One field is not part of the job: {@link #placed}, where the index of the store keeps it
 * (changed only under the store's lock).
 */
final class JobRecord {
    private static final JobErrorV1[] NO_ERRORS = new JobErrorV1[0];

    /** Created time, then id: the order of get_jobs. */
    static final Comparator<JobRecord> BY_CREATED = (a, b) -> {
        int c = Long.compare(a.created, b.created);
        return c != 0 ? c : a.id.compareTo(b.id);
    };

    /** Snapshot order: type, then created time, then id, so a load inserts into each type's sets in order. */
    static final Comparator<JobRecord> BY_TYPE_AND_CREATED = Comparator.<JobRecord, String>comparing(job -> job.type)
            .thenComparing(BY_CREATED);

    /** Lease order: the highest priority first, then the longest free (run_at, or created), then id. */
    static final Comparator<JobRecord> BY_LEASE_ORDER = (a, b) -> {
        int c = Integer.compare(b.priority, a.priority);
        if (c != 0)
            return c;
        c = Long.compare(a.freeSince(), b.freeSince());
        return c != 0 ? c : a.id.compareTo(b.id);
    };

    final String id;
    final String type;
    final String refId;
    /** The params as JSON text (UTF-8), or null. */
    final byte[] params;
    final long created;
    final long runAt;
    final long started;
    final long lockedUntil;
    final long executeUntil;
    final long completed;
    final long failed;
    final long cancelled;
    final int retries;
    /** The job's own retry limit; 0 for the default of each call. */
    final int maxRetries;
    final int priority;
    final String lockToken;
    final JobBackoffV1 backoff;
    final byte[] progress;
    final byte[] result;
    /** The last attempt errors, oldest first; never null. */
    final JobErrorV1[] errors;
    /** Where the store's index keeps this record: index bookkeeping, not part of the job. */
    int placed = -1;

    JobRecord(String id, String type, String refId, byte[] params, long created, long runAt, long started,
              long lockedUntil, long executeUntil, long completed, long failed, long cancelled, int retries,
              int maxRetries, int priority, String lockToken, JobBackoffV1 backoff, byte[] progress, byte[] result,
              JobErrorV1[] errors) {
        this.id = id;
        this.type = type;
        this.refId = refId;
        this.params = params;
        this.created = created;
        this.runAt = runAt;
        this.started = started;
        this.lockedUntil = lockedUntil;
        this.executeUntil = executeUntil;
        this.completed = completed;
        this.failed = failed;
        this.cancelled = cancelled;
        this.retries = retries;
        this.maxRetries = maxRetries;
        this.priority = priority;
        this.lockToken = lockToken;
        this.backoff = backoff;
        this.progress = progress;
        this.result = result;
        this.errors = errors == null || errors.length == 0 ? NO_ERRORS : errors;
    }

    /** The record of a job given to the store. */
    static JobRecord fromJob(String correlationId, JobV1 job, String id) throws org.pipservices3.commons.errors.ApplicationException {
        Integer maxRetries = job.getMaxRetries();
        return new JobRecord(id, job.getType(), job.getRefId(), JobJson.toBytes(correlationId, job.getParams()),
                millis(job.getCreated()), millis(job.getRunAt()), millis(job.getStarted()), millis(job.getLockedUntil()),
                millis(job.getExecuteUntil()), millis(job.getCompleted()), millis(job.getFailed()),
                millis(job.getCancelled()), job.getRetries(), maxRetries == null ? 0 : maxRetries, job.getPriority(),
                job.getLockToken(), job.getBackoff(), JobJson.toBytes(correlationId, job.getProgress()),
                JobJson.toBytes(correlationId, job.getResult()), job.getErrors().toArray(NO_ERRORS));
    }

    /** The job, as the store answers it (no state: the caller classifies at its time). */
    JobV1 toJob() {
        JobV1 job = new JobV1(id, type, refId, JobJson.parseStored(params));
        job.setCreated(date(created));
        job.setRunAt(date(runAt));
        job.setStarted(date(started));
        job.setLockedUntil(date(lockedUntil));
        job.setExecuteUntil(date(executeUntil));
        job.setCompleted(date(completed));
        job.setFailed(date(failed));
        job.setCancelled(date(cancelled));
        job.setRetries(retries);
        job.setMaxRetries(maxRetries > 0 ? maxRetries : null);
        job.setPriority(priority);
        job.setLockToken(lockToken);
        job.setBackoff(backoff);
        job.setProgress(JobJson.parseStored(progress));
        job.setResult(JobJson.parseStored(result));
        job.setErrors(Arrays.asList(errors));
        return job;
    }

    /** Since when it may be leased, for the lease order: its run_at, or its created time. */
    long freeSince() {
        return runAt != NONE ? runAt : created;
    }

    /** The retry limit of this job for a call whose default is <code>defaultMaxRetries</code>. */
    int maxRetries(int defaultMaxRetries) {
        return JobState.maxRetries(maxRetries, defaultMaxRetries);
    }

    JobState state(long now, int defaultMaxRetries) {
        return JobState.of(completed, failed, cancelled, lockedUntil, executeUntil, runAt, retries,
                maxRetries(defaultMaxRetries), now);
    }

    /** When it failed (see {@link JobState#failedAt}). */
    long failedAt(int defaultMaxRetries) {
        return JobState.failedAt(failed, lockedUntil, executeUntil, created, retries, maxRetries(defaultMaxRetries));
    }

    /** When it became final, by its state: completed, failed or cancelled. */
    long finishedAt(JobState state, int defaultMaxRetries) {
        return switch (state) {
            case COMPLETED -> completed;
            case CANCELLED -> cancelled;
            default -> failedAt(defaultMaxRetries);
        };
    }

    /** Whether a caller with this lock token (or none) may extend, abort, complete or fail the job. */
    boolean heldBy(String token) {
        return JobState.holdsLease(started, completed, failed, cancelled, lockToken, token);
    }

    JobRecord withType(String sameType) {
        return new JobRecord(id, sameType, refId, params, created, runAt, started, lockedUntil, executeUntil, completed,
                failed, cancelled, retries, maxRetries, priority, lockToken, backoff, progress, result, errors);
    }

    /**
     * Leased at <code>now</code> until <code>until</code> with a new token; <code>lostRunAt</code>
     * is when it may run again if this lease runs out (NONE: at its end). A lease that ran out
     * before is recorded as an error.
     */
    JobRecord leased(long now, long until, String token, long lostRunAt) {
        return new JobRecord(id, type, refId, params, created, lostRunAt, now, until, executeUntil, NONE, NONE, NONE,
                retries + 1, maxRetries, priority, token, backoff, progress, result, withLostLease(now));
    }

    /** The lock moved to <code>until</code>; the wait after a lost lease moves with it; progress when given. */
    JobRecord extended(long until, byte[] newProgress) {
        long lostRunAt = runAt != NONE && lockedUntil != NONE ? until + Math.max(0, runAt - lockedUntil) : NONE;
        return new JobRecord(id, type, refId, params, created, lostRunAt, started, until, executeUntil, completed,
                failed, cancelled, retries, maxRetries, priority, lockToken, backoff,
                newProgress != null ? newProgress : progress, result, errors);
    }

    /**
     * Given back at <code>now</code> with an error: free at <code>nextRunAt</code> (NONE: at
     * once), or failed when <code>failed</code> is set (its last attempt).
     */
    JobRecord aborted(long now, String error, long nextRunAt, boolean lastAttempt) {
        return new JobRecord(id, type, refId, params, created, lastAttempt ? NONE : nextRunAt, NONE, NONE, executeUntil,
                NONE, lastAttempt ? now : NONE, NONE, retries, maxRetries, priority, null, backoff, progress, result,
                withError(new JobErrorV1(retries, date(now), error)));
    }

    JobRecord completedAt(long when, byte[] newResult) {
        return new JobRecord(id, type, refId, params, created, NONE, started, NONE, executeUntil, when, NONE, NONE,
                retries, maxRetries, priority, null, backoff, progress, newResult, errors);
    }

    JobRecord failedBy(long when, String error) {
        return new JobRecord(id, type, refId, params, created, NONE, started, NONE, executeUntil, NONE, when, NONE,
                retries, maxRetries, priority, null, backoff, progress, result,
                withError(new JobErrorV1(retries, date(when), error)));
    }

    JobRecord cancelledAt(long when) {
        return new JobRecord(id, type, refId, params, created, runAt, started, NONE, executeUntil, NONE, NONE, when,
                retries, maxRetries, priority, null, backoff, progress, result, withLostLease(when));
    }

    /**
     * Waiting again at <code>now</code>: retries 0, no lease, not failed or cancelled, a ttl that
     * ran out renewed ({@link JobDates#renewedExecuteUntil}); errors kept.
     */
    JobRecord retried(long now) {
        return new JobRecord(id, type, refId, params, created, NONE, NONE, NONE,
                JobDates.renewedExecuteUntil(executeUntil, created, now), NONE, NONE, NONE, 0,
                maxRetries, priority, null, backoff, progress, result, withLostLease(now));
    }

    /** May run at <code>when</code> (NONE: at once); a lost lease is recorded. */
    JobRecord rescheduled(long now, long when) {
        return new JobRecord(id, type, refId, params, created, when, NONE, NONE, executeUntil, completed, failed,
                cancelled, retries, maxRetries, priority, null, backoff, progress, result, withLostLease(now));
    }

    /** The errors with the one of a lease that ran out unfinished before <code>now</code>, if any. */
    JobErrorV1[] withLostLease(long now) {
        JobErrorV1 lost = JobState.lostLease(started, completed, failed, cancelled, lockedUntil, retries, now);
        return lost == null ? errors : withError(lost);
    }

    /** The errors with one more, the oldest dropped beyond {@link JobErrorV1#MAX_KEPT}. */
    private JobErrorV1[] withError(JobErrorV1 error) {
        int keep = Math.min(errors.length, JobErrorV1.MAX_KEPT - 1);
        JobErrorV1[] next = new JobErrorV1[keep + 1];
        System.arraycopy(errors, errors.length - keep, next, 0, keep);
        next[keep] = error;
        return next;
    }
}
