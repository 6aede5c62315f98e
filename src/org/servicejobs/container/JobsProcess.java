package org.servicejobs.container;

import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.InvalidStateException;
import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.commons.refer.Referencer;
import org.pipservices3.commons.refer.IUnreferenceable;
import org.pipservices3.commons.run.IClosable;
import org.pipservices3.commons.run.Notifier;
import org.pipservices3.commons.run.Parameters;
import org.pipservices3.commons.run.Opener;
import org.pipservices3.components.log.CompositeLogger;
import org.pipservices3.container.ProcessContainer;
import org.pipservices3.container.config.ContainerConfig;
import org.pipservices3.container.refer.ContainerReferences;
import org.pipservices3.rpc.build.DefaultRpcFactory;
import org.pipservices3.rpc.services.HttpEndpoint;
import org.servicejobs.build.JobsServiceFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The jobs service as a process: reads <code>./config/config.yml</code> (or the file given with
 * <code>-c</code>), with parameters from <code>-p KEY=VALUE</code>, system properties and the
 * environment (the environment wins), opens every component and runs until it is stopped.
 * <p>
 * It opens the HTTP endpoints last, so no request arrives before the stores are ready (Pip's
 * container opens components in an order of its own).
 * <p>
 * On SIGTERM or Ctrl-C it stops cleanly, which Pip's ProcessContainer does not do (its close
 * never runs, and Container.close unsets references before closing them): every component that
 * is INotifiable is notified of the stop (the controller ends its long-polls), the HTTP endpoints
 * stop and answer the requests in flight, then
 * every other component closes, in the reverse order of their creation, each even when
 * another fails.
 * <p>
 * The same class embeds the whole service in another Java process: {@link #start} opens it
 * from a configuration file, {@link #close} stops it.
 */
public class JobsProcess extends ProcessContainer {
    private static final String DEFAULT_CONFIG_PATH = "./config/config.yml";

    public JobsProcess() {
        super("service-jobs", "Jobs microservice");
        addFactory(new JobsServiceFactory());
        addFactory(new DefaultRpcFactory());
    }

    public static void main(String[] args) {
        try {
            new JobsProcess().run(args);
        } catch (Exception ex) {
            System.err.println("service-jobs failed to start: " + describe(ex));
            System.exit(1);
        }
    }

    /**
     * Checks the parameters, reads a configuration and opens every component.
     *
     * @param configPath the config.yml to read.
     * @param parameters values for its templates (for example HTTP_PORT).
     * @throws ConfigException for a parameter that cannot work (see {@link JobsParameters}).
     */
    public void start(String correlationId, String configPath, ConfigParams parameters) throws ApplicationException {
        readConfigFromFile(correlationId, configPath, JobsParameters.check(correlationId, parameters));
        open(correlationId);
    }

    @Override
    public void run(String[] args) throws Exception {
        if (List.of(args).contains("-h") || List.of(args).contains("--help")) {
            System.out.println("service-jobs [-h] [-c <config file>] [-p <param>=<value>]*");
            return;
        }
        String correlationId = _info.getName();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                close(correlationId);
            } catch (Exception ex) {
                _logger.error(correlationId, ex, "Failed to stop the container");
            } finally {
                stopped.countDown();
            }
        }, "service-jobs-shutdown"));
        start(correlationId, configPath(args), parameters(args));
        _logger.info(correlationId, "Press Control-C to stop the microservice...");
        stopped.await();
    }

    @Override
    public void open(String correlationId) throws ApplicationException {
        if (_references != null)
            throw new InvalidStateException(correlationId, "ALREADY_OPENED", "Container was already opened");
        ContainerReferences references = new ContainerReferences();
        references.put(new Descriptor("pip-services", "context-info", "default", "default", "1.0"), _info);
        references.put(new Descriptor("pip-services", "factory", "container", "default", "1.0"), _factories);
        _references = references;
        try {
            // Pip's reader does not keep the order of the file: components made by type (which
            // may be factories of the others) go first.
            ContainerConfig ordered = new ContainerConfig();
            _config.stream().filter(component -> component.getType() != null).forEach(ordered::add);
            _config.stream().filter(component -> component.getType() == null).forEach(ordered::add);
            references.putFromConfig(ordered);
            List<Object> components = references.getAll();
            Referencer.setReferences(references, components);
            for (Object component : components) {
                if (!(component instanceof HttpEndpoint))
                    Opener.openOne(correlationId, component);
            }
            for (Object component : components) {
                if (component instanceof HttpEndpoint)
                    Opener.openOne(correlationId, component);
            }
        } catch (ApplicationException | RuntimeException ex) {
            close(correlationId);
            throw configErrorIn(ex);
        }
        _logger = new CompositeLogger(references);
        _logger.info(correlationId, "Container %s started", _info.getName());
    }

    @Override
    public void close(String correlationId) throws ApplicationException {
        if (_references == null)
            return;
        List<Object> components = new ArrayList<>(_references.getAll());
        _references = null;
        _logger.info(correlationId, "Stopping container %s", _info.getName());

        // Components that hold calls open (long-polls) are told first, so the endpoints do not wait for them.
        try {
            Notifier.notify(correlationId, components, new Parameters());
        } catch (Exception ex) {
            _logger.warn(correlationId, "Failed to notify the components of the stop: %s", ex);
        }
        for (Object component : components) {
            if (component instanceof HttpEndpoint)
                closeQuietly(correlationId, component);
        }
        Collections.reverse(components);
        for (Object component : components) {
            if (!(component instanceof HttpEndpoint))
                closeQuietly(correlationId, component);
        }
        for (Object component : components) {
            if (component instanceof IUnreferenceable unreferenceable) {
                try {
                    unreferenceable.unsetReferences();
                } catch (Exception ex) {
                    _logger.warn(correlationId, "Failed to unset references of %s: %s", component, ex);
                }
            }
        }
        _logger.info(correlationId, "Container %s stopped", _info.getName());
    }

    private void closeQuietly(String correlationId, Object component) {
        if (!(component instanceof IClosable closable))
            return;
        try {
            closable.close(correlationId);
        } catch (Exception ex) {
            _logger.error(correlationId, ex, "Failed to close %s", component.getClass().getSimpleName());
        }
    }

    private static String configPath(String[] args) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("-c") || args[i].equals("--config"))
                return args[i + 1];
        }
        return DEFAULT_CONFIG_PATH;
    }

    /** Parameters: <code>-p</code> values, then system properties, then the environment. */
    private static ConfigParams parameters(String[] args) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("-p") || args[i].equals("--param") || args[i].equals("--params")) {
                if (line.length() > 0)
                    line.append(';');
                line.append(args[++i]);
            }
        }
        ConfigParams parameters = ConfigParams.fromString(line.toString());
        System.getProperties().forEach((key, value) -> parameters.put(key.toString(), value.toString()));
        parameters.putAll(System.getenv());
        return parameters;
    }

    /**
     * The ConfigException a component threw while the container made it (Pip wraps it in a
     * ReferenceException that names the descriptor), so the error says what is wrong first; any
     * other error as it is.
     */
    private static ApplicationException configErrorIn(Exception ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConfigException config)
                return config;
        }
        if (ex instanceof ApplicationException app)
            return app;
        throw (RuntimeException) ex;
    }

    /** The messages of an error and its causes, each said once. */
    private static String describe(Throwable ex) {
        StringBuilder text = new StringBuilder(String.valueOf(ex.getMessage()));
        for (Throwable cause = ex.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && !text.toString().contains(message))
                text.append(": ").append(message);
        }
        return text.toString();
    }
}
