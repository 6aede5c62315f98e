package org.servicejobs.logic;

import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;

/**
 * The business operations of the jobs service, one per command of the HTTP protocol v1.
 * <p>
 * Errors: bad input is a BadRequestException (400); a state change of a missing job a
 * NotFoundException (404, <code>JOB_NOT_FOUND</code>); a state change that the job's state does
 * not allow a ConflictException (409) with a specific code: <code>JOB_COMPLETED</code>,
 * <code>JOB_LOCKED</code>, <code>JOB_RETRIES_EXHAUSTED</code>, <code>JOB_EXPIRED</code>,
 * <code>JOB_NOT_STARTED</code> or <code>JOB_LOCK_LOST</code>.
 */
public interface IJobsController {
    /**
     * Gets a page of jobs by a filter, ordered by created time then id.
     *
     * @param correlationId (optional) transaction id to trace execution through call chain.
     * @param filter        (optional) see the protocol: id, type, ref_id, date ranges, retries,
     *                      min_retries (retries &gt;= min_retries).
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
     * @param newJob type and ref_id (non-empty), ttl in ms (null or 0: never expires), params.
     * @return the new job.
     */
    JobV1 addJob(String correlationId, NewJobV1 newJob) throws ApplicationException;

    /**
     * Returns the oldest not completed job with the type and ref_id of <code>newJob</code>, or
     * adds one when there is none, atomically.
     *
     * @return the existing or the new job.
     */
    JobV1 addUniqJob(String correlationId, NewJobV1 newJob) throws ApplicationException;

    /**
     * Leases a job: started = now, locked_until = now + timeout, retries + 1, a new lock_token.
     *
     * @param timeout the lease in ms, from 1 to the configured maximum.
     * @return the leased job.
     */
    JobV1 startJobById(String correlationId, String jobId, long timeout) throws ApplicationException;

    /**
     * Leases the oldest free job of a type: not completed, no lock held, retries below the
     * maximum, not expired.
     *
     * @param timeout the lease in ms, from 1 to the configured maximum.
     * @return the leased job, or null when no job of the type is free.
     */
    default JobV1 startJobByType(String correlationId, String type, long timeout) throws ApplicationException {
        return startJobByType(correlationId, type, timeout, 0);
    }

    /**
     * Leases the oldest free job of a type, waiting for one for up to <code>wait</code> ms when
     * none is free: the call returns as soon as a job of the type is added or freed (a lease that
     * ran out is seen within the controller's poll interval), or empty when the wait runs out.
     *
     * @param timeout the lease in ms, from 1 to the configured maximum.
     * @param wait    ms to wait for a free job, from 0 (do not wait) to the configured maximum.
     * @return the leased job, or null when none was free within the wait.
     */
    JobV1 startJobByType(String correlationId, String type, long timeout, long wait) throws ApplicationException;

    /**
     * Extends the lease of a running job: locked_until = now + timeout.
     *
     * @param lockToken (optional) the lock_token of the caller's lease.
     * @return the job.
     */
    JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken) throws ApplicationException;

    /**
     * Gives a running job back, free at once: clears started, locked_until and lock_token,
     * keeps retries.
     *
     * @param lockToken (optional) the lock_token of the caller's lease.
     * @return the job.
     */
    JobV1 abortJob(String correlationId, String jobId, String lockToken) throws ApplicationException;

    /**
     * Completes a running job.
     *
     * @param lockToken (optional) the lock_token of the caller's lease.
     * @return the job.
     */
    JobV1 completeJob(String correlationId, String jobId, String lockToken) throws ApplicationException;

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
