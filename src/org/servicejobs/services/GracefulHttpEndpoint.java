package org.servicejobs.services;

import com.sun.net.httpserver.HttpServer;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.rpc.services.HttpEndpoint;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pip's HTTP endpoint, closed gracefully: on close it refuses new commands (503
 * <code>SHUTTING_DOWN</code>), waits until the commands in flight have written their answers
 * (up to <code>options.shutdown_timeout</code>), then stops the server, letting the exchanges
 * still open finish for up to a second. Pip's own endpoint stops the server with no delay, which
 * cuts the connections of answers still being sent.
 * <p>
 * Commands register themselves with {@link #enter()} and {@link #exit()}
 * (see {@link CommandableJsonHttpService}).
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>connection: protocol, host, port (as Pip's HttpEndpoint)</li>
 * <li>credential: ssl_key_file, ssl_crt_file, ssl_ca_file (as Pip's HttpEndpoint)</li>
 * <li>options.shutdown_timeout: ms to wait for commands in flight on close (default 10000)</li>
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

    private final AtomicInteger _inFlight = new AtomicInteger();
    private final Object _drained = new Object();
    private volatile boolean _draining;
    private volatile boolean _stopped;
    private long _shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

    @Override
    public void configure(ConfigParams config) throws ConfigException {
        super.configure(config);
        _shutdownTimeout = config.getAsLongWithDefault("options.shutdown_timeout", _shutdownTimeout);
        if (_shutdownTimeout < 0)
            throw new ConfigException(null, "INVALID_SHUTDOWN_TIMEOUT", "options.shutdown_timeout must be 0 or more");
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

    /** Registers the end of a command that {@link #enter()} let in. */
    public void exit() {
        if (_inFlight.decrementAndGet() == 0 && _draining) {
            synchronized (_drained) {
                _drained.notifyAll();
            }
        }
    }

    @Override
    public boolean isOpen() {
        return super.isOpen() && !_stopped;
    }

    @Override
    public void open(String correlationId) throws ApplicationException {
        super.open(correlationId);
        _stopped = false;
    }

    @Override
    public void close(String correlationId) {
        HttpServer server = getServer();
        if (server == null || _stopped)
            return;
        _draining = true;
        try {
            long deadline = System.nanoTime() + _shutdownTimeout * 1_000_000;
            synchronized (_drained) {
                while (_inFlight.get() > 0) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        _logger.warn(correlationId, "Closing the HTTP endpoint with %d commands still in flight",
                                _inFlight.get());
                        break;
                    }
                    _drained.wait(left);
                }
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        try {
            // Waits for the exchanges still open (the last bytes of an answer) for up to a
            // second, and returns as soon as there are none (Java 21 and later).
            server.stop(1);
            _logger.info(correlationId, "Closed HTTP endpoint at %s", server.getAddress());
        } catch (Exception ex) {
            _logger.warn(correlationId, "Failed while closing HTTP endpoint: %s", ex);
        }
        // Pip's close would stop the server a second time, and Jersey fails on that: this
        // endpoint counts as closed from now on, and open() starts a new server.
        _stopped = true;
        _draining = false;
    }
}
