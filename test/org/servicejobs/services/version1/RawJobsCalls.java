package org.servicejobs.services.version1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.servicejobs.TestService;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.servicejobs.services.version1.HttpAnswers.assertError;
import static org.servicejobs.services.version1.HttpAnswers.okJson;

/**
 * Raw JSON calls of the routes of the jobs service v1 for the HTTP tests: POSTs with the JDK
 * HttpClient to an opened {@link TestService}, answers checked with {@link HttpAnswers}.
 */
final class RawJobsCalls implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final TestService _service;
    private final HttpClient _client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    RawJobsCalls(TestService service) {
        _service = service;
    }

    /** A map of name, value pairs in order; values may be null (sent as JSON null). */
    static Map<String, Object> map(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2)
            map.put((String) pairs[i], pairs[i + 1]);
        return map;
    }

    /** The names of an object's fields, in the order they were written. */
    static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); )
            keys.add(names.next());
        return keys;
    }

    /** POSTs a body written as JSON (a map, a list, or a string taken as the JSON text itself). */
    HttpResponse<String> post(String command, Object params) throws IOException, InterruptedException {
        String body = params instanceof String text ? text : JSON.writeValueAsString(params);
        HttpRequest request = HttpRequest.newBuilder(_service.uri("v1/jobs/" + command)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        return _client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A 200 answer, parsed. */
    JsonNode ok(String command, Object params) throws Exception {
        return okJson(post(command, params));
    }

    /** A standard error answer with this status and code, parsed. */
    JsonNode refused(String command, Object params, int status, String code) throws Exception {
        return assertError(post(command, params), status, code);
    }

    /** A 204 answer (no content). */
    void noContent(String command, Object params) throws Exception {
        HttpResponse<String> response = post(command, params);
        assertEquals(204, response.statusCode(), () -> "unexpected answer: " + response.body());
        assertEquals("", response.body(), "a 204 with a body");
    }

    /** The job of an id, as get_job_by_id answers it. */
    JsonNode job(String id) throws Exception {
        return ok("get_job_by_id", map("job_id", id));
    }

    /** Every job, as get_jobs answers them (one page of up to 100). */
    JsonNode jobs() throws Exception {
        return ok("get_jobs", map("paging", map("take", 100, "total", true)));
    }

    /** The number of jobs, as get_jobs counts them. */
    long total() throws Exception {
        return jobs().get("total").asLong();
    }

    /** Adds a job with these fields; returns it. */
    JsonNode add(Object... fields) throws Exception {
        return ok("add_job", map("new_job", map(fields)));
    }

    /** Leases a job by id for a minute; returns it. */
    JsonNode start(String id) throws Exception {
        return ok("start_job_by_id", map("job_id", id, "timeout", 60_000));
    }

    @Override
    public void close() {
        _client.shutdownNow();
    }
}
