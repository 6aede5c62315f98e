package org.servicejobs.persistence;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import com.mongodb.MongoClient;
import com.mongodb.MongoClientURI;
import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.pipservices3.commons.config.ConfigParams;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobV1;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The persistence contract on MongoDB: an in-process wire-protocol server, or the server at
 * MONGO_SERVICE_URI when it is set; and what is particular to the MongoDB store.
 */
class JobsMongoDbPersistenceTest extends JobsPersistenceFixture {
    @RegisterExtension
    static final MongoTestServer mongo = new MongoTestServer();

    private String databaseUri;
    private final List<JobsMongoDbPersistence> instances = new ArrayList<>();

    @Override
    protected IJobsPersistence newPersistence() throws Exception {
        databaseUri = mongo.newDatabaseUri();
        return MongoTestServer.storeOn(databaseUri);
    }

    /** A second instance on the same database, opened; closed after the test. */
    @Override
    public IJobsPersistence reopen() throws Exception {
        JobsMongoDbPersistence other = MongoTestServer.storeOn(databaseUri);
        other.open(CID);
        instances.add(other);
        return other;
    }

    @AfterEach
    void closeInstances() throws Exception {
        for (JobsMongoDbPersistence other : instances)
            other.close(CID);
        instances.clear();
    }

    /** The in-process server scans every query: fewer jobs keep the test short. */
    @Override
    protected int concurrentJobCount() {
        return 2_000;
    }

    /**
     * Leasing by type is served by the index {type, priority: -1, order_at, _id}: a server that can
     * explain shows it in the winning plan; one that cannot (the in-process test server) must at
     * least hold the index, and the unique index of add_uniq_job.
     */
    @Test
    void leaseByTypeIsServedByAnIndex() {
        String uri = mongo.newDatabaseUri();
        persistenceOn(uri);
        try (MongoClient client = new MongoClient(new MongoClientURI(uri))) {
            MongoDatabase database = client.getDatabase(new MongoClientURI(uri).getDatabase());
            Document explain = new Document("explain", new Document("find", "jobs")
                    .append("filter", new Document("type", "email").append("order_at",
                            new Document("$lte", new Date())))
                    .append("sort", new Document("priority", -1).append("order_at", 1).append("_id", 1)))
                    .append("verbosity", "queryPlanner");
            Document plan;
            try {
                plan = database.runCommand(explain);
            } catch (MongoCommandException ex) {
                plan = null;
            }
            if (plan != null && plan.containsKey("queryPlanner")) {
                String winning = plan.get("queryPlanner", Document.class).get("winningPlan", Document.class).toJson();
                assertTrue(winning.contains("type_lease_order"), winning);
            } else {
                Map<String, Document> indexes = new HashMap<>();
                for (Document index : database.getCollection("jobs").listIndexes())
                    indexes.put(index.getString("name"), index);
                Document lease = indexes.get("type_lease_order");
                assertNotNull(lease, indexes.keySet().toString());
                Document keys = lease.get("key", Document.class);
                assertEquals(List.of("type", "priority", "order_at", "_id"), new ArrayList<>(keys.keySet()));
                assertEquals(-1, keys.get("priority", Number.class).intValue(), "the highest priority first");
                Document unique = indexes.get("uniq_key");
                assertNotNull(unique, indexes.keySet().toString());
                assertEquals(Boolean.TRUE, unique.getBoolean("unique"));
            }
        }
    }

