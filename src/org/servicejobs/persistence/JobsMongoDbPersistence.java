package org.servicejobs.persistence;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexModel;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.errors.ConnectionException;
import org.pipservices3.commons.config.IConfigurable;
import org.pipservices3.commons.refer.IReferenceable;
import org.pipservices3.commons.refer.IReferences;
import org.pipservices3.commons.refer.IUnreferenceable;
import org.pipservices3.commons.refer.ReferenceException;
import org.pipservices3.commons.run.ICleanable;
import org.pipservices3.commons.run.IOpenable;
import org.pipservices3.components.log.CompositeLogger;
import org.pipservices3.mongodb.connect.MongoDbConnection;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static org.servicejobs.persistence.JobsMongoDbDocuments.*;
import static org.servicejobs.persistence.JobsMongoDbStates.*;

/**
 * Jobs in MongoDB, for several service instances on one database. Every state change is one
 * conditional <code>findOneAndUpdate</code> whose filter holds the whole rule (state, lock
 * expiry, retries, expiry, lock_token), so two instances can never both win a job;
 * <code>add_uniq_job</code> is made atomic across instances by a unique index on a key that only
 * not completed jobs added by it carry. Leasing by type takes the oldest free job through the
 * index <code>{type, completed, created, _id}</code>. Indexes are created on open.
 * <p>
 * Built on pip-services3-mongodb's MongoDbConnection (see {@link JobsMongoDbCollection}), around
 * the library's known traps: dates are stored as BSON dates (its persistence stores ISO strings),
 * and documents are written and read here (its create fails on a null id and its getListByFilter
 * ignores the filter). The state rules in MongoDB's notation are in {@link JobsMongoDbStates}.
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>collection: the collection (default jobs)</li>
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
    /** Leases by type; the unique key of add_uniq_job; add_uniq_job's look-up; get_jobs; the cleaner. */
    private static final List<IndexModel> INDEXES = List.of(
            new IndexModel(Indexes.ascending(TYPE, COMPLETED, CREATED, ID), new IndexOptions().name("type_free_order")),
            new IndexModel(Indexes.ascending(UNIQ_KEY), new IndexOptions().name("uniq_key").unique(true).sparse(true)),
            new IndexModel(Indexes.ascending(TYPE, REF_ID, COMPLETED), new IndexOptions().name("type_ref")),
            new IndexModel(Indexes.ascending(CREATED, ID), new IndexOptions().name("order")),
            new IndexModel(Indexes.ascending(COMPLETED), new IndexOptions().name("completed")),
            new IndexModel(Indexes.ascending(EXECUTE_UNTIL), new IndexOptions().name("execute_until")));

    private final CompositeLogger _logger = new CompositeLogger();
    private final JobsMongoDbCollection _jobs = new JobsMongoDbCollection(INDEXES, _logger);

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
    }

    @Override
    public void close(String correlationId) throws ApplicationException {
        _jobs.close(correlationId);
    }

    @Override
    public DataPage<JobV1> getPageByFilter(String correlationId, FilterParams filter, PagingParams paging)
            throws ApplicationException {
        Bson query = JobsMongoDbDocuments.filter(JobsQuery.parse(correlationId, filter));
        paging = paging != null ? paging : new PagingParams();
        int skip = (int) Math.min(Integer.MAX_VALUE, paging.getSkip(0));
        int take = (int) paging.getTake(MAX_PAGE_SIZE);
        PagingParams page = paging;
        return _jobs.call(correlationId, "get_jobs", collection -> {
            List<JobV1> jobs = new ArrayList<>(take);
            if (take > 0) {
                for (Document document : collection.find(query).sort(ORDER).skip(skip).limit(take))
                    jobs.add(toJob(document));
            }
            Long total = page.hasTotal() ? collection.countDocuments(query) : null;
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
    public JobV1 createUnique(String correlationId, JobV1 job) throws ApplicationException {
        Document document = newDocument(correlationId, job, true);
        Bson sameJob = and(eq(TYPE, job.getType()), eq(REF_ID, job.getRefId()), eq(COMPLETED, null));
        Bson sameKey = eq(UNIQ_KEY, document.getString(UNIQ_KEY));
        return _jobs.call(correlationId, "add_uniq_job", collection -> {
            while (true) {
                Document existing = collection.find(sameJob).sort(ORDER).first();
                if (existing != null)
                    return toJob(existing);
                try {
                    collection.insertOne(document);
                    return toJob(document);
                } catch (MongoWriteException ex) {
                    if (!isDuplicateKey(ex))
                        throw ex;
                }
                // Another instance added it first: answer with its job (unless it completed meanwhile).
                existing = collection.find(sameKey).first();
                if (existing != null)
                    return toJob(existing);
            }
        });
    }

    @Override
    public JobV1 startJobById(String correlationId, String id, JobLease lease) throws ApplicationException {
        return lease(correlationId, "start_job_by_id", eq(ID, id), lease);
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, JobLease lease) throws ApplicationException {
        return lease(correlationId, "start_job_by_type", eq(TYPE, type), lease);
    }

    @Override
    public JobV1 extendJob(String correlationId, String id, String lockToken, ZonedDateTime lockedUntil)
            throws ApplicationException {
        return update(correlationId, "extend_job", heldBy(id, lockToken), Updates.set(LOCKED_UNTIL, date(lockedUntil)));
    }

    @Override
    public JobV1 abortJob(String correlationId, String id, String lockToken) throws ApplicationException {
        return update(correlationId, "abort_job", heldBy(id, lockToken), Updates.combine(
                Updates.set(STARTED, null), Updates.set(LOCKED_UNTIL, null), Updates.set(LOCK_TOKEN, null)));
    }

    @Override
    public JobV1 completeJob(String correlationId, String id, String lockToken, ZonedDateTime completed)
            throws ApplicationException {
        return update(correlationId, "complete_job", heldBy(id, lockToken), Updates.combine(
                Updates.set(COMPLETED, date(completed)), Updates.set(LOCKED_UNTIL, null),
                Updates.set(LOCK_TOKEN, null), Updates.unset(UNIQ_KEY)));
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
    public long cleanJobs(String correlationId, ZonedDateTime now, ZonedDateTime completedBefore, int maxRetries)
            throws ApplicationException {
        return _jobs.call(correlationId, "clean_jobs", collection -> {
            long deleted = 0;
            for (Bson done : cleanable(date(now), date(completedBefore), maxRetries))
                deleted += collection.deleteMany(done).getDeletedCount();
            return deleted;
        });
    }

    /** One aggregation over the whole collection (see {@link JobsMongoDbStates#statsPipeline}). */
    @Override
    public Map<String, JobTypeStatsV1> getStats(String correlationId, ZonedDateTime now, int maxRetries)
            throws ApplicationException {
        List<Document> rows = _jobs.call(correlationId, "get_stats", collection ->
                collection.aggregate(statsPipeline(date(now), maxRetries)).into(new ArrayList<>()));
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
        Map<String, JobTypeStatsV1> stats = new LinkedHashMap<>();
        counts.forEach((type, byState) -> stats.put(type, new JobTypeStatsV1(byState, date(oldest.get(type)))));
        return stats;
    }

    private JobV1 lease(String correlationId, String operation, Bson which, JobLease lease) throws ApplicationException {
        Date now = date(lease.now());
        Bson update = Updates.combine(Updates.set(STARTED, now), Updates.set(LOCKED_UNTIL, date(lease.lockedUntil())),
                Updates.set(LOCK_TOKEN, lease.lockToken()), Updates.inc(RETRIES, 1));
        FindOneAndUpdateOptions options = new FindOneAndUpdateOptions().sort(ORDER).returnDocument(ReturnDocument.AFTER);
        return _jobs.call(correlationId, operation, collection -> toJob(collection.findOneAndUpdate(
                and(which, leasable(now, lease.maxRetries())), update, options)));
    }

    private JobV1 update(String correlationId, String operation, Bson filter, Bson update) throws ApplicationException {
        FindOneAndUpdateOptions options = new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER);
        return _jobs.call(correlationId, operation, collection -> toJob(collection.findOneAndUpdate(filter, update, options)));
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
