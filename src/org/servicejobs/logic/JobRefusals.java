package org.servicejobs.logic;

import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.errors.NotFoundException;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;

/**
 * Why the store refused a state change: the store changes a job only when its rule holds, and
 * answers null otherwise; the controller then reads the job and asks here for the error to send.
 * The reasons come from the job's {@link JobState} and its lease, so they are the rules the store
 * applied.
 * <ul>
 * <li>a lease: 404 <code>JOB_NOT_FOUND</code>, or 409 by state: <code>JOB_COMPLETED</code>,
 * <code>JOB_LOCKED</code> (running), <code>JOB_RETRIES_EXHAUSTED</code> (failed),
 * <code>JOB_EXPIRED</code>;</li>
 * <li>an extend, abort or complete: 404 <code>JOB_NOT_FOUND</code>, or 409
 * <code>JOB_COMPLETED</code>, <code>JOB_NOT_STARTED</code> (no open lease, no token given) or
 * <code>JOB_LOCK_LOST</code> (no open lease, or another lock token);</li>
 * <li>none of these (the job changed between the refusal and the read): null, and the
 * controller tries again, at most {@link #MAX_ATTEMPTS} times, then 409 <code>JOB_CHANGED</code>.</li>
 * </ul>
 */
final class JobRefusals {
    /** Tries of a state change that the store refused for a reason that was gone when explained. */
    static final int MAX_ATTEMPTS = 3;

    private JobRefusals() {
    }

    /** Why a lease at <code>now</code> was refused, or null when the job is waiting now. */
    static ApplicationException ofLease(String correlationId, String jobId, JobV1 job, ZonedDateTime now,
                                        int maxRetries) {
        if (job == null)
            return notFound(correlationId, jobId);
        return switch (JobState.of(job, now, maxRetries)) {
            case COMPLETED -> conflict(correlationId, jobId, "JOB_COMPLETED", "is completed");
            case RUNNING -> conflict(correlationId, jobId, "JOB_LOCKED", "is locked until " + job.getLockedUntil());
            case FAILED -> conflict(correlationId, jobId, "JOB_RETRIES_EXHAUSTED",
                    "has used all its " + maxRetries + " retries");
            case EXPIRED -> conflict(correlationId, jobId, "JOB_EXPIRED", "expired at " + job.getExecuteUntil());
            case WAITING -> null;
        };
    }

    /** Why an extend, abort or complete with <code>lockToken</code> was refused, or null when it holds now. */
    static ApplicationException ofFinish(String correlationId, String jobId, JobV1 job, String lockToken) {
        if (job == null)
            return notFound(correlationId, jobId);
        long started = JobState.millis(job.getStarted());
        long completed = JobState.millis(job.getCompleted());
        if (completed != JobState.NONE)
            return conflict(correlationId, jobId, "JOB_COMPLETED", "is completed");
        if (!JobState.isLeaseOpen(started, completed))
            return conflict(correlationId, jobId, lockToken != null ? "JOB_LOCK_LOST" : "JOB_NOT_STARTED",
                    "is not running");
        if (!JobState.holdsLease(started, completed, job.getLockToken(), lockToken))
            return conflict(correlationId, jobId, "JOB_LOCK_LOST", "is leased under another lock_token");
        return null;
    }

    /** The error when the job kept changing under the call. */
    static ConflictException changedMeanwhile(String correlationId, String jobId) {
        return conflict(correlationId, jobId, "JOB_CHANGED", "changed while the request ran; try again");
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
