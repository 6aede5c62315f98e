package org.servicejobs.persistence;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexModel;
import org.bson.Document;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.ConnectionException;
import org.pipservices3.commons.errors.InvalidStateException;
import org.pipservices3.commons.refer.DependencyResolver;
import org.pipservices3.commons.refer.IReferences;
import org.pipservices3.commons.refer.ReferenceException;
import org.pipservices3.components.log.ILogger;
import org.pipservices3.mongodb.connect.MongoDbConnection;
import org.servicejobs.config.ConfigOptions;

import java.util.List;
import java.util.Locale;

/**
 * The MongoDB collections of the jobs store (the jobs, and the paused types beside them): their
 * connection (a shared Pip MongoDbConnection, or one of its own), their indexes (created on
 * open), and every call on them, whose failures become Pip errors. It lifts the client's idle and life time limits (1 ms and 100 ms from the Pip option
 * defaults) through the connection URI.
 */
final class JobsMongoDbCollection {
    static final String DEFAULT_NAME = "jobs";
    /** The collection of the paused types (one document per type, its _id) is named after the jobs'. */
    static final String PAUSED_SUFFIX = "_paused";
    /** Client options put in the connection URI unless it has them. */
    static final ConfigParams CLIENT_OPTIONS = ConfigParams.fromTuples(
            "maxIdleTimeMS", 0, "maxLifeTimeMS", 0, "connectTimeoutMS", 5000, "socketTimeoutMS", 30000,
            "serverSelectionTimeoutMS", 10000);

    /** One call on the collection. */
    @FunctionalInterface
    interface Call<T> {
        T run(MongoCollection<Document> collection);
    }

    private final List<IndexModel> _indexes;
    private final ILogger _logger;
    private final DependencyResolver _dependencyResolver = new DependencyResolver(
            ConfigParams.fromTuples("dependencies.connection", "*:connection:mongodb:*:1.0"));
    private ConfigParams _config = new ConfigParams();
    private IReferences _references;
    private String _name = DEFAULT_NAME;
    private MongoDbConnection _connection;
    private boolean _localConnection;
    private volatile MongoCollection<Document> _collection;
    private volatile MongoCollection<Document> _pausedCollection;

    JobsMongoDbCollection(List<IndexModel> indexes, ILogger logger) {
        _indexes = indexes;
        _logger = logger;
    }

    void configure(ConfigParams config) throws ConfigException {
        ConfigOptions.getInt(config, "connection.port", 0, 1, 65535);
        _config = withClientOptions(config);
        _dependencyResolver.configure(config);
        _name = config.getAsStringWithDefault("collection", _name);
    }

    void setReferences(IReferences references) throws ReferenceException, ConfigException {
        _references = references;
        _dependencyResolver.setReferences(references);
        _connection = _dependencyResolver.getOneOptional(MongoDbConnection.class, "connection");
        _localConnection = _connection == null;
        if (_localConnection)
            _connection = localConnection();
    }

    void unsetReferences() {
        _connection = null;
    }

    boolean isOpen() {
        return _collection != null;
    }

    void open(String correlationId) throws ApplicationException {
        if (isOpen())
            return;
        if (_connection == null) {
            _connection = localConnection();
            _localConnection = true;
        }
        if (_localConnection)
            _connection.open(correlationId);
        try {
            MongoCollection<Document> collection = _connection.getDatabase().getCollection(_name);
            for (IndexModel index : _indexes)
                collection.createIndex(index.getKeys(), index.getOptions());
            _pausedCollection = _connection.getDatabase().getCollection(_name + PAUSED_SUFFIX);
            _collection = collection;
        } catch (MongoException ex) {
            if (_localConnection)
                _connection.close(correlationId);
            throw new ConnectionException(correlationId, "CONNECT_FAILED",
                    "Cannot open the MongoDB collection " + _name + ": " + ex.getMessage()).withCause(ex);
        }
        _logger.info(correlationId, "Opened the MongoDB store: database %s, collection %s",
                _connection.getDatabaseName(), _name);
    }

    void close(String correlationId) throws ApplicationException {
        if (!isOpen())
            return;
        _collection = null;
        _pausedCollection = null;
        if (_localConnection)
            _connection.close(correlationId);
    }

    /** Runs a call on the open collection, its failures as Pip errors. */
    <T> T call(String correlationId, String operation, Call<T> call) throws ApplicationException {
        return call(correlationId, operation, _collection, call);
    }

    /** Runs a call on the collection of the paused types. */
    <T> T callPaused(String correlationId, String operation, Call<T> call) throws ApplicationException {
        return call(correlationId, operation, _pausedCollection, call);
    }

    private <T> T call(String correlationId, String operation, MongoCollection<Document> collection, Call<T> call)
            throws ApplicationException {
        if (collection == null)
            throw new InvalidStateException(correlationId, "NOT_OPENED", "The MongoDB store is not open");
        try {
            return call.run(collection);
        } catch (MongoException ex) {
            throw new ConnectionException(correlationId, "MONGODB_FAILED",
                    "MongoDB failed in " + operation + ": " + ex.getMessage()).withCause(ex);
        }
    }

    private MongoDbConnection localConnection() throws ConfigException, ReferenceException {
        MongoDbConnection connection = new MongoDbConnection();
        connection.configure(_config);
        if (_references != null)
            connection.setReferences(_references);
        return connection;
    }

    /** The config with the client options added to the connection URI or parameters. */
    static ConfigParams withClientOptions(ConfigParams config) {
        ConfigParams result = new ConfigParams(config);
        String uri = config.getAsNullableString("connection.uri");
        for (String key : CLIENT_OPTIONS.keySet()) {
            String value = CLIENT_OPTIONS.getAsString(key);
            if (uri != null) {
                if (!uri.toLowerCase(Locale.ROOT).contains(key.toLowerCase(Locale.ROOT) + "="))
                    uri += (uri.contains("?") ? "&" : uri.matches("mongodb(\\+srv)?://[^/]*") ? "/?" : "?") + key + "=" + value;
            } else if (!config.containsKey("connection." + key)) {
                result.put("connection." + key, value);
            }
        }
        if (uri != null)
            result.put("connection.uri", uri);
        return result;
    }
}
