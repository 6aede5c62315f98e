package org.servicejobs.services;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.jdkhttp.JdkHttpHandlerContainer;
import org.glassfish.jersey.process.Inflector;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.model.Resource;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.convert.JsonConverter;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.ConnectionException;
import org.pipservices3.commons.validate.Schema;
import org.pipservices3.commons.validate.ValidationException;
import org.pipservices3.components.connect.ConnectionParams;
import org.pipservices3.rpc.services.HttpEndpoint;
import org.pipservices3.rpc.services.HttpResponseSender;
import org.pipservices3.rpc.services.IRegisterable;
import org.servicejobs.config.ConfigOptions;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * An HTTP endpoint for Pip REST services (it is an HttpEndpoint to them), on Jersey and the JDK
 * HTTP server like Pip's, with what Pip's lacks:
 * <ul>
 * <li>it listens on the configured host only (Pip's listens on every interface);</li>
 * <li>HTTPS takes the PEM files of Pip's credential parameters: a PKCS#8 private key and a
 * certificate chain (Pip's endpoint used the key file's text as a keystore password);</li>
 * <li>requests run on virtual threads by default, so calls that wait (a long-polling
 * start_job_by_type) hold no platform thread; or on a fixed pool of platform threads;</li>
 * <li>it closes gracefully: it refuses new commands (503 <code>SHUTTING_DOWN</code>), waits until
 * the commands in flight have written their answers (up to <code>options.shutdown_timeout</code>),
 * then stops the server, letting open exchanges finish for up to a second. Pip's endpoint stops
 * the server with no delay, cutting answers still being sent.</li>
 * </ul>
 * Commands register themselves with {@link #enter()} and {@link #exit()}
 * (see {@link CommandableJsonHttpService}).
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>connection: protocol (http or https), host (default 0.0.0.0: every interface), port</li>
 * <li>credential (https): ssl_key_file (PKCS#8 PEM private key), ssl_crt_file (PEM certificate
 * chain), ssl_ca_file (optional, PEM certificates appended to the chain)</li>
 * <li>options:
 * <ul>
 * <li>shutdown_timeout: ms to wait for commands in flight on close (default 10000)</li>
 * <li>threads: 0 for a virtual thread per request (the default), or the size of a pool of
 * platform threads</li>
 * <li>backlog: the TCP accept backlog (default 1024)</li>
 * </ul></li>
 * </ul>
 * <p>
 * ### References ###
 * <ul>
 * <li>*:logger:*:*:1.0 (optional) ILogger components to pass log messages</li>
 * <li>*:counters:*:*:1.0 (optional) ICounters components to pass collected measurements</li>
 * <li>*:discovery:*:*:1.0 (optional) IDiscovery services to resolve the connection</li>
 * </ul>
 */
public class GracefulHttpEndpoint extends HttpEndpoint {
    public static final long DEFAULT_SHUTDOWN_TIMEOUT = 10_000;
    public static final int DEFAULT_BACKLOG = 1024;

    private final List<IRegisterable> _registrations = new ArrayList<>();
    private final AtomicInteger _inFlight = new AtomicInteger();
    private final Object _drained = new Object();
    private volatile boolean _draining;
    private long _shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private int _threads;
    private int _backlog = DEFAULT_BACKLOG;
    private ResourceConfig _resources;
    private JdkHttpHandlerContainer _container;
    private ExecutorService _executor;
    private volatile HttpServer _server;
    private String _url;

    @Override
    public void configure(ConfigParams config) throws ConfigException {
        super.configure(config);
        _shutdownTimeout = ConfigOptions.getLong(config, "options.shutdown_timeout", _shutdownTimeout, 0, Long.MAX_VALUE);
        _threads = ConfigOptions.getInt(config, "options.threads", _threads, 0, Integer.MAX_VALUE);
        _backlog = ConfigOptions.getInt(config, "options.backlog", _backlog, 0, Integer.MAX_VALUE);
        ConfigOptions.getInt(config, "connection.port", 0, 1, 65535);
        if (_shutdownTimeout < 0 || _threads < 0 || _backlog < 0)
            throw new ConfigException(null, "INVALID_ENDPOINT_OPTIONS",
                    "options.shutdown_timeout, options.threads and options.backlog must be 0 or more");
    }

    @Override
    public HttpServer getServer() {
        return _server;
    }

    @Override
    public boolean isOpen() {
        return _server != null;
    }

    @Override
    public void open(String correlationId) throws ApplicationException {
        if (isOpen())
            return;
        ConnectionParams connection = _connectionResolver.resolve(correlationId);
        String protocol = connection.getProtocolWithDefault("http");
        String host = connection.getHost();
        int port = connection.getPort();
        _url = protocol + "://" + host + ":" + port + "/";
        boolean https = "https".equalsIgnoreCase(protocol);
        if (!https && !"http".equalsIgnoreCase(protocol))
            throw new ConfigException(correlationId, "UNSUPPORTED_PROTOCOL",
                    "The HTTP endpoint speaks http or https, not " + protocol).withDetails("url", _url);
        try {
            _resources = new ResourceConfig();
            for (IRegisterable registration : new ArrayList<>(_registrations))
                registration.register();
            _container = ContainerFactory.createContainer(JdkHttpHandlerContainer.class, _resources);
            _executor = _threads == 0 ? Executors.newVirtualThreadPerTaskExecutor()
                    : Executors.newFixedThreadPool(_threads, Thread.ofPlatform().name("http-", 0).daemon().factory());
            InetSocketAddress address = new InetSocketAddress(host, port);
            HttpServer server;
            if (https) {
                HttpsServer secure = HttpsServer.create(address, _backlog);
                secure.setHttpsConfigurator(new HttpsConfigurator(PemSslContext.create(
                        connection.getAsNullableString("ssl_key_file"), connection.getAsNullableString("ssl_crt_file"),
                        connection.getAsNullableString("ssl_ca_file"))));
                server = secure;
            } else {
                server = HttpServer.create(address, _backlog);
            }
            server.createContext("/", _container);
            server.setExecutor(_executor);
            _container.getApplicationHandler().onStartup(_container);
            server.start();
            _server = server;
            _draining = false;
            _logger.info(correlationId, "Opened REST service at %s", _url);
        } catch (Exception ex) {
            release();
            throw new ConnectionException(correlationId, "CANNOT_CONNECT", "Opening HTTP endpoint failed: " + ex)
                    .withCause(ex).withDetails("url", _url);
        }
    }

    @Override
    public void close(String correlationId) {
        HttpServer server = _server;
        if (server == null)
            return;
        _draining = true;
        awaitDrained(correlationId);
        try {
            // Waits for the exchanges still open (the last bytes of an answer) for up to a
            // second, and returns as soon as there are none (Java 21 and later).
            server.stop(1);
            _container.getApplicationHandler().onShutdown(_container);
            _logger.info(correlationId, "Closed HTTP endpoint at %s", _url);
        } catch (Exception ex) {
            _logger.warn(correlationId, "Failed while closing HTTP endpoint: %s", ex);
        } finally {
            release();
        }
    }

    private void release() {
        _server = null;
        _container = null;
        _resources = null;
        if (_executor != null) {
            _executor.shutdown();
            try {
                _executor.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            _executor = null;
        }
    }

    private void awaitDrained(String correlationId) {
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(_shutdownTimeout);
            synchronized (_drained) {
                while (_inFlight.get() > 0) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        _logger.warn(correlationId, "Closing the HTTP endpoint with %d commands still in flight",
                                _inFlight.get());
                        return;
                    }
                    _drained.wait(left);
                }
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Registers a command in flight.
     *
     * @return false when the endpoint is closing: the command must be refused.
     */
    public boolean enter() {
        if (_draining)
            return false;
        _inFlight.incrementAndGet();
        if (_draining) {
            exit();
            return false;
        }
        return true;
    }

    /** Registers the end of a command that {@link #enter()} let in, once its answer is written. */
    public void exit() {
        if (_inFlight.decrementAndGet() == 0 && _draining) {
            synchronized (_drained) {
                _drained.notifyAll();
            }
        }
    }

    @Override
    public void register(IRegisterable registration) {
        _registrations.add(registration);
    }

    @Override
    public void unregister(IRegisterable registration) {
        _registrations.remove(registration);
    }

    @Override
    public void registerRoute(String method, String route, Inflector<ContainerRequestContext, Response> action) {
        if (_resources == null)
            return;
        Resource.Builder builder = Resource.builder(route.startsWith("/") ? route.substring(1) : route);
        builder.addMethod(method.toUpperCase()).handledBy(action);
        _resources.registerResources(builder.build());
    }

    @Override
    public void registerRoute(String method, String route, Schema schema,
                              Inflector<ContainerRequestContext, Response> action) {
        if (schema == null) {
            registerRoute(method, route, action);
            return;
        }
        registerRoute(method, route, new Inflector<ContainerRequestContext, Response>() {
            @Override
            public Response apply(ContainerRequestContext request) {
                try {
                    schema.validateAndThrowException(getCorrelationId(request), parameters(request), false);
                } catch (ValidationException ex) {
                    return HttpResponseSender.sendError(ex);
                }
                return action.apply(request);
            }
        });
    }

    @Override
    public void registerInterceptor(String route, Function<ContainerRequestContext, ?> action) {
        if (_resources == null)
            return;
        Pattern pattern = Pattern.compile(route.startsWith("/") ? route : "/" + route);
        _resources.register((ContainerRequestFilter) request -> {
            String path = request.getUriInfo().getPath(true);
            if (pattern.matcher(path.startsWith("/") ? path : "/" + path).find())
                action.apply(request);
        });
    }

    /** The body, path and query parameters of a request, for a schema; the body stays readable. */
    private static Map<String, Object> parameters(ContainerRequestContext request) {
        Map<String, Object> parameters = new HashMap<>();
        try {
            byte[] body = request.getEntityStream().readAllBytes();
            request.setEntityStream(new ByteArrayInputStream(body));
            parameters.put("body", JsonConverter.toMap(new String(body, StandardCharsets.UTF_8)));
        } catch (IOException ex) {
            parameters.put("body", null);
        }
        request.getUriInfo().getPathParameters().forEach((key, values) -> parameters.put(key, values.get(0)));
        request.getUriInfo().getQueryParameters().forEach((key, values) -> parameters.put(key, values.get(0)));
        return parameters;
    }
}
