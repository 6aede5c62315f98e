package org.servicejobs.persistence;

import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Storage of jobs. Every method that changes a job is one atomic operation in the store: its
 * condition is checked and its change applied together, so concurrent callers (threads, or
 * service instances sharing a store) can never both win. A method whose condition does not hold
 * changes nothing and returns <code>null</code>; the caller reads the job to learn why.
 * <p>
 * The conditions are the rules of {@link org.servicejobs.data.version1.JobState}, taken at the
 * time the caller passes: the store never reads a clock. Jobs come back without their state (the
 * caller classifies them at its time).
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
     *                      min_retries (retries &gt;= min_retries), priority, state (names separated
     *                      by commas), search (a case-insensitive substring of ref_id or of the
     *                      params' JSON text). Dates are ISO-8601 strings.
     * @param paging        (optional) skip, take (at most 100) and total.
     * @param at            the moment of the state filter (the memory and file stores take the
     *                      latest moment they were given for a type when it is later).
     * @return the page; its total is set when paging asks for it.
     * @throws ApplicationException BadRequestException for an unknown key or a bad value.
     */
    DataPage<JobV1> getPageByFilter(String correlationId, FilterParams filter, PagingParams paging, JobMoment at)
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
     * Stores new jobs, all or none, in the order given: in the file store one journal write and
     * one fsync, in MongoDB one insertMany.
     *
     * @return the stored jobs, in the same order.
     */
    List<JobV1> createMany(String correlationId, List<JobV1> jobs) throws ApplicationException;

    /**
     * Returns the oldest job with the type and ref_id of the given one that is not final at
     * <code>at</code> (not completed, failed or cancelled), or stores the given one when there is
     * none, atomically.
     *
     * @return the existing or the stored job.
     */
    JobV1 createUnique(String correlationId, JobV1 job, JobMoment at) throws ApplicationException;

    /**
     * Leases one job when it is waiting at <code>lease.now()</code> and its type is not paused:
     * started = now, locked_until,
     * a new lock_token, retries + 1; when the lease runs out unfinished the job waits the backoff of
     * <code>lease.retry()</code> (its run_at). A lease that ran out before is recorded as an error.
     *
     * @return the leased job, or null when there is no such job or it is not waiting.
     */
    JobV1 startJobById(String correlationId, String id, JobLease lease) throws ApplicationException;

    /**
     * Leases the first waiting job of a type in lease order (the highest priority, then the
     * longest free: since its run_at, or its created time; then id), with the rules of
     * {@link #startJobById}; none while the type is paused.
     *
     * @return the leased job, or null when no job of the type is waiting.
     */
    JobV1 startJobByType(String correlationId, String type, JobLease lease) throws ApplicationException;

    /**
     * Leases up to <code>leases.size()</code> jobs of a type, in lease order, each with the terms
     * of its own lease (its own lock token), each atomically: no job is in two answers while its
     * lease holds.
     *
     * @return the leased jobs, in lease order; empty when none is waiting or the type is paused.
     */
    List<JobV1> startJobsByType(String correlationId, String type, List<JobLease> leases) throws ApplicationException;

    /**
     * Moves the lock of a job whose lease the caller holds (see
     * {@link org.servicejobs.data.version1.JobState#holdsLease}) to <code>lockedUntil</code>.
     *
     * @param lockToken (optional) when given, the job's lock_token must be equal to it.
     * @param progress  (optional) the job's new progress; null keeps it.
     * @return the job, or null when it is missing or its lease is not held.
     */
    JobV1 extendJob(String correlationId, String id, String lockToken, ZonedDateTime lockedUntil, Object progress)
            throws ApplicationException;

    /**
     * Gives a job whose lease the caller holds back: clears started, locked_until and lock_token,
     * keeps retries, records the error; the job waits the abort's delay before its next lease, or
     * fails when its retries are used up.
     *
     * @return the job, or null when it is missing or its lease is not held.
     */
    JobV1 abortJob(String correlationId, String id, String lockToken, JobAbort abort) throws ApplicationException;

    /**
     * Completes a job whose lease the caller holds: sets completed and the result, clears
     * locked_until and lock_token.
     *
     * @return the job, or null when it is missing or its lease is not held.
     */
    JobV1 completeJob(String correlationId, String id, String lockToken, ZonedDateTime completed, Object result)
            throws ApplicationException;

    /**
     * Completes jobs whose leases the callers hold, each on its own rules (see
     * {@link #completeJob}); in the file store one fsync for the batch.
     *
     * @return per job, in the order given, the completed job, or null when it was refused.
     */
    List<JobV1> completeJobs(String correlationId, List<JobCompletionV1> jobs, ZonedDateTime completed)
            throws ApplicationException;

    /**
     * Fails a job whose lease the caller holds, for good: sets failed, records the error, clears
     * locked_until and lock_token.
     *
     * @return the job, or null when it is missing or its lease is not held.
     */
    JobV1 failJob(String correlationId, String id, String lockToken, ZonedDateTime failed, String error)
            throws ApplicationException;

    /**
     * Cancels a job that is waiting, scheduled or running at <code>at</code>: sets cancelled and
     * clears its lock.
     *
     * @return the job, or null when it is missing or final.
     */
    JobV1 cancelJob(String correlationId, String id, JobMoment at) throws ApplicationException;

    /**
     * Makes a job that is failed or cancelled at <code>at</code> waiting again: retries 0, no
     * lease, failed and cancelled cleared, errors kept.
     *
     * @return the job, or null when it is missing or not failed or cancelled.
     */
    JobV1 retryJob(String correlationId, String id, JobMoment at) throws ApplicationException;

    /**
     * Moves a job that is waiting or scheduled at <code>at</code> to run at <code>runAt</code>
     * (null: at once); a lease that ran out before is recorded as an error.
     *
     * @return the job, or null when it is missing or not waiting or scheduled.
     */
    JobV1 rescheduleJob(String correlationId, String id, ZonedDateTime runAt, JobMoment at) throws ApplicationException;

    /**
     * Pauses or resumes the leases by type of a type, durably (the file and MongoDB stores keep
     * it across restarts; every instance on one MongoDB sees it). Adds, extends and completes go on.
     *
     * @return whether the type is paused now.
     */
    boolean setPaused(String correlationId, String type, boolean paused) throws ApplicationException;

    /** The types whose leases by type are paused. */
    Set<String> getPausedTypes(String correlationId) throws ApplicationException;

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
     * Deletes the jobs that are done with, by their state at <code>at</code>: jobs completed before
     * <code>completedBefore</code>, jobs failed or cancelled before <code>failedBefore</code>;
     * never one that is waiting, scheduled or running.
     *
     * @return the number of deleted jobs.
     */
    long cleanJobs(String correlationId, JobMoment at, ZonedDateTime completedBefore, ZonedDateTime failedBefore)
            throws ApplicationException;

    /**
     * Counts the jobs of each type by their {@link org.servicejobs.data.version1.JobState} at
     * <code>at</code>, finds the created time of the oldest waiting job of each type, and marks the
     * paused types (a paused type without jobs is listed too). Its cost does not grow with the
     * number of jobs in the memory and file stores (maintained counts).
     *
     * @return the statistics of every type that has at least one job or is paused, by type.
     */
    Map<String, JobTypeStatsV1> getStats(String correlationId, JobMoment at) throws ApplicationException;
}
