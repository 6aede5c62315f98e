package org.servicejobs.persistence;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.pipservices3.commons.config.ConfigParams;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The MongoDB the tests use: the server at MONGO_SERVICE_URI when it is set, else an in-process
 * MongoDB wire-protocol server (mongo-java-server, in memory) started here. Each call of
 * {@link #config} names a new database, so tests do not see each other's jobs.
 */
public final class MongoTestServer implements AutoCloseable {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final MongoServer server;
    private final String base;

    public MongoTestServer() {
        String uri = System.getenv("MONGO_SERVICE_URI");
        if (uri != null && !uri.isBlank()) {
            server = null;
            base = uri.replaceAll("/[^/?]*(\\?.*)?$", "");
        } else {
            server = new MongoServer(new MemoryBackend());
            InetSocketAddress address = server.bind();
            base = "mongodb://127.0.0.1:" + address.getPort();
        }
    }

    /** Whether the tests run against a real MongoDB (MONGO_SERVICE_URI). */
    public boolean isReal() {
        return server == null;
    }

    /** The configuration of a JobsMongoDbPersistence on a new database of this server. */
    public ConfigParams config() {
        String database = "jobs_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        return ConfigParams.fromTuples("connection.uri", base + "/" + database, "collection", "jobs");
    }

    @Override
    public void close() {
        if (server != null)
            server.shutdownNow();
    }
}
