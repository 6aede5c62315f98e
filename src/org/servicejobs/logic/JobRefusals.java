package org.servicejobs.logic;

import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.errors.NotFoundException;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.IJobsPersistence;

import java.time.ZonedDateTime;
import java.util.Set;

import static org.servicejobs.data.version1.JobState.millis;

/**
 * Why the store refused a state change: the store changes a job only when its rule holds, and
 * answers null otherwise; the controller then reads the job and asks here for the error to send.
 * The reasons come from the job's {@link JobState} and its lease, so they are the rules the store
 * applied. A missing job is 404 <code>JOB_NOT_FOUND</code>; the others are 409:
 * <ul>
 * <li>a lease: <code>JOB_CANCELLED</code>, <code>JOB_COMPLETED</code>, <code>JOB_RETRIES_EXHAUSTED</code>
 * (failed by using its retries), <code>JOB_EXPIRED</code> (failed by its ttl), <code>JOB_FAILED</code>
 * (failed by a worker),
 * <code>JOB_LOCKED</code> (running), <code>JOB_SCHEDULED</code>, <code>TYPE_PAUSED</code>;</li>
 * <li>an extend, abort, complete or fail: <code>JOB_CANCELLED</code>, <code>JOB_COMPLETED</code>,
 * <code>JOB_FAILED</code>, <code>JOB_NOT_STARTED</code> (no open lease, no token given) or
 * <code>JOB_LOCK_LOST</code> (no open lease, or another lock token);</li>
 * <li>a cancel: the final state (<code>JOB_COMPLETED</code>, ...); a retry:
 * <code>JOB_NOT_RETRYABLE</code>; a reschedule: <code>JOB_NOT_WAITING</code>;</li>
 * <li>none of these (the job changed between the refusal and the read): null, and the
 * controller tries again, at most {@link #MAX_ATTEMPTS} times, then 409 <code>JOB_CHANGED</code>.</li>
 * </ul>
 */
final class JobRefusals {
    /** Tries of a state change that the store refused for a reason that was gone when explained. */
    static final int MAX_ATTEMPTS = 3;

    private JobRefusals() {
    }

    /** A change of one job by the store at a moment: the job after it, or null when the store refused it. */
    @FunctionalInterface
    interface Change {
        JobV1 apply(ZonedDateTime now) throws ApplicationException;
    }

    /** Why a change was refused, or null when it looks allowed now. */
    @FunctionalInterface
    interface Refusal {
        ApplicationException of(JobV1 job, ZonedDateTime now);
    }

    /**
     * Applies a change; when the store refuses it, reads the job and throws why, or tries again
     * when the job changed meanwhile (at most {@link #MAX_ATTEMPTS} times).
     *
     * @return the job after the change, at its moment.
     */
    static JobV1 changeOrExplain(String correlationId, String jobId, IJobsPersistence persistence, JobsTerms terms,
                                 Change change, Refusal refusal) throws ApplicationException {
        for (int attempt = 1; ; attempt++) {
            ZonedDateTime now = terms.now();
            JobV1 job = change.apply(now);
            if (job != null)
                return JobsView.at(job, now, terms.maxRetries());
            ApplicationException refused = refusal.of(persistence.getOneById(correlationId, jobId), now);
            if (refused != null)
                throw refused;
            if (attempt == MAX_ATTEMPTS)
                throw changedMeanwhile(correlationId, jobId);
        }
    }

    /** Why a lease at <code>now</code> was refused, or null when the job is waiting now and its type not paused. */
    static ApplicationException ofLease(String correlationId, String jobId, JobV1 job, ZonedDateTime now,
                                        int maxRetries, Set<String> pausedTypes) {
        if (job == null)
            return notFound(correlationId, jobId);
        JobState state = JobState.of(job, now, maxRetries);
        return switch (state) {
            case CANCELLED, COMPLETED -> ofFinal(correlationId, jobId, job, state);
            case FAILED -> {
                int limit = JobState.maxRetries(job.getMaxRetries(), maxRetries);
                if (job.getRetries() >= limit)
                    yield conflict(correlationId, jobId, "JOB_RETRIES_EXHAUSTED", "has used all its " + limit + " retries");
                if (job.getFailed() == null && job.getExecuteUntil() != null && !job.getExecuteUntil().isAfter(now))
                    yield conflict(correlationId, jobId, "JOB_EXPIRED", "expired at " + job.getExecuteUntil());
                yield ofFinal(correlationId, jobId, job, state);
            }
            case RUNNING -> conflict(correlationId, jobId, "JOB_LOCKED", "is locked until " + job.getLockedUntil());
            case SCHEDULED -> conflict(correlationId, jobId, "JOB_SCHEDULED", "may not run before " + job.getRunAt());
            case WAITING -> pausedTypes.contains(job.getType())
                    ? conflict(correlationId, jobId, "TYPE_PAUSED", "is of the paused type " + job.getType()) : null;
        };
    }

