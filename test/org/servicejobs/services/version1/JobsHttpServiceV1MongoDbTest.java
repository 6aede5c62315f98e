package org.servicejobs.services.version1;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.MongoTestServer;

/**
 * The HTTP protocol v1 on the MongoDB store: an in-process wire-protocol server, or the server at
 * MONGO_SERVICE_URI when it is set.
 */
class JobsHttpServiceV1MongoDbTest extends JobsHttpServiceV1Test {
    @RegisterExtension
    static final MongoTestServer mongo = new MongoTestServer();

    @Override
    protected IJobsPersistence newStore() throws Exception {
        return mongo.newStore();
    }
}
