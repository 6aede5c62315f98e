package org.servicejobs.metrics;

import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.process.Inflector;
import org.pipservices3.commons.commands.ICommand;
import org.pipservices3.commons.commands.ICommandable;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.commons.refer.IReferences;
import org.pipservices3.commons.refer.ReferenceException;
import org.pipservices3.rpc.services.RestService;
import org.servicejobs.config.ConfigOptions;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.logic.IJobsStatistics;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serves the metrics of the jobs service in the Prometheus text format (version 0.0.4) at
 * <code>GET /metrics</code>: the request metrics of {@link PrometheusCounters}, and the jobs:
 * <ul>
 * <li><code>jobs{type, state}</code>: jobs of each type in each state (the names of
 * {@link JobState}: waiting, scheduled, running, completed, failed, cancelled), every state
 * of a type that has jobs, 0 included; a type without jobs disappears;</li>
 * <li><code>jobs_oldest_waiting_age_seconds{type}</code>: the age of the oldest waiting job of
 * each type, 0 when none of its jobs waits.</li>
 * </ul>
 * The job counts come from {@link IJobsStatistics#getStats}, which may read every job: a scrape uses
 * the counts of the last reading, and reads again only when they are older than
 * <code>options.stats_interval</code>, so frequent scrapes of a large store cost one reading per
 * interval. A scrape that comes while another is reading does not wait for it: it answers with
 * the previous counts. When a reading fails, it is logged and the previous counts stay. The age
 * of the oldest waiting job is taken at each scrape, on the controller's clock, from the created
 * time of the last reading.
 * <p>
 * The route is open: it takes no authentication, like /heartbeat and /status. Keep the port
 * inside the network the Prometheus server scrapes from, or put a proxy in front.
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>route: the route of the metrics (default metrics)</li>
 * <li>options:
 * <ul><li>stats_interval: ms during which the job counts of the last reading are served
 * (default 5000; 0 reads them at every scrape)</li></ul>
 * </li>
 * <li>dependencies: endpoint, controller, counters: overrides of the references below</li>
 * </ul>
 * <p>
 * ### References ###
 * <ul>
 * <li>pip-services-jobs:counters:prometheus:*:1.0 the {@link PrometheusCounters} whose registry is served</li>
 * <li>pip-services-jobs:controller:*:*:1.0 the controller: an {@link IJobsStatistics} for the job counts,
 * whose commands (if it is an ICommandable) get their request series at zero</li>
 * <li>*:endpoint:http:*:1.0 (optional) the shared HTTP endpoint</li>
 * <li>*:logger:*:*:1.0 (optional) ILogger components to pass log messages</li>
 * </ul>
 */
public class JobsMetricsService extends RestService {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    public static final String DEFAULT_ROUTE = "metrics";
    public static final long DEFAULT_STATS_INTERVAL = 5000;
    static final String JOBS = "jobs";
    static final String OLDEST_WAITING_AGE = "jobs.oldest.waiting.age";

    private String _route = DEFAULT_ROUTE;
    private long _statsInterval = DEFAULT_STATS_INTERVAL;
    private PrometheusCounters _counters;
    private IJobsStatistics _statistics;
    private MultiGauge _jobs;
    private MultiGauge _oldestWaitingAge;
    private final ReentrantLock _reading = new ReentrantLock();
    private volatile long _readAt;
    private volatile boolean _read;

    public JobsMetricsService() {
        _dependencyResolver.put("counters", new Descriptor("pip-services-jobs", "counters", "prometheus", "*", "1.0"));
        _dependencyResolver.put("controller", new Descriptor("pip-services-jobs", "controller", "*", "*", "1.0"));
    }

    @Override
    public void configure(ConfigParams config) throws ConfigException {
        super.configure(config);
        _route = config.getAsStringWithDefault("route", _route);
        _statsInterval = ConfigOptions.getLong(config, "options.stats_interval", _statsInterval, 0, Long.MAX_VALUE);
    }

    @Override
    public void setReferences(IReferences references) throws ReferenceException, ConfigException {
        super.setReferences(references);
        _counters = _dependencyResolver.getOneRequired(PrometheusCounters.class, "counters");
        _statistics = _dependencyResolver.getOneRequired(IJobsStatistics.class, "controller");
        PrometheusMeterRegistry registry = _counters.getRegistry();
        _jobs = MultiGauge.builder(JOBS).description("Jobs of each type in each state").register(registry);
        _oldestWaitingAge = MultiGauge.builder(OLDEST_WAITING_AGE).baseUnit("seconds")
                .description("Age of the oldest waiting job of each type").register(registry);
        Object controller = _dependencyResolver.getOneRequired("controller");
        if (controller instanceof ICommandable commandable) {
            for (ICommand command : commandable.getCommandSet().getCommands())
                _counters.registerOperation(command.getName());
        }
    }

    @Override
    public void register() {
        registerRoute(HttpMethod.GET, _route, new Inflector<ContainerRequestContext, Response>() {
            @Override
            public Response apply(ContainerRequestContext request) {
                return metrics(getCorrelationId(request));
            }
        });
    }

    private Response metrics(String correlationId) {
        readStatsIfOld(correlationId);
        byte[] body = _counters.getRegistry().scrape().getBytes(StandardCharsets.UTF_8);
        return Response.ok(body).header("Content-Type", CONTENT_TYPE).build();
    }

    /** Reads the job counts when the last reading is older than the interval, unless another scrape is reading. */
    private void readStatsIfOld(String correlationId) {
        if (_read && System.nanoTime() - _readAt < TimeUnit.MILLISECONDS.toNanos(_statsInterval))
            return;
        if (!_reading.tryLock())
            return;
        try {
            if (_read && System.nanoTime() - _readAt < TimeUnit.MILLISECONDS.toNanos(_statsInterval))
                return;
            publish(_statistics.getStats(correlationId));
            _readAt = System.nanoTime();
            _read = true;
        } catch (ApplicationException | RuntimeException ex) {
            _logger.error(correlationId, ex, "Cannot read the job counts for the metrics");
        } finally {
            _reading.unlock();
        }
    }

    private void publish(Map<String, JobTypeStatsV1> stats) {
        Clock clock = _statistics.getClock();
        List<MultiGauge.Row<?>> jobs = new ArrayList<>();
        List<MultiGauge.Row<?>> ages = new ArrayList<>();
        stats.forEach((type, counts) -> {
            for (JobState state : JobState.values())
                jobs.add(MultiGauge.Row.of(Tags.of("type", type, "state", state.wireName()), counts.count(state)));
            long created = counts.getOldestWaiting() == null ? -1 : counts.getOldestWaiting().toInstant().toEpochMilli();
            ages.add(MultiGauge.Row.of(Tags.of("type", type), clock,
                    now -> created < 0 ? 0 : Math.max(0, now.millis() - created) / 1000.0));
        });
        _jobs.register(jobs, true);
        _oldestWaitingAge.register(ages, true);
    }
}
