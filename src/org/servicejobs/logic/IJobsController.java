package org.servicejobs.logic;

import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.JobsBatchV1;
import org.servicejobs.data.version1.NewJobV1;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/**
 * The business operations of the jobs service, one per command of the HTTP protocol v1. Every
 * job answered carries its {@link org.servicejobs.data.version1.JobState} at the moment of the
 * answer.
 * <p>
 * Errors: bad input is a BadRequestException (400); a state change of a missing job a
 * NotFoundException (404, <code>JOB_NOT_FOUND</code>); a state change that the job's state does
 * not allow a ConflictException (409) with a specific code (see {@link JobRefusals}).
 */
public interface IJobsController {
    /**
     * Gets a page of jobs by a filter, ordered by created time then id.
     *
     * @param correlationId (optional) transaction id to trace execution through call chain.
     * @param filter        (optional) see the protocol: id, type, ref_id, date ranges, retries,
     *                      min_retries (retries &gt;= min_retries), priority, state (one or more
     *                      state names, separated by commas), search (a case-insensitive
     *                      substring of ref_id or of the params' JSON text).
     * @param paging        (optional) skip, take (at most 100), total.
     * @return a page of jobs.
     */
    DataPage<JobV1> getJobs(String correlationId, FilterParams filter, PagingParams paging) throws ApplicationException;

    /**
     * Gets a job by its id.
     *
     * @return the job, or null when there is none.
     */
    JobV1 getJobById(String correlationId, String jobId) throws ApplicationException;

    /**
     * Adds a job.
     *
     * @param newJob type and ref_id (non-empty), ttl in ms (null or 0: never expires), params,
     *               and optionally max_retries, run_at or delay, priority, backoff.
     * @return the new job.
     */
    JobV1 addJob(String correlationId, NewJobV1 newJob) throws ApplicationException;

    /**
     * Adds 1 to 1000 jobs, all or none: every job is checked first, and when one is refused (400,
     * with its index in the details and the message), none is added.
     *
     * @return the new jobs, in the same order.
     */
    JobsBatchV1 addJobs(String correlationId, List<NewJobV1> newJobs) throws ApplicationException;

    /**
     * Returns the oldest job with the type and ref_id of <code>newJob</code> that is not final
     * (completed, failed, cancelled), or adds one when there is none, atomically.
     *
     * @return the existing or the new job.
     */
    JobV1 addUniqJob(String correlationId, NewJobV1 newJob) throws ApplicationException;

    /**
     * Leases a waiting job: started = now, locked_until = now + timeout, retries + 1, a new lock_token.
     *
     * @param timeout the lease in ms, from 1 to the configured maximum.
     * @return the leased job.
     */
    JobV1 startJobById(String correlationId, String jobId, long timeout) throws ApplicationException;

    /**
     * Leases the first waiting job of a type in lease order (see {@link #startJobByType(String, String, long, long)}).
     *
     * @param timeout the lease in ms, from 1 to the configured maximum.
     * @return the leased job, or null when no job of the type is waiting.
     */
    default JobV1 startJobByType(String correlationId, String type, long timeout) throws ApplicationException {
        return startJobByType(correlationId, type, timeout, 0);
    }

    /**
     * Leases the first waiting job of a type in lease order (the highest priority, then the
     * longest free), waiting for one for up to <code>wait</code> ms when none is waiting: the call
     * returns as soon as a job of the type is added or freed (a lease that ran out or a schedule
     * that came is seen within the controller's poll interval), or empty when the wait runs out.
     * No job while the type is paused.
     *
     * @param timeout the lease in ms, from 1 to the configured maximum.
     * @param wait    ms to wait for a free job, from 0 (do not wait) to the configured maximum.
     * @return the leased job, or null when none was free within the wait.
     */
    JobV1 startJobByType(String correlationId, String type, long timeout, long wait) throws ApplicationException;

    /**
     * Leases up to <code>count</code> (1 to 100) waiting jobs of a type at once, in lease order,
     * each with its own lock_token; with a <code>wait</code>, as {@link #startJobByType(String,
     * String, long, long)} when none is waiting.
     *
     * @return the leased jobs; empty when none was free within the wait.
     */
    JobsBatchV1 startJobsByType(String correlationId, String type, long timeout, int count, long wait)
            throws ApplicationException;

