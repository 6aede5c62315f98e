package org.servicejobs.persistence;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.config.IConfigurable;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.errors.ConnectionException;
import org.pipservices3.commons.refer.IReferenceable;
import org.pipservices3.commons.refer.IReferences;
import org.pipservices3.commons.refer.IUnreferenceable;
import org.pipservices3.commons.refer.ReferenceException;
import org.pipservices3.commons.run.ICleanable;
import org.pipservices3.commons.run.IOpenable;
import org.pipservices3.components.log.CompositeLogger;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Filters.exists;
import static com.mongodb.client.model.Filters.in;
import static org.servicejobs.persistence.JobsMongoDbDocuments.*;
import static org.servicejobs.persistence.JobsMongoDbStates.*;

/**
 * Jobs in MongoDB, for several service instances on one database. Every state change is decided
 * by one conditional <code>findOneAndUpdate</code> whose filter holds the whole rule (state, lock
 * expiry, retries, ttl, lock_token), so two instances can never both win a job (see
 * {@link JobsMongoDbChanges}); <code>add_uniq_job</code> is made atomic across instances by a
 * unique index on a key that only a job added by it carries while it is not final. Leasing by
 * type takes the first waiting job in lease order through the index
 * <code>{type, priority: -1, order_at, _id}</code>. Indexes are created on open; documents of an
 * earlier version get their lease order then. Paused types are documents of a collection beside
 * the jobs', so every instance sees them.
 * <p>
 * Built on pip-services3-mongodb's MongoDbConnection (see {@link JobsMongoDbCollection}), around
 * the library's known traps: dates are stored as BSON dates (its persistence stores ISO strings),
 * and documents are written and read here (its create fails on a null id and its getListByFilter
 * ignores the filter). The state rules in MongoDB's notation are in {@link JobsMongoDbStates}.
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>collection: the collection (default jobs; the paused types are in jobs_paused)</li>
 * <li>connection(s): uri, or host, port and database; other keys become URI options
 * (defaults: maxIdleTimeMS=0, maxLifeTimeMS=0, connectTimeoutMS=5000, socketTimeoutMS=30000,
 * serverSelectionTimeoutMS=10000)</li>
 * <li>credential(s): username, password</li>
 * </ul>
 * <p>
 * ### References ###
 * <ul>
 * <li>*:logger:*:*:1.0 (optional) ILogger components to pass log messages</li>
 * <li>*:discovery:*:*:1.0 (optional) IDiscovery services to resolve the connection</li>
 * <li>*:credential-store:*:*:1.0 (optional) credential stores to resolve credentials</li>
 * <li>*:connection:mongodb:*:1.0 (optional) a shared MongoDB connection</li>
 * </ul>
 */
