package org.servicejobs.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.refer.Descriptor;
import org.servicejobs.TestService;
import org.servicejobs.SettableClock;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.persistence.JobsMemoryPersistence;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * <code>GET /metrics</code> over real HTTP after real traffic: the memory store, the controller on
 * a settable clock (max_retries 1, so that a lease that runs out leaves a failed job), the
 * Prometheus counters, the graceful endpoint on a free port, the HTTP service v1 and the metrics
 * service, wired by hand. The answer is parsed line by line into series.
 */
class JobsMetricsServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** A sample line: name, optional labels, value (the text format 0.0.4). */
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private SettableClock clock;
    private TestService service;
    private int port;
    private HttpClient client;

    @BeforeEach
    void setUp() {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (service != null)
                service.close();
        } finally {
            client.shutdownNow();
        }
    }

    private void openService(long statsInterval) throws Exception {
        clock = new SettableClock(TestData.START);
        PrometheusCounters counters = new PrometheusCounters();
        counters.configure(new ConfigParams());
        JobsMetricsService metrics = new JobsMetricsService();
        metrics.configure(ConfigParams.fromTuples("options.stats_interval", statsInterval));
        service = TestService.on(new JobsMemoryPersistence()).clock(clock).controller("options.max_retries", 1).http()
                .with(new Descriptor("pip-services-jobs", "counters", "prometheus", "default", "1.0"), counters)
                .with(new Descriptor("pip-services-jobs", "metrics-service", "http", "default", "1.0"), metrics)
                .open();
        port = service.port();
    }

    @Test
    void metricsAfterTraffic() throws Exception {
        openService(0);
        String user1 = addJob("email", "user-1", 0);
        clock.advanceMillis(1_000);
        addJob("email", "user-2", 0);
        clock.advanceMillis(1_000);
        addJob("email", "user-3", 0);
        clock.advanceMillis(1_000);
        addJob("report", "order-1", 0);
        addJob("fax", "fax-1", 0);
        addJob("alert", "alert-1", 5_000);
        String sms = addJob("sms", "sms-1", 0);
        assertEquals(400, post("add_job", Map.of()).statusCode(), "add_job without new_job");
        clock.advanceMillis(1_000);
        assertEquals(200, post("start_job_by_type", Map.of("type", "fax", "timeout", 1_000)).statusCode());
        clock.advanceMillis(6_000);
        JsonNode leased = json(post("start_job_by_type", Map.of("type", "email", "timeout", 60_000)));
        assertEquals(user1, leased.get("id").asText(), "the oldest email job");
        assertEquals(200, post("start_job_by_type", Map.of("type", "email", "timeout", 60_000)).statusCode());
        assertEquals(204, post("start_job_by_type", Map.of("type", "none", "timeout", 60_000)).statusCode());
        assertEquals(200, post("complete_job", Map.of("job_id", user1,
                "lock_token", leased.get("lock_token").asText())).statusCode());
        assertEquals(404, post("complete_job", Map.of("job_id", "no-such-job")).statusCode());

        HttpResponse<String> response = get("/metrics");
        assertEquals(200, response.statusCode(), response.body());
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        assertEquals(JobsMetricsService.CONTENT_TYPE, contentType);
        Map<String, Double> series = parse(response.body());

        assertEquals(8.0, series.get(series("jobs_requests_total", "operation", "add_job")), "7 added, 1 refused");
        assertEquals(4.0, series.get(series("jobs_requests_total", "operation", "start_job_by_type")));
        assertEquals(2.0, series.get(series("jobs_requests_total", "operation", "complete_job")));
        assertEquals(0.0, series.get(series("jobs_requests_total", "operation", "abort_job")),
                "every command has its series from the start");
        assertEquals(1.0, series.get(series("jobs_request_errors_total", "operation", "add_job")), "the 400");
        assertEquals(1.0, series.get(series("jobs_request_errors_total", "operation", "complete_job")), "the 404");
        assertEquals(0.0, series.get(series("jobs_request_errors_total", "operation", "start_job_by_type")),
                "an empty answer (204) is no error");

        assertEquals(4.0, series.get(series("jobs_request_seconds_count", "operation", "start_job_by_type")));
        assertEquals(4.0, series.get(series("jobs_request_seconds_bucket", "le", "+Inf",
                "operation", "start_job_by_type")));
        assertTrue(series.containsKey(series("jobs_request_seconds_bucket", "le", "0.001",
                "operation", "start_job_by_type")), () -> "a 1 ms bucket in " + series.keySet());
        assertNotNull(series.get(series("jobs_request_seconds_sum", "operation", "start_job_by_type")));
        assertNotNull(series.get(series("jobs_request_seconds_max", "operation", "start_job_by_type")));

        // At start + 10 s: email 1 waiting (user-3), 1 running, 1 completed; the fax lease ran out
        // with its only retry used (failed); the alert's ttl of 5 s ran out at start + 8 s (failed).
        assertJobs(series, "email", 1, 0, 1, 1, 0, 0);
        assertJobs(series, "report", 1, 0, 0, 0, 0, 0);
        assertJobs(series, "fax", 0, 0, 0, 0, 1, 0);
        assertJobs(series, "alert", 0, 0, 0, 0, 1, 0);
        assertJobs(series, "sms", 1, 0, 0, 0, 0, 0);
        assertEquals(8.0, series.get(series("jobs_oldest_waiting_age_seconds", "type", "email")), "user-3, at start + 2 s");
        assertEquals(7.0, series.get(series("jobs_oldest_waiting_age_seconds", "type", "report")));
        assertEquals(0.0, series.get(series("jobs_oldest_waiting_age_seconds", "type", "fax")), "none waits");

        assertEquals(200, post("delete_job_by_id", Map.of("job_id", sms)).statusCode());
        clock.advanceMillis(500);
        Map<String, Double> after = parse(get("/metrics").body());
        assertFalse(after.keySet().stream().anyMatch(key -> key.contains("type=\"sms\"")),
                () -> "a type without jobs disappears: " + after.keySet());
        assertJobs(after, "email", 1, 0, 1, 1, 0, 0);
        assertEquals(8.5, after.get(series("jobs_oldest_waiting_age_seconds", "type", "email")),
                "the age follows the clock");
        assertEquals(1.0, after.get(series("jobs_requests_total", "operation", "delete_job_by_id")));
    }

    @Test
    void jobCountsAreReadAtMostOncePerInterval() throws Exception {
        openService(600_000);
        addJob("email", "user-1", 0);
        Map<String, Double> first = parse(get("/metrics").body());
        assertJobs(first, "email", 1, 0, 0, 0, 0, 0);

        addJob("email", "user-2", 0);
        addJob("report", "order-1", 0);
        clock.advanceMillis(2_000);
        Map<String, Double> second = parse(get("/metrics").body());
        assertJobs(second, "email", 1, 0, 0, 0, 0, 0);
        assertFalse(second.containsKey(series("jobs", "state", "waiting", "type", "report")),
                "the counts of the last reading are served within the interval");
        assertEquals(3.0, second.get(series("jobs_requests_total", "operation", "add_job")),
                "the request counters are always current");
        assertEquals(2.0, second.get(series("jobs_oldest_waiting_age_seconds", "type", "email")),
                "the age is taken at each scrape");
    }

    /** The job counts of a type, in the order of the states: waiting, scheduled, running, completed, failed, cancelled. */
    private static void assertJobs(Map<String, Double> series, String type, double... counts) {
        List<Double> expected = new ArrayList<>();
        List<Double> actual = new ArrayList<>();
        for (JobState state : JobState.values()) {
            expected.add(counts[state.ordinal()]);
            actual.add(series.get(series("jobs", "state", state.wireName(), "type", type)));
        }
        assertEquals(expected, actual, () -> type + ": " + List.of(JobState.values()) + " in " + series.keySet());
    }

    /** The key of a series in {@link #parse}: its name and labels in the order given (sorted by name). */
    private static String series(String name, String... labels) {
        StringBuilder key = new StringBuilder(name).append('{');
        for (int i = 0; i < labels.length; i += 2)
            key.append(i == 0 ? "" : ",").append(labels[i]).append("=\"").append(labels[i + 1]).append('"');
        return key.append('}').toString();
    }

    /** Every sample of a scrape, by name and labels sorted by label name. */
    private static Map<String, Double> parse(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#"))
                continue;
            Matcher sample = SAMPLE.matcher(line);
            assertTrue(sample.matches(), () -> "not a sample line: " + line);
            Map<String, String> labels = new TreeMap<>();
            if (sample.group(3) != null) {
                Matcher label = LABEL.matcher(sample.group(3));
                while (label.find())
                    labels.put(label.group(1), label.group(2));
            }
            List<String> tuples = new ArrayList<>();
            labels.forEach((name, value) -> {
                tuples.add(name);
                tuples.add(value);
            });
            String key = series(sample.group(1), tuples.toArray(String[]::new));
            assertFalse(series.containsKey(key), () -> "a series twice: " + key);
            series.put(key, Double.parseDouble(sample.group(4)));
        }
        return series;
    }

    private String addJob(String type, String refId, long ttl) throws IOException, InterruptedException {
        Map<String, Object> newJob = new LinkedHashMap<>();
        newJob.put("type", type);
        newJob.put("ref_id", refId);
        newJob.put("ttl", ttl);
        return json(post("add_job", Map.of("new_job", newJob))).get("id").asText();
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> post(String command, Object body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/jobs/" + command))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(REQUEST_TIMEOUT).GET().build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
