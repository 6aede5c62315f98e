package org.servicejobs.clients.version1;

import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;

/**
 * A client of the jobs service v1: every operation of the HTTP protocol v1, typed. Errors come
 * back as Pip's typed exceptions: BadRequestException (400), NotFoundException (404,
 * <code>JOB_NOT_FOUND</code>), ConflictException (409: <code>JOB_COMPLETED</code>,
 * <code>JOB_LOCKED</code>, <code>JOB_LOCK_LOST</code>...), ConnectionException when the service
 * cannot be reached.
 */
public interface IJobsClientV1 {
    /**
     * Gets a page of jobs by a filter, ordered by created time then id.
     *
     * @param correlationId (optional) transaction id to trace execution through call chain.
     * @param filter        (optional) id, type, ref_id, date ranges, retries, min_retries.
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

    /** Returns the not completed job with the same type and ref_id, or adds one, atomically. */
    JobV1 addUniqJob(String correlationId, NewJobV1 newJob) throws ApplicationException;

    /**
     * Leases a job by id for <code>timeout</code> ms.
     *
     * @return the leased job, with its lock_token.
     */
    JobV1 startJobById(String correlationId, String jobId, long timeout) throws ApplicationException;

    /**
     * Leases the oldest free job of a type for <code>timeout</code> ms, without waiting.
     *
     * @return the leased job, with its lock_token, or null when none is free.
     */
    default JobV1 startJobByType(String correlationId, String type, long timeout) throws ApplicationException {
        return startJobByType(correlationId, type, timeout, 0);
    }

    /**
     * Leases the oldest free job of a type for <code>timeout</code> ms, waiting up to
     * <code>wait</code> ms for one when none is free (long-poll).
     *
     * @return the leased job, with its lock_token, or null when none was free within the wait.
     */
    JobV1 startJobByType(String correlationId, String type, long timeout, long wait) throws ApplicationException;

    /**
     * Extends the lease of a running job to now + <code>timeout</code> ms.
     *
     * @param lockToken (optional, advised) the lock_token of the caller's lease.
     */
    JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken) throws ApplicationException;

    /**
     * Gives a running job back, free at once; its retries are kept.
     *
     * @param lockToken (optional, advised) the lock_token of the caller's lease.
     */
    JobV1 abortJob(String correlationId, String jobId, String lockToken) throws ApplicationException;

    /**
     * Completes a running job.
     *
     * @param lockToken (optional, advised) the lock_token of the caller's lease.
     */
    JobV1 completeJob(String correlationId, String jobId, String lockToken) throws ApplicationException;

    /**
     * Deletes a job.
     *
     * @return the deleted job, or null when there was none.
     */
    JobV1 deleteJobById(String correlationId, String jobId) throws ApplicationException;

    /** Deletes every job. */
    void deleteJobs(String correlationId) throws ApplicationException;
}
