package org.servicejobs.persistence;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import com.mongodb.MongoClient;
import com.mongodb.MongoClientURI;
import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoDatabase;
import org.bson.Document;
import org.pipservices3.commons.config.ConfigParams;

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
 * MONGO_SERVICE_URI when it is set; and what is particular to the MongoDB store.
 */
class JobsMongoDbPersistenceTest extends JobsPersistenceFixture {
    @RegisterExtension
    static final MongoTestServer mongo = new MongoTestServer();

    @Override
    protected IJobsPersistence newPersistence() throws Exception {
        return mongo.newStore();
    }

    /** The in-process server scans every query: fewer jobs keep the test short. */
    @Override
    protected int concurrentJobCount() {
        return 2_000;
    }

    /**
     * Leasing by type is served by the index {type, completed, created, _id}: a server that can
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
        try {
            JobsMongoDbPersistence store = MongoTestServer.storeOn(uri);
            store.open(null);
            store.close(null);
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
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
