package org.servicejobs;

import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.config.IConfigurable;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.commons.refer.References;
import org.pipservices3.commons.refer.Referencer;
import org.pipservices3.commons.run.Closer;
import org.pipservices3.commons.run.Opener;
import org.servicejobs.logic.JobsController;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.services.GracefulHttpEndpoint;
import org.servicejobs.services.version1.JobsHttpServiceV1;

import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The service wired by hand for a test, as the process container would wire it: a store, the
 * controller (no cleaner unless asked), and with {@link #http} the graceful endpoint on a free
 * loopback port with the HTTP service v1; more components with {@link #with}. {@link #open}
 * opens them in order, {@link #close} closes them in reverse.
 * <pre>{@code
 * try (TestService service = TestService.on(new JobsMemoryPersistence()).clock(clock).http().open()) {
 *     ... service.uri("v1/jobs/get_jobs") ...
 * }
 * }</pre>
 */
public final class TestService implements AutoCloseable {
    private final IJobsPersistence _store;
    private Clock _clock = Clock.systemUTC();
    private ConfigParams _controllerConfig = ConfigParams.fromTuples("options.clean_interval", 0);
    private ConfigParams _serviceConfig;
    private ConfigParams _endpointConfig = new ConfigParams();
    private final List<Object> _extraDescriptors = new ArrayList<>();
    private final List<Object> _extraComponents = new ArrayList<>();
    private JobsController _controller;
    private GracefulHttpEndpoint _endpoint;
    private JobsHttpServiceV1 _service;
    private int _port;
    private References _references;
    private List<Object> _components = List.of();

    private TestService(IJobsPersistence store) {
        _store = store;
    }

    /** A service on a store (configured, not yet opened). */
    public static TestService on(IJobsPersistence store) {
        return new TestService(store);
    }

    /** The controller's clock (default the system clock). */
    public TestService clock(Clock clock) {
        _clock = clock;
        return this;
    }

    /** Options of the controller, as name, value pairs, over the test default (no cleaner). */
    public TestService controller(Object... options) {
        _controllerConfig = _controllerConfig.override(ConfigParams.fromTuples(options));
        return this;
    }

    /** The endpoint on a free port (chosen now) and the HTTP service v1, with these service options. */
    public TestService http(Object... serviceOptions) {
        return http(ConfigParams.fromTuples(serviceOptions));
    }

    /** The endpoint on a free port (chosen now) and the HTTP service v1, with this service config. */
    public TestService http(ConfigParams serviceConfig) {
        _serviceConfig = serviceConfig;
        _port = FreePort.find();
        return this;
    }

    /** Options of the endpoint (with {@link #http}), over its connection to localhost. */
    public TestService endpoint(Object... options) {
        return endpoint(ConfigParams.fromTuples(options));
    }

    /** The config of the endpoint (with {@link #http}), over its connection to localhost. */
    public TestService endpoint(ConfigParams config) {
        _endpointConfig = config;
        return this;
    }

    /** One more component, already configured, opened after the others. */
    public TestService with(Descriptor descriptor, Object component) {
        _extraDescriptors.add(descriptor);
        _extraComponents.add(component);
        return this;
    }

    /** Wires and opens every component. */
    public TestService open() throws ApplicationException {
        _controller = new JobsController(_clock);
        _controller.configure(_controllerConfig);
        List<Object> tuples = new ArrayList<>(List.of(
                new Descriptor("pip-services-jobs", "persistence", "test", "default", "1.0"), _store,
                new Descriptor("pip-services-jobs", "controller", "default", "default", "1.0"), _controller));
        List<Object> components = new ArrayList<>(List.of(_store, _controller));
        if (_serviceConfig != null) {
            _endpoint = new GracefulHttpEndpoint();
            _endpoint.configure(ConfigParams.fromTuples("connection.protocol", "http", "connection.host", "localhost",
                    "connection.port", _port).override(_endpointConfig));
            _service = new JobsHttpServiceV1();
            _service.configure(_serviceConfig);
            tuples.addAll(List.of(new Descriptor("pip-services-jobs", "endpoint", "http", "default", "1.0"), _endpoint,
                    new Descriptor("pip-services-jobs", "service", "http", "default", "1.0"), _service));
            components.addAll(List.of(_endpoint, _service));
        }
        for (int i = 0; i < _extraComponents.size(); i++) {
            tuples.add(_extraDescriptors.get(i));
            tuples.add(_extraComponents.get(i));
            components.add(_extraComponents.get(i));
        }
        _references = References.fromTuples(tuples.toArray());
        _components = components;
        try {
            Referencer.setReferences(_references, components);
            Opener.open(null, components);
        } catch (ApplicationException | RuntimeException ex) {
            close();
            throw ex;
        }
        return this;
    }

    public IJobsPersistence store() {
        return _store;
    }

    public JobsController controller() {
        return _controller;
    }

    public GracefulHttpEndpoint endpoint() {
        return _endpoint;
    }

    public References references() {
        return _references;
    }

    /** The port of the endpoint. */
    public int port() {
        return _port;
    }

    /** An address on the endpoint, for example <code>uri("v1/jobs/get_jobs")</code>. */
    public URI uri(String path) {
        return URI.create("http://localhost:" + _port + "/" + path);
    }

    /** The connection of a client of the endpoint, for its configure. */
    public ConfigParams connection() {
        return ConfigParams.fromTuples("connection.protocol", "http", "connection.host", "localhost",
                "connection.port", _port);
    }

    /** Configures a component with {@link #connection()} and these options. */
    public <T extends IConfigurable> T connect(T component, Object... options) throws ApplicationException {
        component.configure(connection().override(ConfigParams.fromTuples(options)));
        return component;
    }

    /** Closes every component, in the reverse order of opening, each even when another fails. */
    @Override
    public void close() throws ApplicationException {
        List<Object> reversed = new ArrayList<>(_components);
        Collections.reverse(reversed);
        _components = List.of();
        ApplicationException first = null;
        for (Object component : reversed) {
            try {
                Closer.closeOne(null, component);
            } catch (ApplicationException ex) {
                if (first == null)
                    first = ex;
            }
        }
        if (first != null)
            throw first;
    }
}
