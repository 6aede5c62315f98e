package org.servicejobs.persistence;

import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.config.IConfigurable;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.refer.IReferenceable;
import org.pipservices3.commons.refer.IReferences;
import org.pipservices3.commons.run.ICleanable;
import org.pipservices3.commons.run.IOpenable;
import org.pipservices3.components.log.CompositeLogger;
import org.servicejobs.config.ConfigOptions;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Jobs in memory: thread-safe, O(1) get by id, O(log n) lease by type (see {@link JobsIndex}).
 * Every change takes one lock, so each is atomic; reads by id take none. Lost when the process
 * stops: for tests, and for users who want no durability.
 * <p>
 * Subclasses can record every change (see {@link #journal}) and make callers wait until it is
 * durable (see {@link #awaitJournal}): the file store is one.
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>options:
 * <ul><li>clean_batch: jobs the cleaner, and the statistics of {@link #getStats}, look at per turn of
 * the lock (default 4096)</li></ul>
 * </ul>
 * <p>
 * ### References ###
 * <ul>
 * <li>*:logger:*:*:1.0 (optional) ILogger components to pass log messages</li>
 * </ul>
 */
public class JobsMemoryPersistence implements IJobsPersistence, IConfigurable, IReferenceable, IOpenable, ICleanable {
    private static final int DEFAULT_CLEAN_BATCH = 4096;

    /** What a change did, for {@link #journal}. */
    protected enum Change {
        /** A new job; the record has every field. */
        ADD,
        /** A new state of a job; its params did not change. */
        UPDATE,
        /** A job was deleted; the record is the deleted one. */
        DELETE,
        /** Every job was deleted; no record. */
        CLEAR
    }

    protected final CompositeLogger _logger = new CompositeLogger();
    protected final ReentrantLock _lock = new ReentrantLock();
    protected final JobsIndex _index = new JobsIndex();
    private int _cleanBatch = DEFAULT_CLEAN_BATCH;
    private volatile boolean _opened;

    @Override
    public void configure(ConfigParams config) throws ConfigException {
        _cleanBatch = ConfigOptions.getInt(config, "options.clean_batch", _cleanBatch, 1, Integer.MAX_VALUE);
    }

    @Override
    public void setReferences(IReferences references) {
        _logger.setReferences(references);
    }

    @Override
    public boolean isOpen() {
        return _opened;
    }

    @Override
    public void open(String correlationId) throws ApplicationException {
        _opened = true;
    }

    @Override
    public void close(String correlationId) throws ApplicationException {
        _opened = false;
    }

    @Override
    public void clear(String correlationId) throws ApplicationException {
        deleteAll(correlationId);
    }

    /**
     * Prepares the record of a new job for {@link #journal} (for example its params as bytes);
     * called before the lock is taken, so that slow work is not done under it.
     *
     * @return what {@link #journal} gets as <code>prepared</code> for this job.
     */
    protected Object prepare(String correlationId, JobRecord job) throws ApplicationException {
        return null;
    }

    /**
     * Records a change; called under the lock, before the change is applied, in the order the
     * changes are made. When it throws, the change is not applied.
     *
     * @param job      the new state of the job (ADD, UPDATE), the deleted job (DELETE) or null (CLEAR).
     * @param prepared what {@link #prepare} returned for an ADD, else null.
     * @return a ticket for {@link #awaitJournal}.
     */
    protected long journal(String correlationId, Change change, JobRecord job, Object prepared)
            throws ApplicationException {
        return 0;
    }

    /** Waits until the change of a ticket is durable; called after the lock is released. */
    protected void awaitJournal(String correlationId, long ticket) throws ApplicationException {
    }

    @Override
    public DataPage<JobV1> getPageByFilter(String correlationId, FilterParams filter, PagingParams paging)
            throws ApplicationException {
        JobsQuery query = JobsQuery.parse(correlationId, filter);
        JobsQuery.Page page = JobsQuery.page(paging);
        JobsIndex.Found found;
        _lock.lock();
        try {
            found = _index.find(query, page);
        } finally {
            _lock.unlock();
        }
        List<JobV1> data = new ArrayList<>(found.page().size());
        for (JobRecord job : found.page())
            data.add(job.toJob());
        return new DataPage<>(data, page.total() ? found.total() : null);
    }

    @Override
    public JobV1 getOneById(String correlationId, String id) {
        JobRecord job = _index.get(id);
        return job == null ? null : job.toJob();
    }

    @Override
    public JobV1 create(String correlationId, JobV1 job) throws ApplicationException {
        return add(correlationId, job, false);
    }

    @Override
    public JobV1 createUnique(String correlationId, JobV1 job) throws ApplicationException {
        return add(correlationId, job, true);
    }

    /** Adds a job; when unique, returns instead the oldest not completed job of its type and ref_id. */
    private JobV1 add(String correlationId, JobV1 job, boolean unique) throws ApplicationException {
        JobRecord record = newRecord(correlationId, job);
        Object prepared = prepare(correlationId, record);
        long ticket;
        _lock.lock();
        try {
            JobRecord existing = unique ? _index.firstLive(record.type, record.refId) : null;
            if (existing != null)
                return existing.toJob();
            if (_index.get(record.id) != null)
                throw new ConflictException(correlationId, "JOB_ALREADY_EXISTS", "Job " + record.id + " already exists")
                        .withDetails("job_id", record.id);
            ticket = journal(correlationId, Change.ADD, record, prepared);
            record = _index.add(record);
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
        return record.toJob();
    }

    @Override
    public JobV1 startJobById(String correlationId, String id, JobLease lease) throws ApplicationException {
        long now = JobDates.millis(lease.now());
        return change(correlationId, id, job -> job.state(now, lease.maxRetries()) == JobState.WAITING
                ? leased(job, lease) : null);
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, JobLease lease) throws ApplicationException {
        long now = JobDates.millis(lease.now());
        JobRecord updated;
        long ticket;
        _lock.lock();
        try {
            JobRecord job = _index.firstFree(type, now, lease.maxRetries());
            if (job == null)
                return null;
            updated = leased(job, lease);
            ticket = journal(correlationId, Change.UPDATE, updated, null);
            _index.replace(job, updated);
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
        return updated.toJob();
    }

    @Override
    public JobV1 extendJob(String correlationId, String id, String lockToken, ZonedDateTime lockedUntil)
            throws ApplicationException {
        long until = JobDates.millis(lockedUntil);
        return change(correlationId, id, job -> job.heldBy(lockToken) ? job.extended(until) : null);
    }

    @Override
    public JobV1 abortJob(String correlationId, String id, String lockToken) throws ApplicationException {
        return change(correlationId, id, job -> job.heldBy(lockToken) ? job.aborted() : null);
    }

    @Override
    public JobV1 completeJob(String correlationId, String id, String lockToken, ZonedDateTime completed)
            throws ApplicationException {
        long when = JobDates.millis(completed);
        return change(correlationId, id, job -> job.heldBy(lockToken) ? job.completedAt(when) : null);
    }

    @Override
    public JobV1 deleteById(String correlationId, String id) throws ApplicationException {
        JobRecord job;
        long ticket;
        _lock.lock();
        try {
            job = _index.get(id);
            if (job == null)
                return null;
            ticket = journal(correlationId, Change.DELETE, job, null);
            _index.remove(job);
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
        return job.toJob();
    }

    @Override
    public void deleteAll(String correlationId) throws ApplicationException {
        long ticket;
        _lock.lock();
        try {
            ticket = journal(correlationId, Change.CLEAR, null, null);
            _index.clear();
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
    }

    @Override
    public long cleanJobs(String correlationId, ZonedDateTime now, ZonedDateTime completedBefore, int maxRetries)
            throws ApplicationException {
        long nowMillis = JobDates.millis(now);
        long before = JobDates.millis(completedBefore);
        long[] deleted = {0};
        JobsSlicedPass pass = new JobsSlicedPass(_lock, _index, _cleanBatch);
        for (String type : pass.types()) {
            pass.forEachSlice(type, slice -> {
                long ticket = 0;
                for (JobRecord job : slice) {
                    if (isDone(job, nowMillis, before, maxRetries)) {
                        ticket = journal(correlationId, Change.DELETE, job, null);
                        _index.remove(job);
                        deleted[0]++;
                    }
                }
                return ticket;
            }, ticket -> awaitJournal(correlationId, ticket));
        }
        return deleted[0];
    }

    /** Reads each type's jobs in slices (see {@link JobsSlicedPass}). */
    @Override
    public Map<String, JobTypeStatsV1> getStats(String correlationId, ZonedDateTime now, int maxRetries)
            throws ApplicationException {
        long nowMillis = JobDates.millis(now);
        Map<String, JobTypeStatsV1> stats = new LinkedHashMap<>();
        JobsSlicedPass pass = new JobsSlicedPass(_lock, _index, _cleanBatch);
        for (String type : pass.types()) {
            JobStatsCounter counter = new JobStatsCounter(nowMillis, maxRetries);
            pass.forEachSlice(type, slice -> {
                for (JobRecord job : slice)
                    counter.add(job);
                return 0;
            }, ticket -> {
            });
            if (!counter.isEmpty())
                stats.put(type, counter.toStats());
        }
        return stats;
    }

    private static boolean isDone(JobRecord job, long now, long completedBefore, int maxRetries) {
        return switch (job.state(now, maxRetries)) {
            case COMPLETED -> job.completed < completedBefore;
            case FAILED, EXPIRED -> true;
            case WAITING, RUNNING -> false;
        };
    }

    private static JobRecord leased(JobRecord job, JobLease lease) {
        return job.leased(JobDates.millis(lease.now()), JobDates.millis(lease.lockedUntil()), lease.lockToken());
    }

    @FunctionalInterface
    private interface Transition {
        /** The new version of a job, or null when the change does not apply to it. */
        JobRecord apply(JobRecord job);
    }

    /** Applies a conditional change to one job, atomically. */
    private JobV1 change(String correlationId, String id, Transition transition) throws ApplicationException {
        JobRecord updated;
        long ticket;
        _lock.lock();
        try {
            JobRecord job = _index.get(id);
            updated = job == null ? null : transition.apply(job);
            if (updated == null)
                return null;
            ticket = journal(correlationId, Change.UPDATE, updated, null);
            _index.replace(job, updated);
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
        return updated.toJob();
    }

    private static JobRecord newRecord(String correlationId, JobV1 job) throws ApplicationException {
        long created = JobDates.millis(job.getCreated());
        String id = job.getId() != null ? job.getId() : JobIds.next(created);
        return JobRecord.fromJob(job, id, JobJson.freeze(correlationId, job.getParams()));
    }
}
