package org.servicejobs.persistence;

import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;
import java.util.Map;

/**
 * Storage of jobs. Every method that changes a job is one atomic operation in the store: its
 * condition is checked and its change applied together, so concurrent callers (threads, or
 * service instances sharing a store) can never both win. A method whose condition does not hold
 * changes nothing and returns <code>null</code>; the caller reads the job to learn why.
 * <p>
 * The store never reads a clock: the caller passes the current time.
 */
public interface IJobsPersistence {
    /** The largest page {@link #getPageByFilter} returns. */
    int MAX_PAGE_SIZE = 100;

    /**
     * Gets a page of jobs that match a filter, ordered by created time, then id.
     *
     * @param correlationId (optional) transaction id to trace execution through call chain.
     * @param filter        (optional) filter: id, type, ref_id, created[_from|_to],
     *                      started[_from|_to], locked_until, locked_from, locked_to,
     *                      execute_until, execute_from, execute_to, completed[_from|_to], retries,
     *                      min_retries (retries &gt;= min_retries). Dates are ISO-8601 strings.
     * @param paging        (optional) skip, take (at most 100) and total.
     * @return the page; its total is set when paging asks for it.
     * @throws ApplicationException BadRequestException for an unknown key or a bad value.
     */
    DataPage<JobV1> getPageByFilter(String correlationId, FilterParams filter, PagingParams paging)
            throws ApplicationException;

    /**
     * Gets a job by its id.
     *
     * @return the job, or null when there is none.
     */
    JobV1 getOneById(String correlationId, String id) throws ApplicationException;

    /**
     * Stores a new job. An id is generated when the job has none.
     *
     * @return the stored job.
     */
    JobV1 create(String correlationId, JobV1 job) throws ApplicationException;

    /**
     * Returns the oldest not completed job with the type and ref_id of the given one, or stores
     * the given one when there is none, atomically.
     *
     * @return the existing or the stored job.
     */
    JobV1 createUnique(String correlationId, JobV1 job) throws ApplicationException;

    /**
     * Leases one job when it is waiting at <code>lease.now()</code> with the retry limit
     * <code>lease.maxRetries()</code> (see {@link org.servicejobs.data.version1.JobState}).
     * The lease sets started, locked_until and lock_token and adds one to retries.
     *
     * @return the leased job, or null when there is no such job or it is not free.
     */
    JobV1 startJobById(String correlationId, String id, JobLease lease) throws ApplicationException;

    /**
     * Leases the oldest waiting job of a type (by created time, then id), with the rules of
     * {@link #startJobById}.
     *
     * @return the leased job, or null when no job of the type is free.
     */
    JobV1 startJobByType(String correlationId, String type, JobLease lease) throws ApplicationException;

    /**
     * Moves the lock of a job with an open lease (see {@link org.servicejobs.data.version1.JobState#holdsLease})
     * to <code>lockedUntil</code>.
     *
     * @param lockToken (optional) when given, the job's lock_token must be equal to it.
     * @return the job, or null when it is missing, its lease is not open or holds another lock_token.
     */
    JobV1 extendJob(String correlationId, String id, String lockToken, ZonedDateTime lockedUntil)
            throws ApplicationException;

    /**
     * Gives a job with an open lease back: clears started, locked_until and lock_token, keeps retries.
     *
     * @param lockToken (optional) when given, the job's lock_token must be equal to it.
     * @return the job, or null when it is missing, its lease is not open or holds another lock_token.
     */
    JobV1 abortJob(String correlationId, String id, String lockToken) throws ApplicationException;

    /**
     * Completes a job with an open lease: sets completed, clears locked_until and lock_token.
     *
     * @param lockToken (optional) when given, the job's lock_token must be equal to it.
     * @return the job, or null when it is missing, its lease is not open or holds another lock_token.
     */
    JobV1 completeJob(String correlationId, String id, String lockToken, ZonedDateTime completed)
            throws ApplicationException;

    /**
     * Deletes a job.
     *
     * @return the deleted job, or null when there was none.
     */
    JobV1 deleteById(String correlationId, String id) throws ApplicationException;

    /**
     * Deletes every job.
     */
    void deleteAll(String correlationId) throws ApplicationException;

    /**
     * Deletes the jobs that are done with, by their state at <code>now</code>: completed jobs
     * completed before <code>completedBefore</code>, failed jobs (retries used up) and expired
     * jobs; never a running one.
     *
     * @return the number of deleted jobs.
     */
    long cleanJobs(String correlationId, ZonedDateTime now, ZonedDateTime completedBefore, int maxRetries)
            throws ApplicationException;

    /**
     * Counts the jobs of each type by their {@link org.servicejobs.data.version1.JobState} at
     * <code>now</code>, and finds the created time of the oldest waiting job of each type. For
     * metrics: a store may read its jobs in several steps, so a job that changes during the call
     * is counted in its state at the step that read it (never twice, in the memory and file
     * stores).
     *
     * @param now        the moment the states are taken at: a lock holds when locked_until is
     *                   after it, a job is expired when execute_until is at or before it.
     * @param maxRetries a job not completed, not locked, with retries &gt;= maxRetries is failed.
     * @return the statistics of every type that has at least one job, by type.
     */
    Map<String, JobTypeStatsV1> getStats(String correlationId, ZonedDateTime now, int maxRetries)
            throws ApplicationException;
}
