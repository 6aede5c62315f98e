package org.servicejobs.persistence;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import com.mongodb.MongoClient;
import com.mongodb.MongoClientURI;
import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.refer.References;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The persistence contract on MongoDB: an in-process wire-protocol server, or the server at
 * MONGO_SERVICE_URI when it is set.
 */
class JobsMongoDbPersistenceTest {
    private static MongoTestServer mongo;
    private JobsMongoDbPersistence persistence;
    private JobsPersistenceFixture fixture;

    @BeforeAll
    static void startServer() {
        mongo = new MongoTestServer();
    }

    @AfterAll
    static void stopServer() {
        mongo.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        persistence = new JobsMongoDbPersistence();
        persistence.configure(mongo.config());
        persistence.setReferences(new References());
        persistence.open(null);
        fixture = new JobsPersistenceFixture(persistence);
    }

    @AfterEach
    void tearDown() throws Exception {
        persistence.deleteAll(null);
        persistence.close(null);
    }

    @Test void crudOperations() throws Exception { fixture.testCrudOperations(); }
    @Test void paramsAndDates() throws Exception { fixture.testParamsAndDates(); }
    @Test void paramsNumberTypes() throws Exception { fixture.testParamsNumberTypes(); }
    @Test void filterByIdTypeAndRefId() throws Exception { fixture.testFilterByIdTypeAndRefId(); }
    @Test void filterByCreated() throws Exception { fixture.testFilterByCreated(); }
    @Test void filterByStarted() throws Exception { fixture.testFilterByStarted(); }
    @Test void filterByLockedUntil() throws Exception { fixture.testFilterByLockedUntil(); }
    @Test void filterByExecuteUntil() throws Exception { fixture.testFilterByExecuteUntil(); }
    @Test void filterByCompleted() throws Exception { fixture.testFilterByCompleted(); }
    @Test void filterByRetries() throws Exception { fixture.testFilterByRetries(); }
    @Test void filterCombinesCriteria() throws Exception { fixture.testFilterCombinesCriteria(); }
    @Test void filterRejectsBadKeysAndValues() throws Exception { fixture.testFilterRejectsBadKeysAndValues(); }
    @Test void pageOrder() throws Exception { fixture.testPageOrder(); }
    @Test void paging() throws Exception { fixture.testPaging(); }
    @Test void startJobByTypeLeasesOldestFreeJob() throws Exception { fixture.testStartJobByTypeLeasesOldestFreeJob(); }
    @Test void startJobByTypeSkipsJobsThatAreNotFree() throws Exception { fixture.testStartJobByTypeSkipsJobsThatAreNotFree(); }
    @Test void startJobByTypeAfterLockExpires() throws Exception { fixture.testStartJobByTypeAfterLockExpires(); }
    @Test void startJobByTypeStopsAtMaxRetries() throws Exception { fixture.testStartJobByTypeStopsAtMaxRetries(); }
    @Test void startJobByTypeUsesTheMaxRetriesOfEachLease() throws Exception { fixture.testStartJobByTypeUsesTheMaxRetriesOfEachLease(); }
    @Test void startJobByTypeUsesTheTimeOfEachLease() throws Exception { fixture.testStartJobByTypeUsesTheTimeOfEachLease(); }
    @Test void startJobById() throws Exception { fixture.testStartJobById(); }
    @Test void extendJob() throws Exception { fixture.testExtendJob(); }
    @Test void abortJob() throws Exception { fixture.testAbortJob(); }
    @Test void completeJob() throws Exception { fixture.testCompleteJob(); }
    @Test void staleLockTokenChangesNothing() throws Exception { fixture.testStaleLockTokenChangesNothing(); }
    @Test void createUnique() throws Exception { fixture.testCreateUnique(); }
    @Test void cleanJobs() throws Exception { fixture.testCleanJobs(); }
    @Test void stats() throws Exception { fixture.testStats(); }
    @Test void concurrentLeasing() throws Exception { fixture.testConcurrentLeasing(2_000); }
    @Test void concurrentCreateUnique() throws Exception { fixture.testConcurrentCreateUnique(); }

    /**
     * Leasing by type is served by the index {type, completed, created, _id}: a server that can
     * explain shows it in the winning plan; one that cannot (the in-process test server) must at
     * least hold the index, and the unique index of add_uniq_job.
     */
    @Test
    void leaseByTypeIsServedByAnIndex() {
        ConfigParams config = mongo.config();
        String uri = config.getAsString("connection.uri");
        persistenceOn(uri);
        try (MongoClient client = new MongoClient(new MongoClientURI(uri))) {
            MongoDatabase database = client.getDatabase(new MongoClientURI(uri).getDatabase());
            Document explain = new Document("explain", new Document("find", "jobs")
                    .append("filter", new Document("type", "email").append("completed", null))
                    .append("sort", new Document("created", 1).append("_id", 1)))
                    .append("verbosity", "queryPlanner");
            Document plan;
            try {
                plan = database.runCommand(explain);
            } catch (MongoCommandException ex) {
                plan = null;
            }
            if (plan != null && plan.containsKey("queryPlanner")) {
                String winning = plan.get("queryPlanner", Document.class).get("winningPlan", Document.class).toJson();
                assertTrue(winning.contains("type_free_order"), winning);
            } else {
                Map<String, Document> indexes = new HashMap<>();
                for (Document index : database.getCollection("jobs").listIndexes())
                    indexes.put(index.getString("name"), index);
                Document lease = indexes.get("type_free_order");
                assertNotNull(lease, indexes.keySet().toString());
                assertEquals(List.of("type", "completed", "created", "_id"), new ArrayList<>(lease.get("key", Document.class).keySet()));
                Document unique = indexes.get("uniq_key");
                assertNotNull(unique, indexes.keySet().toString());
                assertEquals(Boolean.TRUE, unique.getBoolean("unique"));
            }
        }
    }

    /** Opens (and so indexes) a store on a database, then closes it. */
    private static void persistenceOn(String uri) {
        JobsMongoDbPersistence store = new JobsMongoDbPersistence();
        try {
            store.configure(ConfigParams.fromTuples("connection.uri", uri));
            store.setReferences(new References());
            store.open(null);
            store.close(null);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void clientOptionsAreAddedToTheConnection() {
        ConfigParams withUri = JobsMongoDbPersistence.withClientOptions(
                ConfigParams.fromTuples("connection.uri", "mongodb://db:27999/jobs?w=majority&maxIdleTimeMS=500"));
        String uri = withUri.getAsString("connection.uri");
        assertTrue(uri.startsWith("mongodb://db:27999/jobs?w=majority&maxIdleTimeMS=500&"), uri);
        assertTrue(uri.contains("maxLifeTimeMS=0"), uri);
        assertFalse(uri.contains("maxIdleTimeMS=0"), uri);

        ConfigParams withHost = JobsMongoDbPersistence.withClientOptions(
                ConfigParams.fromTuples("connection.host", "db", "connection.port", 27999, "connection.database", "jobs"));
        assertEquals("0", withHost.getAsString("connection.maxIdleTimeMS"));
        assertEquals("0", withHost.getAsString("connection.maxLifeTimeMS"));
    }
}
