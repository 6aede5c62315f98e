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
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

import static org.servicejobs.persistence.JobDates.NONE;
import static org.servicejobs.persistence.JobDates.millis;

/**
 * Jobs in memory: thread-safe, O(1) get by id, O(log n) lease by type and per transition,
 * counts per state without a scan (see {@link JobsIndex}). Every change takes one lock, so each
 * is atomic; reads by id take none. Lost when the process stops: for tests, and for users who
 * want no durability.
 * <p>
 * Subclasses can record every change (see {@link #journal}) and make callers wait until it is
 * durable (see {@link #awaitJournal}): the file store is one.
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>options:
 * <ul><li>clean_batch: jobs the cleaner deletes per turn of the lock (default 4096)</li></ul>
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
        /** A new state of a job; its type, ref_id, params and created time did not change. */
        UPDATE,
        /** A job was deleted; the record is the deleted one. */
        DELETE,
        /** Every job was deleted; no record. */
        CLEAR
    }

    protected final CompositeLogger _logger = new CompositeLogger();
    protected final ReentrantLock _lock = new ReentrantLock();
    protected final JobsIndex _index = new JobsIndex();
    /** The paused types; changed under the lock. */
    protected final Set<String> _paused = new HashSet<>();
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
     * Records a change; called under the lock, before the change is applied, in the order the
     * changes are made. When it throws, the change is not applied.
     *
     * @param job the new state of the job (ADD, UPDATE), the deleted job (DELETE) or null (CLEAR).
     * @return a ticket for {@link #awaitJournal}.
     */
    protected long journal(String correlationId, Change change, JobRecord job) throws ApplicationException {
        return 0;
    }

    /**
     * Records changes of several jobs as {@link #journal} does, in their order; by default one
     * call of {@link #journal} each.
     *
     * @return a ticket for {@link #awaitJournal} that covers them all.
     */
    protected long journalAll(String correlationId, Change change, List<JobRecord> jobs) throws ApplicationException {
        long ticket = 0;
        for (JobRecord job : jobs)
            ticket = journal(correlationId, change, job);
        return ticket;
    }

    /** Records that a type was paused or resumed; called under the lock, like {@link #journal}. */
    protected long journalPaused(String correlationId, String type, boolean paused) throws ApplicationException {
        return 0;
    }

    /** Waits until the change of a ticket is durable; called after the lock is released. */
    protected void awaitJournal(String correlationId, long ticket) throws ApplicationException {
    }

    @Override
    public DataPage<JobV1> getPageByFilter(String correlationId, FilterParams filter, PagingParams paging, JobMoment at)
            throws ApplicationException {
        JobsQuery query = JobsQuery.parse(correlationId, filter);
        JobsQuery.Page page = JobsQuery.page(paging);
        JobsIndex.Found found;
        _lock.lock();
        try {
            found = _index.find(query, page, millis(at.now()), at.maxRetries());
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
        return add(correlationId, job, null);
    }

    @Override
    public List<JobV1> createMany(String correlationId, List<JobV1> jobs) throws ApplicationException {
        List<JobRecord> records = new ArrayList<>(jobs.size());
        for (JobV1 job : jobs)
            records.add(newRecord(correlationId, job));
        List<JobRecord> stored = new ArrayList<>(records.size());
        long ticket;
        _lock.lock();
        try {
            Set<String> ids = new HashSet<>();
            for (JobRecord record : records) {
                if (_index.get(record.id) != null || !ids.add(record.id))
                    throw new ConflictException(correlationId, "JOB_ALREADY_EXISTS", "Job " + record.id
                            + " already exists").withDetails("job_id", record.id);
            }
            ticket = journalAll(correlationId, Change.ADD, records);
            for (JobRecord record : records)
                stored.add(_index.add(record));
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
        return toJobs(stored);
    }

    @Override
    public JobV1 createUnique(String correlationId, JobV1 job, JobMoment at) throws ApplicationException {
        return add(correlationId, job, at);
    }

    /** Adds a job; when unique (a moment given), returns instead the oldest job of its type and ref_id that is not final. */
    private JobV1 add(String correlationId, JobV1 job, JobMoment unique) throws ApplicationException {
        JobRecord record = newRecord(correlationId, job);
        long ticket;
        _lock.lock();
        try {
            JobRecord existing = unique == null ? null
                    : _index.firstLive(record.type, record.refId, millis(unique.now()), unique.maxRetries());
            if (existing != null)
                return existing.toJob();
            if (_index.get(record.id) != null)
                throw new ConflictException(correlationId, "JOB_ALREADY_EXISTS", "Job " + record.id + " already exists")
                        .withDetails("job_id", record.id);
            ticket = journal(correlationId, Change.ADD, record);
            record = _index.add(record);
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
        return record.toJob();
    }

    @Override
    public JobV1 startJobById(String correlationId, String id, JobLease lease) throws ApplicationException {
        long now = millis(lease.now());
        return change(correlationId, id, job -> job.state(now, lease.maxRetries()) == JobState.WAITING
                && !_paused.contains(job.type) ? leased(job, lease) : null);
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, JobLease lease) throws ApplicationException {
        long now = millis(lease.now());
        JobRecord updated;
        long ticket;
        _lock.lock();
        try {
            JobRecord job = _paused.contains(type) ? null : _index.firstFree(type, now, lease.maxRetries());
            if (job == null)
                return null;
            updated = leased(job, lease);
            ticket = journal(correlationId, Change.UPDATE, updated);
            _index.replace(job, updated);
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
        return updated.toJob();
    }

    @Override
    public List<JobV1> startJobsByType(String correlationId, String type, List<JobLease> leases)
            throws ApplicationException {
        if (leases.isEmpty())
            return List.of();
        JobLease first = leases.get(0);
        List<JobRecord> updated = new ArrayList<>();
        long ticket;
        _lock.lock();
        try {
            if (_paused.contains(type))
                return List.of();
            List<JobRecord> free = _index.firstFree(type, millis(first.now()), first.maxRetries(), leases.size());
            for (int i = 0; i < free.size(); i++)
                updated.add(leased(free.get(i), leases.get(i)));
            ticket = journalAll(correlationId, Change.UPDATE, updated);
            for (int i = 0; i < free.size(); i++)
                _index.replace(free.get(i), updated.get(i));
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
        return toJobs(updated);
    }

    @Override
    public JobV1 extendJob(String correlationId, String id, String lockToken, ZonedDateTime lockedUntil,
                           Object progress) throws ApplicationException {
        long until = millis(lockedUntil);
        byte[] json = JobJson.toBytes(correlationId, progress);
        return change(correlationId, id, job -> job.heldBy(lockToken) ? job.extended(until, json) : null);
    }

    @Override
    public JobV1 abortJob(String correlationId, String id, String lockToken, JobAbort abort)
            throws ApplicationException {
        long now = millis(abort.now());
        return change(correlationId, id, job -> {
            if (!job.heldBy(lockToken))
                return null;
            boolean last = job.retries >= job.maxRetries(abort.maxRetries());
            long delay = abort.delay() != null ? abort.delay() : abort.retry().delayAfter(job.backoff, job.retries);
            return job.aborted(now, abort.error(), delay > 0 ? now + delay : NONE, last);
        });
    }

    @Override
    public JobV1 completeJob(String correlationId, String id, String lockToken, ZonedDateTime completed,
                             Object result) throws ApplicationException {
        long when = millis(completed);
        byte[] json = JobJson.toBytes(correlationId, result);
        return change(correlationId, id, job -> job.heldBy(lockToken) ? job.completedAt(when, json) : null);
    }

    @Override
    public List<JobV1> completeJobs(String correlationId, List<JobCompletionV1> jobs, ZonedDateTime completed)
            throws ApplicationException {
        long when = millis(completed);
        List<byte[]> results = new ArrayList<>(jobs.size());
        for (JobCompletionV1 job : jobs)
            results.add(JobJson.toBytes(correlationId, job.result()));
        JobRecord[] answers = new JobRecord[jobs.size()];
        long ticket;
        _lock.lock();
        try {
            Map<String, JobRecord> changed = new LinkedHashMap<>();
            for (int i = 0; i < jobs.size(); i++) {
                JobCompletionV1 completion = jobs.get(i);
                JobRecord job = completion.jobId() == null || changed.containsKey(completion.jobId()) ? null
                        : _index.get(completion.jobId());
                if (job != null && job.heldBy(completion.lockToken())) {
                    answers[i] = job.completedAt(when, results.get(i));
                    changed.put(job.id, answers[i]);
                }
            }
            ticket = journalAll(correlationId, Change.UPDATE, new ArrayList<>(changed.values()));
            for (JobRecord job : changed.values())
                _index.replace(_index.get(job.id), job);
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
        List<JobV1> answered = new ArrayList<>(answers.length);
        for (JobRecord answer : answers)
            answered.add(answer == null ? null : answer.toJob());
        return answered;
    }

    @Override
    public JobV1 failJob(String correlationId, String id, String lockToken, ZonedDateTime failed, String error)
            throws ApplicationException {
        long when = millis(failed);
        return change(correlationId, id, job -> job.heldBy(lockToken) ? job.failedBy(when, error) : null);
    }

    @Override
    public JobV1 cancelJob(String correlationId, String id, JobMoment at) throws ApplicationException {
        long now = millis(at.now());
        return change(correlationId, id, job -> job.state(now, at.maxRetries()).isFinal() ? null : job.cancelledAt(now));
    }

    @Override
    public JobV1 retryJob(String correlationId, String id, JobMoment at) throws ApplicationException {
        long now = millis(at.now());
        return change(correlationId, id, job -> {
            JobState state = job.state(now, at.maxRetries());
            return state == JobState.FAILED || state == JobState.CANCELLED ? job.retried(now) : null;
        });
    }

    @Override
    public JobV1 rescheduleJob(String correlationId, String id, ZonedDateTime runAt, JobMoment at)
            throws ApplicationException {
        long now = millis(at.now());
        long when = millis(runAt);
        return change(correlationId, id, job -> {
            JobState state = job.state(now, at.maxRetries());
            return state == JobState.WAITING || state == JobState.SCHEDULED ? job.rescheduled(now, when) : null;
        });
    }

    @Override
    public boolean setPaused(String correlationId, String type, boolean paused) throws ApplicationException {
        long ticket = 0;
        _lock.lock();
        try {
            if (_paused.contains(type) != paused) {
                ticket = journalPaused(correlationId, type, paused);
                if (paused)
                    _paused.add(type);
                else
                    _paused.remove(type);
            }
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
        return paused;
    }

    @Override
    public Set<String> getPausedTypes(String correlationId) {
        _lock.lock();
        try {
            return new TreeSet<>(_paused);
        } finally {
            _lock.unlock();
        }
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
            ticket = journal(correlationId, Change.DELETE, job);
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
            ticket = journal(correlationId, Change.CLEAR, null);
            _index.clear();
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
    }

    /** Deletes, per type, the final jobs oldest first, at most clean_batch per turn of the lock. */
    @Override
    public long cleanJobs(String correlationId, JobMoment at, ZonedDateTime completedBefore,
                          ZonedDateTime failedBefore) throws ApplicationException {
        long now = millis(at.now());
        long deleted = 0;
        for (String type : typeNames()) {
            int removed;
            do {
                long ticket = 0;
                _lock.lock();
                try {
                    List<JobRecord> done = _index.finishedBefore(type, now, at.maxRetries(), millis(completedBefore),
                            millis(failedBefore), _cleanBatch);
                    for (JobRecord job : done) {
                        ticket = journal(correlationId, Change.DELETE, job);
                        _index.remove(job);
                    }
                    removed = done.size();
                } finally {
                    _lock.unlock();
                }
                awaitJournal(correlationId, ticket);
                deleted += removed;
            } while (removed == _cleanBatch);
        }
        return deleted;
    }

    @Override
    public Map<String, JobTypeStatsV1> getStats(String correlationId, JobMoment at) {
        long now = millis(at.now());
        Map<String, JobTypeStatsV1> stats = new TreeMap<>();
        _lock.lock();
        try {
            for (String type : _index.typeNames()) {
                long[] counts = _index.counts(type, now, at.maxRetries());
                stats.put(type, new JobTypeStatsV1(counts, JobDates.date(_index.oldestWaiting(type)),
                        _paused.contains(type)));
            }
            for (String type : _paused)
                stats.putIfAbsent(type, new JobTypeStatsV1(new long[JobState.values().length], null, true));
        } finally {
            _lock.unlock();
        }
        return stats;
    }

    private List<String> typeNames() {
        _lock.lock();
        try {
            List<String> types = new ArrayList<>(_index.typeNames());
            types.sort(null);
            return types;
        } finally {
            _lock.unlock();
        }
    }

    private static JobRecord leased(JobRecord job, JobLease lease) {
        long until = millis(lease.lockedUntil());
        long delay = lease.retry().delayAfter(job.backoff, job.retries + 1);
        return job.leased(millis(lease.now()), until, lease.lockToken(), delay > 0 ? until + delay : NONE);
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
            ticket = journal(correlationId, Change.UPDATE, updated);
            _index.replace(job, updated);
        } finally {
            _lock.unlock();
        }
        awaitJournal(correlationId, ticket);
        return updated.toJob();
    }

    private static List<JobV1> toJobs(List<JobRecord> records) {
        List<JobV1> jobs = new ArrayList<>(records.size());
        for (JobRecord record : records)
            jobs.add(record.toJob());
        return jobs;
    }

    private static JobRecord newRecord(String correlationId, JobV1 job) throws ApplicationException {
        long created = millis(job.getCreated());
        String id = job.getId() != null ? job.getId() : JobIds.next(created);
        return JobRecord.fromJob(correlationId, job, id);
    }
}