    /** Opens (and so indexes) a store on a database, then closes it. */
    private static void persistenceOn(String uri) {
        try {
            JobsMongoDbPersistence store = MongoTestServer.storeOn(uri);
            store.open(null);
            store.close(null);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * The lease index's range holds only jobs that may still be leased: a completed, failed or
     * cancelled job, one on its last attempt, and one whose ttl passed (after a cleaner run) have
     * no order_at, so that a lease by type never scans them; a retried job gets it back.
     */
    @Test
    void jobsThatCannotBeLeasedLeaveTheLeaseIndex() throws Exception {
        JobMoment at = new JobMoment(TestData.at(100_000), 3);
        JobV1 completed = persistence.create(CID, TestData.job("range", "completed", TestData.at(1_000)));
        JobV1 failed = persistence.create(CID, TestData.job("range", "failed", TestData.at(2_000)));
        JobV1 cancelled = persistence.create(CID, TestData.job("range", "cancelled", TestData.at(3_000)));
        JobV1 last = TestData.job("range", "last", TestData.at(4_000));
        last.setMaxRetries(1);
        last = persistence.create(CID, last);
        JobV1 expired = TestData.job("range", "expired", TestData.at(5_000));
        expired.setExecuteUntil(TestData.at(50_000));
        expired = persistence.create(CID, expired);
        JobV1 waiting = persistence.create(CID, TestData.job("range", "waiting", TestData.at(6_000)));
        for (JobV1 job : List.of(completed, failed, cancelled, last, expired, waiting))
            assertTrue(orderAt(job).containsKey("order_at"), "a new job is in the range: " + job.getRefId());

        assertNotNull(persistence.startJobById(CID, completed.getId(), new JobLease(at.now(), TestData.at(200_000), 3, "c")));
        assertNotNull(persistence.completeJob(CID, completed.getId(), "c", TestData.at(100_001), null));
        assertNotNull(persistence.startJobById(CID, failed.getId(), new JobLease(at.now(), TestData.at(200_000), 3, "f")));
        assertNotNull(persistence.failJob(CID, failed.getId(), "f", TestData.at(100_001), "broken"));
        assertNotNull(persistence.cancelJob(CID, cancelled.getId(), at));
        assertNotNull(persistence.startJobById(CID, last.getId(), new JobLease(at.now(), TestData.at(200_000), 3, "l")));
        persistence.cleanJobs(CID, at, TestData.at(0), TestData.at(0));
        for (JobV1 job : List.of(completed, failed, cancelled, last, expired))
            assertFalse(orderAt(job).containsKey("order_at"), "out of the range: " + job.getRefId());
        assertTrue(orderAt(waiting).containsKey("order_at"), "a waiting job stays in the range");

        assertNotNull(persistence.retryJob(CID, failed.getId(), at));
        assertNotNull(persistence.retryJob(CID, expired.getId(), at));
        assertTrue(orderAt(failed).containsKey("order_at"), "a retried job is in the range again");
        assertTrue(orderAt(expired).containsKey("order_at"), "a retried job is in the range again");
        assertEquals(Set.of(failed.getId(), expired.getId(), waiting.getId()), Set.of(
                persistence.startJobByType(CID, "range", new JobLease(at.now(), TestData.at(200_000), 3, "a")).getId(),
                persistence.startJobByType(CID, "range", new JobLease(at.now(), TestData.at(200_000), 3, "b")).getId(),
                persistence.startJobByType(CID, "range", new JobLease(at.now(), TestData.at(200_000), 3, "c")).getId()));
    }

    private Document orderAt(JobV1 job) {
        try (MongoClient client = new MongoClient(new MongoClientURI(databaseUri))) {
            Document document = client.getDatabase(new MongoClientURI(databaseUri).getDatabase()).getCollection("jobs")
                    .find(new Document("_id", job.getId())).first();
            assertNotNull(document, job.getRefId());
            return document;
        }
    }

    @Test
    void clientOptionsAreAddedToTheConnection() {
        ConfigParams withUri = JobsMongoDbCollection.withClientOptions(
                ConfigParams.fromTuples("connection.uri", "mongodb://db:27999/jobs?w=majority&maxIdleTimeMS=500"));
        String uri = withUri.getAsString("connection.uri");
        assertTrue(uri.startsWith("mongodb://db:27999/jobs?w=majority&maxIdleTimeMS=500&"), uri);
        assertTrue(uri.contains("maxLifeTimeMS=0"), uri);
        assertFalse(uri.contains("maxIdleTimeMS=0"), uri);

        ConfigParams withHost = JobsMongoDbCollection.withClientOptions(
                ConfigParams.fromTuples("connection.host", "db", "connection.port", 27999, "connection.database", "jobs"));
        assertEquals("0", withHost.getAsString("connection.maxIdleTimeMS"));
        assertEquals("0", withHost.getAsString("connection.maxLifeTimeMS"));
    }
}