    /** Extends the lease of a running job; see {@link #extendJob(String, String, long, String, Object)}. */
    default JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken)
            throws ApplicationException {
        return extendJob(correlationId, jobId, timeout, lockToken, null);
    }

    /**
     * Extends the lease of a job whose lease the caller holds: locked_until = now + timeout.
     *
     * @param lockToken (optional) the lock_token of the caller's lease.
     * @param progress  (optional) any JSON, at most 4 KiB, kept as the job's progress.
     * @return the job.
     */
    JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken, Object progress)
            throws ApplicationException;

    /** Gives a job back; see {@link #abortJob(String, String, String, String, Long)}. */
    default JobV1 abortJob(String correlationId, String jobId, String lockToken) throws ApplicationException {
        return abortJob(correlationId, jobId, lockToken, null, null);
    }

    /**
     * Gives a job whose lease the caller holds back: clears started, locked_until and lock_token,
     * keeps retries, records the error. The job may be leased again after <code>delay</code> ms,
     * or the retry backoff when no delay is given; it fails when that was its last attempt.
     *
     * @param lockToken (optional) the lock_token of the caller's lease.
     * @param error     (optional) why the attempt ended, at most 8192 characters.
     * @param delay     (optional) ms before the next lease, replacing the backoff.
     * @return the job.
     */
    JobV1 abortJob(String correlationId, String jobId, String lockToken, String error, Long delay)
            throws ApplicationException;

    /** Completes a job; see {@link #completeJob(String, String, String, Object)}. */
    default JobV1 completeJob(String correlationId, String jobId, String lockToken) throws ApplicationException {
        return completeJob(correlationId, jobId, lockToken, null);
    }

    /**
     * Completes a job whose lease the caller holds.
     *
     * @param lockToken (optional) the lock_token of the caller's lease.
     * @param result    (optional) any JSON, at most 64 KiB, kept as the job's result.
     * @return the job.
     */
    JobV1 completeJob(String correlationId, String jobId, String lockToken, Object result) throws ApplicationException;

    /**
     * Completes 1 to 1000 jobs, each on its own rules: one refusal does not stop the others.
     *
     * @return per job, in the order given, the completed job or null, and an error per refused one.
     */
    JobsBatchV1 completeJobs(String correlationId, List<JobCompletionV1> jobs) throws ApplicationException;

    /**
     * Fails a job whose lease the caller holds, for good: it is not leased again (until retried).
     *
     * @param lockToken (optional) the lock_token of the caller's lease.
     * @param error     (optional) why, at most 8192 characters.
     * @return the job.
     */
    JobV1 failJob(String correlationId, String jobId, String lockToken, String error) throws ApplicationException;

    /**
     * Cancels a waiting, scheduled or running job; its holder's next extend, abort, complete or
     * fail is refused with 409 <code>JOB_CANCELLED</code>.
     *
     * @return the job.
     */
    JobV1 cancelJob(String correlationId, String jobId) throws ApplicationException;

    /**
     * Makes a failed or cancelled job waiting again, with retries 0; its errors are kept.
     *
     * @return the job.
     */
    JobV1 retryJob(String correlationId, String jobId) throws ApplicationException;

    /**
     * Moves a waiting or scheduled job to run at <code>runAt</code>, or <code>delay</code> ms from
     * now (0: now); one of the two.
     *
     * @return the job.
     */
    JobV1 rescheduleJob(String correlationId, String jobId, ZonedDateTime runAt, Long delay)
            throws ApplicationException;

    /**
     * Counts the jobs of each type by state, with the created time of the oldest waiting job,
     * and whether the type is paused.
     *
     * @return the statistics of every type that has jobs or is paused, by type.
     */
    Map<String, JobTypeStatsV1> getJobStats(String correlationId) throws ApplicationException;

    /**
     * Pauses (or resumes) the leases by type of a type: its jobs wait; adds, extends and
     * completes go on. Idempotent.
     *
     * @return whether the type is paused now.
     */
    boolean setPaused(String correlationId, String type, boolean paused) throws ApplicationException;

    /**
     * Deletes a job.
     *
     * @return the deleted job, or null when there was none.
     */
    JobV1 deleteJobById(String correlationId, String jobId) throws ApplicationException;

    /**
     * Deletes every job.
     */
    void deleteJobs(String correlationId) throws ApplicationException;
}