public class JobsMongoDbPersistence implements IJobsPersistence, IConfigurable, IReferenceable, IUnreferenceable,
        IOpenable, ICleanable {
    public static final String DEFAULT_COLLECTION = JobsMongoDbCollection.DEFAULT_NAME;
    private static final Bson ORDER = Sorts.ascending(CREATED, ID);
    private static final int MIGRATION_BATCH = 1000;
    /**
     * Leases by type; the unique key of add_uniq_job; its look-up; get_jobs (all, by type); the
     * state filters and the cleaner.
     */
    private static final List<IndexModel> INDEXES = List.of(
            new IndexModel(new Document(TYPE, 1).append(PRIORITY, -1).append(ORDER_AT, 1).append(ID, 1),
                    new IndexOptions().name("type_lease_order")),
            new IndexModel(Indexes.ascending(UNIQ_KEY), new IndexOptions().name("uniq_key").unique(true).sparse(true)),
            new IndexModel(Indexes.ascending(TYPE, REF_ID, COMPLETED), new IndexOptions().name("type_ref")),
            new IndexModel(Indexes.ascending(CREATED, ID), new IndexOptions().name("order")),
            new IndexModel(Indexes.ascending(TYPE, CREATED, ID), new IndexOptions().name("type_order")),
            new IndexModel(Indexes.ascending(COMPLETED), new IndexOptions().name("completed")),
            new IndexModel(Indexes.ascending(FAILED), new IndexOptions().name("failed")),
            new IndexModel(Indexes.ascending(CANCELLED), new IndexOptions().name("cancelled")),
            new IndexModel(Indexes.ascending(LOCKED_UNTIL), new IndexOptions().name("locked_until")),
            new IndexModel(Indexes.ascending(EXECUTE_UNTIL), new IndexOptions().name("execute_until")));

    private final CompositeLogger _logger = new CompositeLogger();
    private final JobsMongoDbCollection _jobs = new JobsMongoDbCollection(INDEXES, _logger);
    private final JobsMongoDbChanges _changes = new JobsMongoDbChanges(_jobs);

    @Override
    public void configure(ConfigParams config) throws ConfigException {
        _jobs.configure(config);
    }

    @Override
    public void setReferences(IReferences references) throws ReferenceException, ConfigException {
        _logger.setReferences(references);
        _jobs.setReferences(references);
    }

    @Override
    public void unsetReferences() {
        _jobs.unsetReferences();
    }

    @Override
    public boolean isOpen() {
        return _jobs.isOpen();
    }

    @Override
    public void open(String correlationId) throws ApplicationException {
        _jobs.open(correlationId);
        addLeaseOrderToEarlierDocuments(correlationId);
    }

    @Override
    public void close(String correlationId) throws ApplicationException {
        _jobs.close(correlationId);
    }

    /**
     * Documents written before priorities and schedules (they have no priority) get priority 0 and,
     * unless completed, their created time as lease order.
     */
    private void addLeaseOrderToEarlierDocuments(String correlationId) throws ApplicationException {
        long updated = _jobs.call(correlationId, "open", collection -> {
            long count = 0;
            while (true) {
                List<Document> earlier = collection.find(exists(PRIORITY, false)).limit(MIGRATION_BATCH)
                        .into(new ArrayList<>());
                for (Document document : earlier) {
                    Bson update = document.getDate(COMPLETED) != null ? Updates.set(PRIORITY, 0)
                            : Updates.combine(Updates.set(PRIORITY, 0), Updates.set(ORDER_AT, document.getDate(CREATED)));
                    collection.updateOne(and(eq(ID, document.get(ID)), exists(PRIORITY, false)), update);
                }
                count += earlier.size();
                if (earlier.size() < MIGRATION_BATCH)
                    return count;
            }
        });
        if (updated > 0)
            _logger.info(correlationId, "Added the lease order to %d jobs of an earlier version", updated);
    }

    @Override
    public DataPage<JobV1> getPageByFilter(String correlationId, FilterParams filter, PagingParams paging, JobMoment at)
            throws ApplicationException {
        Bson query = JobsMongoDbDocuments.filter(JobsQuery.parse(correlationId, filter), date(at.now()), at.maxRetries());
        JobsQuery.Page page = JobsQuery.page(paging);
        int skip = (int) Math.min(Integer.MAX_VALUE, page.skip());
        return _jobs.call(correlationId, "get_jobs", collection -> {
            List<JobV1> jobs = new ArrayList<>(Math.max(0, page.take()));
            if (page.take() > 0) {
                for (Document document : collection.find(query).sort(ORDER).skip(skip).limit(page.take()))
                    jobs.add(toJob(document));
            }
            Long total = page.total() ? collection.countDocuments(query) : null;
            return new DataPage<>(jobs, total);
        });
    }

    @Override
    public JobV1 getOneById(String correlationId, String id) throws ApplicationException {
        return _jobs.call(correlationId, "get_job_by_id", collection -> toJob(collection.find(eq(ID, id)).first()));
    }

    @Override
    public JobV1 create(String correlationId, JobV1 job) throws ApplicationException {
        Document document = newDocument(correlationId, job, false);
        try {
            _jobs.call(correlationId, "add_job", collection -> {
                collection.insertOne(document);
                return document;
            });
        } catch (ConnectionException ex) {
            if (isDuplicateKey(ex.getCause()))
                throw new ConflictException(correlationId, "JOB_ALREADY_EXISTS",
                        "Job " + document.getString(ID) + " already exists").withDetails("job_id", document.getString(ID));
            throw ex;
        }
        return toJob(document);
    }

    @Override
    public List<JobV1> createMany(String correlationId, List<JobV1> jobs) throws ApplicationException {
        List<Document> documents = new ArrayList<>(jobs.size());
        for (JobV1 job : jobs)
            documents.add(newDocument(correlationId, job, false));
        if (documents.isEmpty())
            return List.of();
        try {
            _jobs.call(correlationId, "add_jobs", collection -> {
                try {
                    collection.insertMany(documents);
                } catch (MongoBulkWriteException ex) {
                    // An ordered insert stops at its first failure and keeps the documents before
                    // it: all or none, so they are taken back.
                    if (!ex.getWriteErrors().isEmpty()) {
                        List<Object> inserted = new ArrayList<>();
                        for (Document document : documents.subList(0, ex.getWriteErrors().get(0).getIndex()))
                            inserted.add(document.get(ID));
                        if (!inserted.isEmpty())
                            collection.deleteMany(in(ID, inserted));
                    }
                    throw ex;
                }
                return null;
            });
        } catch (ConnectionException ex) {
            if (ex.getCause() instanceof MongoBulkWriteException bulk && !bulk.getWriteErrors().isEmpty()
                    && bulk.getWriteErrors().get(0).getCategory() == ErrorCategory.DUPLICATE_KEY) {
                String id = documents.get(bulk.getWriteErrors().get(0).getIndex()).getString(ID);
                throw new ConflictException(correlationId, "JOB_ALREADY_EXISTS", "Job " + id + " already exists")
                        .withDetails("job_id", id);
            }
            throw ex;
        }
        List<JobV1> stored = new ArrayList<>(documents.size());
        for (Document document : documents)
            stored.add(toJob(document));
        return stored;
    }

    /**
     * The oldest job of the type and ref_id that is not final, or the new one. A job that failed
     * without a write (its ttl, its retries) gives its unique key up here, so the new one can take
     * it; a concurrent add that wins the key is answered.
     */
    @Override
    public JobV1 createUnique(String correlationId, JobV1 job, JobMoment at) throws ApplicationException {
        Document document = newDocument(correlationId, job, true);
        Date now = date(at.now());
        Bson sameJob = and(eq(TYPE, job.getType()), eq(REF_ID, job.getRefId()), notFinal());
        Bson sameKey = eq(UNIQ_KEY, document.getString(UNIQ_KEY));
        return _jobs.call(correlationId, "add_uniq_job", collection -> {
            while (true) {
                for (Document existing : collection.find(sameJob).sort(ORDER)) {
                    JobV1 found = toJob(existing);
                    if (!JobState.of(found, at.now(), at.maxRetries()).isFinal())
                        return found;
                    collection.updateOne(and(eq(ID, found.getId()), inState(JobState.FAILED, now, at.maxRetries())),
                            Updates.unset(UNIQ_KEY));
                }
                try {
                    collection.insertOne(document);
                    return toJob(document);
                } catch (MongoWriteException ex) {
                    if (!isDuplicateKey(ex))
                        throw ex;
                }
                Document existing = collection.find(sameKey).first();
                if (existing != null && !JobState.of(toJob(existing), at.now(), at.maxRetries()).isFinal())
                    return toJob(existing);
            }
        });
    }

    @Override
    public JobV1 startJobById(String correlationId, String id, JobLease lease) throws ApplicationException {
        JobV1 job = getOneById(correlationId, id);
        if (job == null || isPaused(correlationId, job.getType()))
            return null;
        return _changes.lease(correlationId, "start_job_by_id", eq(ID, id), lease);
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, JobLease lease) throws ApplicationException {
        if (isPaused(correlationId, type))
            return null;
        return _changes.lease(correlationId, "start_job_by_type", eq(TYPE, type), lease);
    }

    /** One conditional lease after the other, each atomic, until one finds no job. */
    @Override
    public List<JobV1> startJobsByType(String correlationId, String type, List<JobLease> leases)
            throws ApplicationException {
        List<JobV1> leased = new ArrayList<>();
        if (leases.isEmpty() || isPaused(correlationId, type))
            return leased;
        for (JobLease lease : leases) {
            JobV1 job = _changes.lease(correlationId, "start_jobs_by_type", eq(TYPE, type), lease);
            if (job == null)
                break;
            leased.add(job);
        }
        return leased;
    }

    @Override
    public JobV1 extendJob(String correlationId, String id, String lockToken, ZonedDateTime lockedUntil,
                           Object progress) throws ApplicationException {
        return _changes.extend(correlationId, id, lockToken, lockedUntil, JobJson.toText(correlationId, progress));
    }

    @Override
    public JobV1 abortJob(String correlationId, String id, String lockToken, JobAbort abort)
            throws ApplicationException {
        return _changes.abort(correlationId, id, lockToken, abort);
    }

    @Override
    public JobV1 completeJob(String correlationId, String id, String lockToken, ZonedDateTime completed,
                             Object result) throws ApplicationException {
        return _changes.complete(correlationId, id, lockToken, completed, JobJson.toText(correlationId, result));
    }

    @Override
    public List<JobV1> completeJobs(String correlationId, List<JobCompletionV1> jobs, ZonedDateTime completed)
            throws ApplicationException {
        List<JobV1> answers = new ArrayList<>(jobs.size());
        for (JobCompletionV1 job : jobs)
            answers.add(job.jobId() == null ? null : completeJob(correlationId, job.jobId(), job.lockToken(), completed,
                    job.result()));
        return answers;
    }

    @Override
    public JobV1 failJob(String correlationId, String id, String lockToken, ZonedDateTime failed, String error)
            throws ApplicationException {
        return _changes.fail(correlationId, id, lockToken, failed, error);
    }

    @Override
    public JobV1 cancelJob(String correlationId, String id, JobMoment at) throws ApplicationException {
        return _changes.change(correlationId, "cancel_job", id, at,
                List.of(JobState.WAITING, JobState.SCHEDULED, JobState.RUNNING), job -> List.of(
                        Updates.set(CANCELLED, date(at.now())), Updates.set(LOCKED_UNTIL, null),
                        Updates.set(LOCK_TOKEN, null), Updates.unset(UNIQ_KEY), Updates.unset(ORDER_AT)));
    }

    @Override
    public JobV1 retryJob(String correlationId, String id, JobMoment at) throws ApplicationException {
        return _changes.change(correlationId, "retry_job", id, at, List.of(JobState.FAILED, JobState.CANCELLED),
                job -> List.of(Updates.set(RETRIES, 0), Updates.set(FAILED, null), Updates.set(CANCELLED, null),
                        Updates.set(STARTED, null), Updates.set(LOCKED_UNTIL, null), Updates.set(LOCK_TOKEN, null),
                        Updates.set(RUN_AT, null), Updates.set(ORDER_AT, date(job.getCreated())),
                        Updates.set(EXECUTE_UNTIL, date(JobDates.date(JobDates.renewedExecuteUntil(
                                JobDates.millis(job.getExecuteUntil()), JobDates.millis(job.getCreated()),
                                JobDates.millis(at.now())))))));
    }

    @Override
    public JobV1 rescheduleJob(String correlationId, String id, ZonedDateTime runAt, JobMoment at)
            throws ApplicationException {
        return _changes.change(correlationId, "reschedule_job", id, at, List.of(JobState.WAITING, JobState.SCHEDULED),
                job -> List.of(Updates.set(RUN_AT, date(runAt)),
                        Updates.set(ORDER_AT, date(runAt != null ? runAt : job.getCreated())),
                        Updates.set(STARTED, null), Updates.set(LOCKED_UNTIL, null), Updates.set(LOCK_TOKEN, null)));
    }

    @Override
    public boolean setPaused(String correlationId, String type, boolean paused) throws ApplicationException {
        _jobs.callPaused(correlationId, paused ? "pause_jobs" : "resume_jobs", collection -> paused
                ? collection.replaceOne(eq(ID, type), new Document(ID, type), new ReplaceOptions().upsert(true))
                : collection.deleteOne(eq(ID, type)));
        return paused;
    }

    @Override
    public Set<String> getPausedTypes(String correlationId) throws ApplicationException {
        return _jobs.callPaused(correlationId, "get_paused", collection -> {
            Set<String> types = new TreeSet<>();
            for (Document document : collection.find())
                types.add(document.getString(ID));
            return types;
        });
    }

    private boolean isPaused(String correlationId, String type) throws ApplicationException {
        return _jobs.callPaused(correlationId, "start_job_by_type", collection -> collection.find(eq(ID, type)).first() != null);
    }

    @Override
    public JobV1 deleteById(String correlationId, String id) throws ApplicationException {
        return _jobs.call(correlationId, "delete_job_by_id", collection -> toJob(collection.findOneAndDelete(eq(ID, id))));
    }

    @Override
    public void deleteAll(String correlationId) throws ApplicationException {
        _jobs.call(correlationId, "delete_jobs", collection -> collection.deleteMany(new Document()));
    }

    @Override
    public void clear(String correlationId) throws ApplicationException {
        deleteAll(correlationId);
    }

    @Override
    public long cleanJobs(String correlationId, JobMoment at, ZonedDateTime completedBefore,
                          ZonedDateTime failedBefore) throws ApplicationException {
        return _jobs.call(correlationId, "clean_jobs", collection -> {
            // Jobs whose ttl passed while no lease held them can never be leased: out of the lease index's range.
            collection.updateMany(ttlPassed(date(at.now())), Updates.unset(ORDER_AT));
            long deleted = 0;
            for (Bson done : cleanable(date(at.now()), date(completedBefore), date(failedBefore), at.maxRetries()))
                deleted += collection.deleteMany(done).getDeletedCount();
            return deleted;
        });
    }

    /** One aggregation over the whole collection (see {@link JobsMongoDbStates#statsPipeline}). */
    @Override
    public Map<String, JobTypeStatsV1> getStats(String correlationId, JobMoment at) throws ApplicationException {
        List<Document> rows = _jobs.call(correlationId, "get_stats", collection ->
                collection.aggregate(statsPipeline(date(at.now()), at.maxRetries())).into(new ArrayList<>()));
        Set<String> paused = getPausedTypes(correlationId);
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, Date> oldest = new HashMap<>();
        for (Document row : rows) {
            Document key = row.get(ID, Document.class);
            String type = key.getString(TYPE);
            JobState state = stateOf(key.getString(STATS_STATE));
            counts.computeIfAbsent(type, t -> new long[JobState.values().length])[state.ordinal()] =
                    row.get(STATS_COUNT, Number.class).longValue();
            if (state == JobState.WAITING)
                oldest.put(type, row.getDate(STATS_OLDEST));
        }
        for (String type : paused)
            counts.putIfAbsent(type, new long[JobState.values().length]);
        Map<String, JobTypeStatsV1> stats = new TreeMap<>();
        counts.forEach((type, byState) -> stats.put(type, new JobTypeStatsV1(byState, date(oldest.get(type)),
                paused.contains(type))));
        return stats;
    }

    private static Document newDocument(String correlationId, JobV1 job, boolean unique) throws ApplicationException {
        long created = JobDates.millis(job.getCreated());
        String id = job.getId() != null ? job.getId() : JobIds.next(created);
        return toDocument(correlationId, job, id, unique);
    }

    private static boolean isDuplicateKey(Throwable ex) {
        return ex instanceof MongoWriteException write && write.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }
}
