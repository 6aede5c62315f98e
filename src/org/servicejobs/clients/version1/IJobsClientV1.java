package org.servicejobs.clients.version1;

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
 * A client of the jobs service v1: every operation of the HTTP protocol v1, typed. Errors come
 * back as Pip's typed exceptions: BadRequestException (400), NotFoundException (404,
 * <code>JOB_NOT_FOUND</code>), ConflictException (409: <code>JOB_COMPLETED</code>,
 * <code>JOB_LOCKED</code>, <code>JOB_LOCK_LOST</code>, <code>JOB_CANCELLED</code>...),
 * ConnectionException when the service cannot be reached. Jobs come back with their state at the
 * moment of the answer.
 */
public interface IJobsClientV1 {
    /**
     * Gets a page of jobs by a filter, ordered by created time then id.
     *
     * @param correlationId (optional) transaction id to trace execution through call chain.
     * @param filter        (optional) id, type, ref_id, date ranges, retries, min_retries,
     *                      priority, state (names separated by commas), search.
     * @param paging        (optional) skip, take (at most 100), total.
     */
    DataPage<JobV1> getJobs(String correlationId, FilterParams filter, PagingParams paging) throws ApplicationException;

    /**
     * Gets a job by id.
     *
     * @return the job, or null when there is none.
     */
    JobV1 getJobById(String correlationId, String jobId) throws ApplicationException;

    /** Adds a job. */
    JobV1 addJob(String correlationId, NewJobV1 newJob) throws ApplicationException;

    /** Returns the job with the same type and ref_id that is not completed, failed or cancelled, or adds one, atomically. */
    JobV1 addUniqJob(String correlationId, NewJobV1 newJob) throws ApplicationException;

    /**
     * Adds 1 to 1000 jobs, all or none: when one is invalid, the BadRequestException names its
     * index and no job is added.
     *
     * @return the added jobs, in the order given.
     */
    List<JobV1> addJobs(String correlationId, List<NewJobV1> newJobs) throws ApplicationException;

    /**
     * Leases a job by id for <code>timeout</code> ms.
     *
     * @return the leased job, with its lock_token.
     */
    JobV1 startJobById(String correlationId, String jobId, long timeout) throws ApplicationException;

    /**
     * Leases the first waiting job of a type for <code>timeout</code> ms, without waiting.
     *
     * @return the leased job, with its lock_token, or null when none is waiting.
     */
    default JobV1 startJobByType(String correlationId, String type, long timeout) throws ApplicationException {
        return startJobByType(correlationId, type, timeout, 0);
    }

    /**
     * Leases the first waiting job of a type for <code>timeout</code> ms, waiting up to
     * <code>wait</code> ms for one when none is waiting (long-poll).
     *
     * @return the leased job, with its lock_token, or null when none was free within the wait.
     */
    JobV1 startJobByType(String correlationId, String type, long timeout, long wait) throws ApplicationException;

    /**
     * Leases up to <code>count</code> (1 to 100) waiting jobs of a type at once, in lease order,
     * each for <code>timeout</code> ms with its own lock_token, waiting up to <code>wait</code>
     * ms when none is waiting.
     *
     * @return the leased jobs; empty when none was free within the wait.
     */
    List<JobV1> startJobsByType(String correlationId, String type, long timeout, int count, long wait)
            throws ApplicationException;

    /** Extends the lease of a running job; see {@link #extendJob(String, String, long, String, Object)}. */
    default JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken)
            throws ApplicationException {
        return extendJob(correlationId, jobId, timeout, lockToken, null);
    }

    /**
     * Extends the lease of a running job to now + <code>timeout</code> ms.
     *
     * @param lockToken (optional, advised) the lock_token of the caller's lease.
     * @param progress  (optional) any JSON, at most 4 KiB, kept as the job's progress.
     */
    JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken, Object progress)
            throws ApplicationException;

    /** Gives a running job back; see {@link #abortJob(String, String, String, String, Long)}. */
    default JobV1 abortJob(String correlationId, String jobId, String lockToken) throws ApplicationException {
        return abortJob(correlationId, jobId, lockToken, null, null);
    }

    /**
     * Gives a running job back; its retries are kept and its error recorded. It may be leased
     * again after the retry backoff (or <code>delay</code> ms), or fails when that was its last
     * attempt.
     *
     * @param lockToken (optional, advised) the lock_token of the caller's lease.
     * @param error     (optional) why, at most 8192 characters.
     * @param delay     (optional) ms before the next lease, replacing the backoff.
     */
    JobV1 abortJob(String correlationId, String jobId, String lockToken, String error, Long delay)
            throws ApplicationException;

    /** Completes a running job; see {@link #completeJob(String, String, String, Object)}. */
    default JobV1 completeJob(String correlationId, String jobId, String lockToken) throws ApplicationException {
        return completeJob(correlationId, jobId, lockToken, null);
    }

    /**
     * Completes a running job.
     *
     * @param lockToken (optional, advised) the lock_token of the caller's lease.
     * @param result    (optional) any JSON, at most 64 KiB, kept as the job's result.
     */
    JobV1 completeJob(String correlationId, String jobId, String lockToken, Object result) throws ApplicationException;

    /**
     * Completes 1 to 1000 running jobs, each on its own rules: one refusal does not stop the others.
     *
     * @return per job, in the order given, the completed job or null, and the refusals by index.
     */
    JobsBatchV1 completeJobs(String correlationId, List<JobCompletionV1> jobs) throws ApplicationException;

    /**
     * Fails a running job for good: it is not leased again (until retried).
     *
     * @param lockToken (optional, advised) the lock_token of the caller's lease.
     * @param error     (optional) why, at most 8192 characters.
     */
    JobV1 failJob(String correlationId, String jobId, String lockToken, String error) throws ApplicationException;

    /** Cancels a waiting, scheduled or running job. */
    JobV1 cancelJob(String correlationId, String jobId) throws ApplicationException;

    /** Makes a failed or cancelled job waiting again, with retries 0. */
    JobV1 retryJob(String correlationId, String jobId) throws ApplicationException;

    /** Moves a waiting or scheduled job to <code>runAt</code>, or <code>delay</code> ms from now (0: now); one of them. */
    JobV1 rescheduleJob(String correlationId, String jobId, ZonedDateTime runAt, Long delay) throws ApplicationException;

    /** The number of jobs of each type in each state, the oldest waiting, and whether the type is paused. */
    Map<String, JobTypeStatsV1> getJobStats(String correlationId) throws ApplicationException;

    /** Pauses the leases by type of a type; returns true (it is paused). */
    boolean pauseJobs(String correlationId, String type) throws ApplicationException;

    /** Resumes the leases by type of a type; returns false (it is not paused). */
    boolean resumeJobs(String correlationId, String type) throws ApplicationException;

    /**
     * Deletes a job.
     *
     * @return the deleted job, or null when there was none.
     */
    JobV1 deleteJobById(String correlationId, String jobId) throws ApplicationException;

    /** Deletes every job. */
    void deleteJobs(String correlationId) throws ApplicationException;
}
