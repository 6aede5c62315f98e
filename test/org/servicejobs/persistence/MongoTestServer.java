package org.servicejobs.persistence;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.refer.References;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The MongoDB of the tests, as a JUnit extension: the server at MONGO_SERVICE_URI when it is
 * set, else an in-process MongoDB wire-protocol server (mongo-java-server, in memory) that the
 * extension starts before the test class and stops after it.
 * <pre>{@code
 * @RegisterExtension
 * static final MongoTestServer mongo = new MongoTestServer();
 * }</pre>
 * Each {@link #config} names a new database, so tests do not see each other's jobs.
 */
public final class MongoTestServer implements BeforeAllCallback, AfterAllCallback {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private MongoServer _server;
    private String _base;

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    /** Starts the server (the extension does it before the test class). */
    public synchronized void start() {
        if (_base != null)
            return;
        String uri = System.getenv("MONGO_SERVICE_URI");
        if (uri != null && !uri.isBlank()) {
            _base = uri.replaceAll("/[^/?]*(\\?.*)?$", "");
        } else {
            _server = new MongoServer(new MemoryBackend());
            InetSocketAddress address = _server.bind();
            _base = "mongodb://127.0.0.1:" + address.getPort();
        }
    }

    public synchronized void stop() {
        if (_server != null)
            _server.shutdownNow();
        _server = null;
        _base = null;
    }

    /** Whether the tests run against a real MongoDB (MONGO_SERVICE_URI). */
    public boolean isReal() {
        return _base != null && _server == null;
    }

    /** The configuration of a JobsMongoDbPersistence on a new database of this server. */
    public ConfigParams config() {
        return configOf(newDatabaseUri());
    }

    /** The URI of a new database on this server. */
    public String newDatabaseUri() {
        if (_base == null)
            throw new IllegalStateException("the MongoDB test server is not started");
        return _base + "/jobs_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    }

    /** The configuration of a JobsMongoDbPersistence on a database. */
    public static ConfigParams configOf(String databaseUri) {
        return ConfigParams.fromTuples("connection.uri", databaseUri, "collection", "jobs");
    }

    /** A store on a new database, configured and referenced, not opened. */
    public JobsMongoDbPersistence newStore() throws ApplicationException {
        return storeOn(newDatabaseUri());
    }

    /** A store on a database, configured and referenced, not opened. */
    public static JobsMongoDbPersistence storeOn(String databaseUri) throws ApplicationException {
        JobsMongoDbPersistence store = new JobsMongoDbPersistence();
        store.configure(configOf(databaseUri));
        store.setReferences(new References());
        return store;
    }
}
