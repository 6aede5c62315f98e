package org.servicejobs.services.version1;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobsMongoDbPersistence;
import org.servicejobs.persistence.MongoTestServer;

/**
 * The HTTP protocol v1 on the MongoDB store: an in-process wire-protocol server, or the server at
 * MONGO_SERVICE_URI when it is set.
 */
class JobsHttpServiceV1MongoDbTest extends JobsHttpServiceV1Test {
    private static MongoTestServer mongo;

    @BeforeAll
    static void startServer() {
        mongo = new MongoTestServer();
    }

    @AfterAll
    static void stopServer() {
        mongo.close();
    }

    @Override
    protected IJobsPersistence newStore() throws Exception {
        JobsMongoDbPersistence store = new JobsMongoDbPersistence();
        store.configure(mongo.config());
        return store;
    }
}