    /** Why an extend, abort, complete or fail with <code>lockToken</code> was refused, or null when it holds now. */
    static ApplicationException ofFinish(String correlationId, String jobId, JobV1 job, String lockToken) {
        if (job == null)
            return notFound(correlationId, jobId);
        long started = millis(job.getStarted());
        long completed = millis(job.getCompleted());
        long failed = millis(job.getFailed());
        long cancelled = millis(job.getCancelled());
        if (cancelled != JobState.NONE)
            return ofFinal(correlationId, jobId, job, JobState.CANCELLED);
        if (completed != JobState.NONE)
            return ofFinal(correlationId, jobId, job, JobState.COMPLETED);
        if (failed != JobState.NONE)
            return ofFinal(correlationId, jobId, job, JobState.FAILED);
        if (!JobState.isLeaseOpen(started, completed, failed, cancelled))
            return conflict(correlationId, jobId, lockToken != null ? "JOB_LOCK_LOST" : "JOB_NOT_STARTED",
                    "is not running");
        if (!JobState.holdsLease(started, completed, failed, cancelled, job.getLockToken(), lockToken))
            return conflict(correlationId, jobId, "JOB_LOCK_LOST", "is leased under another lock_token");
        return null;
    }

    /** Why a cancel at <code>now</code> was refused, or null when the job may be cancelled now. */
    static ApplicationException ofCancel(String correlationId, String jobId, JobV1 job, ZonedDateTime now,
                                         int maxRetries) {
        if (job == null)
            return notFound(correlationId, jobId);
        JobState state = JobState.of(job, now, maxRetries);
        return state.isFinal() ? ofFinal(correlationId, jobId, job, state) : null;
    }

    /** Why a retry at <code>now</code> was refused, or null when the job is failed or cancelled now. */
    static ApplicationException ofRetry(String correlationId, String jobId, JobV1 job, ZonedDateTime now,
                                        int maxRetries) {
        return ofState(correlationId, jobId, job, now, maxRetries, Set.of(JobState.FAILED, JobState.CANCELLED),
                "JOB_NOT_RETRYABLE", "only a failed or cancelled job can be retried");
    }

    /** Why a reschedule at <code>now</code> was refused, or null when the job is waiting or scheduled now. */
    static ApplicationException ofReschedule(String correlationId, String jobId, JobV1 job, ZonedDateTime now,
                                             int maxRetries) {
        return ofState(correlationId, jobId, job, now, maxRetries, Set.of(JobState.WAITING, JobState.SCHEDULED),
                "JOB_NOT_WAITING",
                "only a waiting or scheduled job can be rescheduled");
    }

    /** The error when the job kept changing under the call. */
    static ConflictException changedMeanwhile(String correlationId, String jobId) {
        return conflict(correlationId, jobId, "JOB_CHANGED", "changed while the request ran; try again");
    }

    private static ApplicationException ofState(String correlationId, String jobId, JobV1 job, ZonedDateTime now,
                                                int maxRetries, Set<JobState> allowed, String code, String rule) {
        if (job == null)
            return notFound(correlationId, jobId);
        JobState state = JobState.of(job, now, maxRetries);
        return allowed.contains(state) ? null
                : conflict(correlationId, jobId, code, "is " + state + ": " + rule).withDetails("state", state.wireName());
    }

    private static ConflictException ofFinal(String correlationId, String jobId, JobV1 job, JobState state) {
        return switch (state) {
            case CANCELLED -> conflict(correlationId, jobId, "JOB_CANCELLED", "was cancelled");
            case COMPLETED -> conflict(correlationId, jobId, "JOB_COMPLETED", "is completed");
            default -> conflict(correlationId, jobId, "JOB_FAILED", "has failed");
        };
    }

    private static NotFoundException notFound(String correlationId, String jobId) {
        return (NotFoundException) new NotFoundException(correlationId, "JOB_NOT_FOUND", "Job " + jobId + " was not found")
                .withDetails("job_id", jobId);
    }

    private static ConflictException conflict(String correlationId, String jobId, String code, String why) {
        return (ConflictException) new ConflictException(correlationId, code, "Job " + jobId + " " + why)
                .withDetails("job_id", jobId);
    }
}
