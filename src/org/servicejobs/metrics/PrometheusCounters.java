package org.servicejobs.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.config.IConfigurable;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.components.count.CounterTiming;
import org.pipservices3.components.count.ICounterTimingCallback;
import org.pipservices3.components.count.ICounters;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pip counters kept in a Micrometer Prometheus registry, for {@link JobsMetricsService}. Every
 * Pip REST service passes its calls to the counters it finds (<code>*:counters:*:*:1.0</code>):
 * <code>&lt;base_route&gt;.&lt;command&gt;.exec_count</code>, <code>.exec_time</code> and
 * <code>.exec_errors</code>. They become, with the command as the <code>operation</code> label:
 * <ul>
 * <li><code>jobs_requests_total{operation}</code>: calls (counter);</li>
 * <li><code>jobs_request_errors_total{operation}</code>: calls answered with an error, status
 * 400 or more (counter);</li>
 * <li><code>jobs_request_seconds{operation}</code>: time to answer, as a histogram
 * (<code>_bucket{le}</code>, <code>_count</code>, <code>_sum</code>) with fixed buckets, plus
 * <code>_max</code> (the largest of the last minutes). Pip measures it in whole milliseconds,
 * so a call under 1 ms counts as 0.</li>
 * </ul>
 * The operation is the part of the name after the base route, so a service of another version
 * adds to the same series. Other counter names (Pip's stats, last, timestamps, and increments
 * without those suffixes) are ignored: the output stays small and its names known.
 * <p>
 * Only commands that exist reach the counters (an unknown command is refused before), so the
 * number of series is bounded by the command set.
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>options:
 * <ul><li>latency_buckets: the upper bounds of the latency buckets in ms, comma-separated
 * (default 1,5,10,25,50,100,250,500,1000,2500,5000,10000,30000: the last one holds the longest
 * wait of start_job_by_type)</li></ul>
 * </li>
 * </ul>
 * <p>
 * ### References ###
 * <ul><li>none</li></ul>
 */
public class PrometheusCounters implements ICounters, ICounterTimingCallback, IConfigurable {
    public static final String DEFAULT_LATENCY_BUCKETS = "1,5,10,25,50,100,250,500,1000,2500,5000,10000,30000";
    static final String REQUESTS = "jobs.requests";
    static final String ERRORS = "jobs.request.errors";
    static final String LATENCY = "jobs.request";
    static final String OPERATION = "operation";
    private static final String COUNT_SUFFIX = ".exec_count";
    private static final String TIME_SUFFIX = ".exec_time";
    private static final String ERRORS_SUFFIX = ".exec_errors";

    private final PrometheusMeterRegistry _registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** The meters of each operation, by operation. */
    private final Map<String, OperationMeters> _operations = new ConcurrentHashMap<>();
    /** The operation of each Pip counter name seen, so a call costs one look-up. */
    private final Map<String, OperationMeters> _byName = new ConcurrentHashMap<>();
    private volatile Duration[] _latencyBuckets = parseBuckets(DEFAULT_LATENCY_BUCKETS);

    private record OperationMeters(Counter requests, Counter errors, Timer latency) {
    }

    @Override
    public void configure(ConfigParams config) throws ConfigException {
        String buckets = config.getAsStringWithDefault("options.latency_buckets", DEFAULT_LATENCY_BUCKETS);
        try {
            _latencyBuckets = parseBuckets(buckets);
        } catch (IllegalArgumentException ex) {
            throw new ConfigException(null, "INVALID_LATENCY_BUCKETS",
                    "options.latency_buckets must be positive numbers of ms separated by commas, not " + buckets);
        }
    }

    private static Duration[] parseBuckets(String text) {
        List<Duration> buckets = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank())
                continue;
            double millis = Double.parseDouble(part.trim());
            if (!(millis > 0) || Double.isInfinite(millis))
                throw new IllegalArgumentException(part);
            buckets.add(Duration.ofNanos(Math.round(millis * 1_000_000)));
        }
        if (buckets.isEmpty())
            throw new IllegalArgumentException(text);
        return buckets.toArray(Duration[]::new);
    }

    /** The registry the meters are kept in: the metrics service scrapes it and adds its gauges. */
    public PrometheusMeterRegistry getRegistry() {
        return _registry;
    }

    /**
     * Creates the meters of an operation at zero, so that its series exist (and a rate sees its
     * first call) before it is called.
     */
    public void registerOperation(String operation) {
        meters(operation);
    }

    private OperationMeters meters(String operation) {
        return _operations.computeIfAbsent(operation, name -> new OperationMeters(
                Counter.builder(REQUESTS).description("Calls of each operation")
                        .tag(OPERATION, name).register(_registry),
                Counter.builder(ERRORS).description("Calls of each operation answered with an error")
                        .tag(OPERATION, name).register(_registry),
                Timer.builder(LATENCY).description("Time to answer each operation")
                        .tag(OPERATION, name).serviceLevelObjectives(_latencyBuckets).register(_registry)));
    }

    /** The meters of a Pip counter name with a suffix, or null when the name does not end with it. */
    private OperationMeters meters(String name, String suffix) {
        if (name == null || !name.endsWith(suffix))
            return null;
        OperationMeters meters = _byName.get(name);
        if (meters == null) {
            String qualified = name.substring(0, name.length() - suffix.length());
            String operation = qualified.substring(qualified.lastIndexOf('.') + 1);
            if (operation.isEmpty())
                return null;
            meters = meters(operation);
            _byName.put(name, meters);
        }
        return meters;
    }

    @Override
    public CounterTiming beginTiming(String name) {
        return new CounterTiming(name, this);
    }

    @Override
    public void endTiming(String name, float elapsed) {
        OperationMeters meters = meters(name, TIME_SUFFIX);
        if (meters != null)
            meters.latency().record(Duration.ofNanos(Math.max(0, Math.round(elapsed * 1_000_000d))));
    }

    @Override
    public void incrementOne(String name) {
        increment(name, 1);
    }

    @Override
    public void increment(String name, int value) {
        OperationMeters meters = meters(name, COUNT_SUFFIX);
        if (meters != null) {
            meters.requests().increment(value);
            return;
        }
        meters = meters(name, ERRORS_SUFFIX);
        if (meters != null)
            meters.errors().increment(value);
    }

    @Override
    public void stats(String name, float value) {
    }

    @Override
    public void last(String name, float value) {
    }

    @Override
    public void timestampNow(String name) {
    }

    @Override
    public void timestamp(String name, ZonedDateTime value) {
    }
}
