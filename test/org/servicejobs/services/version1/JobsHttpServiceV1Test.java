package org.servicejobs.services.version1;

import org.pipservices3.commons.run.ICleanable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.TestService;
import org.servicejobs.SettableClock;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.DelegatingJobsPersistence;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobMoment;
import org.servicejobs.services.GracefulHttpEndpoint;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.servicejobs.services.version1.HttpAnswers.assertError;
import static org.servicejobs.services.version1.HttpAnswers.okJson;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The HTTP protocol v1 over real HTTP: a store (each subclass gives one), the controller on a
 * settable clock, the graceful endpoint on a free port and the service, wired by hand; raw JSON
 * sent with the JDK HttpClient.
 */
abstract class JobsHttpServiceV1Test {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ISO_DATE = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    private static final List<String> DATE_KEYS = List.of("created", "started", "locked_until", "execute_until", "completed");
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int DEFAULT_MAX_SIZE = 1024 * 1024;

    private SettableClock clock;
    private GatedPersistence persistence;
    private TestService service;
    private GracefulHttpEndpoint endpoint;
    private int port;
    private HttpClient client;
    private ExecutorService executor;

    @BeforeEach
    void setUp() throws Exception {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        executor = Executors.newCachedThreadPool();
        openService();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (persistence != null)
                persistence.release.countDown();
            if (service != null)
                service.close();
        } finally {
            executor.shutdownNow();
            client.shutdownNow();
        }
    }

    /** A new, empty store of the kind under test, configured, not yet opened. */
    protected abstract IJobsPersistence newStore() throws Exception;

    /** Wires and opens the components; the service gets these options. */
    private void openService(Object... serviceOptions) throws Exception {
        clock = new SettableClock(TestData.START);
        persistence = new GatedPersistence(newStore());
        service = TestService.on(persistence).clock(clock).http(serviceOptions).open();
        endpoint = service.endpoint();
        port = service.port();
    }

    // ---------------------------------------------------------------- the 11 commands

    @Test
    void addJobReturnsTheNewJob() throws Exception {
        HttpResponse<String> response = post("add_job", Map.of("new_job", newJob("email", "user-1", 60_000L,
                Map.of("to", "a@example.com", "n", 3))));

        JsonNode job = okJson(response);
        assertFalse(job.get("id").asText().isEmpty());
        assertEquals("email", job.get("type").asText());
        assertEquals("user-1", job.get("ref_id").asText());
        assertEquals(JSON.valueToTree(Map.of("to", "a@example.com", "n", 3)), job.get("params"));
        assertEquals("2026-01-01T00:00:00.000Z", job.get("created").asText());
        assertEquals("2026-01-01T00:01:00.000Z", job.get("execute_until").asText());
        assertTrue(job.get("started").isNull());
        assertTrue(job.get("locked_until").isNull());
        assertTrue(job.get("completed").isNull());
        assertEquals(0, job.get("retries").asInt());
        assertTrue(job.get("lock_token").isNull());
        assertDates(job);
    }

    @Test
    void addJobWithoutTtlNeverExpires() throws Exception {
        JsonNode job = addJob("report", "order-3", null, List.of(1, 2, 3));

        assertTrue(job.has("execute_until"));
        assertTrue(job.get("execute_until").isNull());
        assertEquals(JSON.valueToTree(List.of(1, 2, 3)), job.get("params"));
        assertDates(job);
    }

    @Test
    void addUniqJobReturnsTheOpenJobOfTheSameTypeAndRefId() throws Exception {
        JsonNode first = okJson(post("add_uniq_job", Map.of("new_job", newJob("email", "user-1", null, "p1"))));
        clock.advanceMillis(1000);
        JsonNode second = okJson(post("add_uniq_job", Map.of("new_job", newJob("email", "user-1", null, "p2"))));
        JsonNode other = okJson(post("add_uniq_job", Map.of("new_job", newJob("email", "user-2", null, "p3"))));

        assertEquals(first.get("id").asText(), second.get("id").asText());
        assertEquals("2026-01-01T00:00:00.000Z", second.get("created").asText());
        assertEquals("p1", second.get("params").asText());
        assertNotEquals(first.get("id").asText(), other.get("id").asText());
        assertDates(second);
        assertEquals(2, okJson(post("get_jobs", Map.of())).get("data").size());
    }

    @Test
    void getJobsFiltersAndPages() throws Exception {
        addJob("email", "user-1", 0L, Map.of("to", "a@example.com"));
        clock.advanceMillis(1);
        addJob("email", "user-2", 60_000L, Map.of("to", "b@example.com"));
        clock.advanceMillis(1);
        addJob("report", "order-3", null, List.of(1, 2, 3));

        JsonNode all = okJson(post("get_jobs", Map.of()));
        assertEquals(3, all.get("data").size());
        for (JsonNode job : all.get("data"))
            assertDates(job);

        JsonNode emails = okJson(post("get_jobs", Map.of(
                "filter", Map.of("type", "email"),
                "paging", Map.of("skip", 0, "take", 10, "total", true))));
        assertEquals(2, emails.get("data").size());
        assertEquals(2, emails.get("total").asInt());
        assertEquals("user-1", emails.get("data").get(0).get("ref_id").asText());
        assertEquals("user-2", emails.get("data").get(1).get("ref_id").asText());

        JsonNode second = okJson(post("get_jobs", Map.of("paging", Map.of("skip", 1, "take", 1))));
        assertEquals(1, second.get("data").size());
        assertEquals("user-2", second.get("data").get(0).get("ref_id").asText());
    }

    @Test
    void getJobByIdReturnsTheJobOr204() throws Exception {
        JsonNode added = addJob("email", "user-1", null, Map.of("k", "v"));

        JsonNode found = okJson(post("get_job_by_id", Map.of("job_id", added.get("id").asText())));
        assertEquals(added, found);

        HttpResponse<String> missing = post("get_job_by_id", Map.of("job_id", "no-such-job"));
        assertEquals(204, missing.statusCode());
        assertEquals("", missing.body());
    }

    @Test
    void startJobByIdLeasesTheJobUntilItsLockExpires() throws Exception {
        String id = addJob("email", "user-1", null, null).get("id").asText();
        clock.advanceMillis(1000);

        JsonNode started = okJson(post("start_job_by_id", Map.of("job_id", id, "timeout", 30_000)));
        assertEquals(id, started.get("id").asText());
        assertEquals("2026-01-01T00:00:01.000Z", started.get("started").asText());
        assertEquals("2026-01-01T00:00:31.000Z", started.get("locked_until").asText());
        assertEquals(1, started.get("retries").asInt());
        assertFalse(started.get("lock_token").asText().isEmpty());
        assertDates(started);

        clock.advanceMillis(29_999);
        assertError(post("start_job_by_id", Map.of("job_id", id, "timeout", 30_000)), 409, "JOB_LOCKED");

        clock.advanceMillis(1);
        JsonNode again = okJson(post("start_job_by_id", Map.of("job_id", id, "timeout", 1000)));
        assertEquals(2, again.get("retries").asInt());
        assertEquals("2026-01-01T00:00:31.000Z", again.get("started").asText());
        assertEquals("2026-01-01T00:00:32.000Z", again.get("locked_until").asText());
        assertNotEquals(started.get("lock_token").asText(), again.get("lock_token").asText());
    }

    @Test
    void startJobByTypeLeasesTheOldestFreeJobOr204() throws Exception {
        String first = addJob("report", "order-1", null, null).get("id").asText();
        clock.advanceMillis(1);
        String second = addJob("report", "order-2", null, null).get("id").asText();
        addJob("email", "user-1", null, null);

        JsonNode a = okJson(post("start_job_by_type", Map.of("type", "report", "timeout", 60_000)));
        JsonNode b = okJson(post("start_job_by_type", Map.of("type", "report", "timeout", 60_000)));
        assertEquals(first, a.get("id").asText());
        assertEquals(second, b.get("id").asText());
        assertDates(a);

        HttpResponse<String> none = post("start_job_by_type", Map.of("type", "report", "timeout", 60_000));
        assertEquals(204, none.statusCode());
        assertEquals("", none.body());

        HttpResponse<String> unknownType = post("start_job_by_type", Map.of("type", "no-such-type", "timeout", 1000));
        assertEquals(204, unknownType.statusCode());
        assertEquals("", unknownType.body());

        clock.advanceMillis(60_001);
        assertEquals(first, okJson(post("start_job_by_type", Map.of("type", "report", "timeout", 1000)))
                .get("id").asText());
    }

    @Test
    void extendJobMovesTheLockOnlyForTheLockHolder() throws Exception {
        String id = addJob("email", "user-1", null, null).get("id").asText();
        JsonNode started = okJson(post("start_job_by_id", Map.of("job_id", id, "timeout", 30_000)));
        String token = started.get("lock_token").asText();
        clock.advanceMillis(10_000);

        JsonNode extended = okJson(post("extend_job", Map.of("job_id", id, "timeout", 60_000, "lock_token", token)));
        assertEquals("2026-01-01T00:01:10.000Z", extended.get("locked_until").asText());
        assertEquals(token, extended.get("lock_token").asText());
        assertDates(extended);

        assertError(post("extend_job", Map.of("job_id", id, "timeout", 60_000, "lock_token", "not-the-token")),
                409, "JOB_LOCK_LOST");
        assertError(post("extend_job", Map.of("job_id", "no-such-job", "timeout", 60_000)), 404, "JOB_NOT_FOUND");
    }

    @Test
    void abortJobFreesTheJobAtOnce() throws Exception {
        String id = addJob("email", "user-1", null, null).get("id").asText();
        String token = okJson(post("start_job_by_id", Map.of("job_id", id, "timeout", 60_000)))
                .get("lock_token").asText();

        JsonNode aborted = okJson(post("abort_job", Map.of("job_id", id, "lock_token", token)));
        assertTrue(aborted.get("started").isNull());
        assertTrue(aborted.get("locked_until").isNull());
        assertTrue(aborted.get("lock_token").isNull());
        assertEquals(1, aborted.get("retries").asInt());
        assertDates(aborted);

        JsonNode restarted = okJson(post("start_job_by_type", Map.of("type", "email", "timeout", 1000)));
        assertEquals(id, restarted.get("id").asText());
        assertEquals(2, restarted.get("retries").asInt());

        assertError(post("abort_job", Map.of("job_id", id, "lock_token", token)), 409, "JOB_LOCK_LOST");
        assertError(post("abort_job", Map.of("job_id", "no-such-job")), 404, "JOB_NOT_FOUND");
    }

    @Test
    void completeJobCompletesOnceAndOnlyForTheLockHolder() throws Exception {
        String id = addJob("email", "user-1", null, null).get("id").asText();
        String token = okJson(post("start_job_by_id", Map.of("job_id", id, "timeout", 60_000)))
                .get("lock_token").asText();
        clock.advanceMillis(5_000);

        assertError(post("complete_job", Map.of("job_id", id, "lock_token", "wrong-token")), 409, "JOB_LOCK_LOST");

        JsonNode completed = okJson(post("complete_job", Map.of("job_id", id, "lock_token", token)));
        assertEquals("2026-01-01T00:00:05.000Z", completed.get("completed").asText());
        assertTrue(completed.get("locked_until").isNull());
        assertTrue(completed.get("lock_token").isNull());
        assertDates(completed);

        assertError(post("complete_job", Map.of("job_id", id, "lock_token", token)), 409, "JOB_COMPLETED");
        assertError(post("start_job_by_id", Map.of("job_id", id, "timeout", 1000)), 409, "JOB_COMPLETED");
        assertError(post("complete_job", Map.of("job_id", "no-such-job")), 404, "JOB_NOT_FOUND");
        assertError(post("start_job_by_id", Map.of("job_id", "no-such-job", "timeout", 1000)), 404, "JOB_NOT_FOUND");
    }

    @Test
    void completeJobOfAWaitingJobIsAConflict() throws Exception {
        String id = addJob("email", "user-1", null, null).get("id").asText();

        assertError(post("complete_job", Map.of("job_id", id)), 409, "JOB_NOT_STARTED");
    }

    @Test
    void deleteJobByIdReturnsTheDeletedJobOr204() throws Exception {
        JsonNode added = addJob("email", "user-1", null, Map.of("k", "v"));
        String id = added.get("id").asText();

        assertEquals(added, okJson(post("delete_job_by_id", Map.of("job_id", id))));
        assertEquals(204, post("get_job_by_id", Map.of("job_id", id)).statusCode());

        HttpResponse<String> again = post("delete_job_by_id", Map.of("job_id", id));
        assertEquals(204, again.statusCode());
        assertEquals("", again.body());
    }

    @Test
    void deleteJobsDeletesEveryJobAndAnswers204() throws Exception {
        addJob("email", "user-1", null, null);
        addJob("report", "order-1", null, null);

        HttpResponse<String> response = post("delete_jobs", Map.of());
        assertEquals(204, response.statusCode());
        assertEquals("", response.body());
        assertEquals(0, okJson(post("get_jobs", Map.of())).get("data").size());
    }

    @Test
    void deleteJobsAcceptsAnEmptyBody() throws Exception {
        addJob("email", "user-1", null, null);

        HttpResponse<String> empty = postRaw("delete_jobs", "");
        assertEquals(204, empty.statusCode());
        assertEquals("", empty.body());
        assertEquals(0, okJson(post("get_jobs", Map.of())).get("data").size());

        assertEquals(204, postRaw("delete_jobs", " \r\n\t ").statusCode());
    }

    // ---------------------------------------------------------------- bodies

    @Test
    void paramsOfAMillionCharactersRoundTrip() throws Exception {
        String text = pattern(1_000_000);
        String body = JSON.writeValueAsString(Map.of("new_job", newJob("big", "big-1", null, Map.of("text", text))));
        assertTrue(body.length() > 1_000_000 && body.length() < DEFAULT_MAX_SIZE, "body size " + body.length());

        JsonNode added = okJson(postRaw("add_job", body));
        assertEquals(text, added.get("params").get("text").asText());

        JsonNode found = okJson(post("get_job_by_id", Map.of("job_id", added.get("id").asText())));
        assertEquals(text, found.get("params").get("text").asText());
    }

    @Test
    void bodyOfExactlyTheLimitIsAccepted() throws Exception {
        String body = paddedAddJob(DEFAULT_MAX_SIZE);
        assertEquals(DEFAULT_MAX_SIZE, body.getBytes(StandardCharsets.UTF_8).length);

        JsonNode added = okJson(postRaw("add_job", body));
        assertEquals("pad", added.get("type").asText());
    }

    @Test
    void bodyOverTheDefaultLimitGets413() throws Exception {
        String body = paddedAddJob(1_100_000);

        // A client of its own: the server drops this connection (see connectionAfterA413IsUsableOrClosedByTheAnswer).
        JsonNode error = assertError(sendOnce(request("add_job?correlation_id=big-1").POST(
                HttpRequest.BodyPublishers.ofString(body)).build()), 413, "REQUEST_TOO_LARGE");
        assertEquals("big-1", error.get("correlation_id").asText());
        assertEquals(DEFAULT_MAX_SIZE, error.get("details").get("max_size").asInt());
        assertEquals(0, okJson(post("get_jobs", Map.of())).get("data").size());
    }

    /**
     * The server answers 413 without reading the body, then closes the connection (the JDK server
     * drains at most 64 KB of an unread body). A client that pools connections can only know from
     * the answer: it must carry <code>Connection: close</code>, or the connection must stay usable.
     * Checked on one raw socket, so no connection pool hides the outcome.
     */
    @Test
    void connectionAfterA413IsUsableOrClosedByTheAnswer() throws Exception {
        byte[] body = paddedAddJob(1_100_000).getBytes(StandardCharsets.UTF_8);

        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 5000);
            socket.setSoTimeout(30_000);
            // Written on another thread: the server may stop reading (and reset) while it is sent.
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    RawHttp.writePost(socket.getOutputStream(), "/v1/jobs/add_job", body, false);
                } catch (IOException ignored) {
                    // the answer below tells what happened
                }
            }, executor);
            RawHttp.Answer tooLarge = RawHttp.read(socket.getInputStream());
            assertNotNull(tooLarge, "no answer to the oversized request");
            assertEquals(413, tooLarge.status());
            assertEquals("REQUEST_TOO_LARGE", JSON.readTree(tooLarge.body()).get("code").asText());
            writing.get(30, TimeUnit.SECONDS);

            if ("close".equalsIgnoreCase(tooLarge.headers().getOrDefault("connection", "")))
                return;
            RawHttp.Answer next = null;
            try {
                RawHttp.writePost(socket.getOutputStream(), "/v1/jobs/get_jobs",
                        "{}".getBytes(StandardCharsets.UTF_8), true);
                next = RawHttp.read(socket.getInputStream());
            } catch (IOException ignored) {
                // no answer: asserted below
            }
            assertNotNull(next, "the 413 answer kept the connection open (no Connection: close), "
                    + "but the server dropped it: the next request on it got no answer");
            assertEquals(200, next.status(), new String(next.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void chunkedBodyOverTheDefaultLimitGets413() throws Exception {
        byte[] body = paddedAddJob(1_100_000).getBytes(StandardCharsets.UTF_8);

        assertError(sendOnce(request("add_job").POST(
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build()),
                413, "REQUEST_TOO_LARGE");
        assertEquals(0, okJson(post("get_jobs", Map.of())).get("data").size());
    }

    @Test
    void configuredRequestMaxSizeIsEnforced() throws Exception {
        service.close();
        openService("options.request_max_size", 1000);

        JsonNode small = okJson(postRaw("add_job", paddedAddJob(1000)));
        assertEquals("pad", small.get("type").asText());

        JsonNode error = assertError(postRaw("add_job", paddedAddJob(1001)), 413, "REQUEST_TOO_LARGE");
        assertEquals(1000, error.get("details").get("max_size").asInt());

        byte[] chunked = paddedAddJob(5000).getBytes(StandardCharsets.UTF_8);
        assertError(send(request("add_job").POST(
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(chunked))).build()),
                413, "REQUEST_TOO_LARGE");
        assertEquals(1, okJson(post("get_jobs", Map.of())).get("data").size());
    }

    @Test
    void chunkedBodyArrivesWhole() throws Exception {
        String text = pattern(50_000);
        byte[] body = JSON.writeValueAsBytes(Map.of("new_job", newJob("chunked", "c-1", null, text)));

        HttpRequest request = request("add_job")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
        assertEquals(-1, request.bodyPublisher().orElseThrow().contentLength(), "the body must be sent chunked");

        JsonNode added = okJson(send(request));
        assertEquals(text, added.get("params").asText());
        assertEquals(text, okJson(post("get_job_by_id", Map.of("job_id", added.get("id").asText())))
                .get("params").asText());
    }

    @Test
    void smallChunkedBodyArrivesWhole() throws Exception {
        byte[] body = JSON.writeValueAsBytes(Map.of("new_job", newJob("chunked", "c-2", null, "tiny")));

        JsonNode added = okJson(send(request("add_job")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build()));
        assertEquals("tiny", added.get("params").asText());
    }

    @Test
    void bodyWithExpectContinueArrivesWhole() throws Exception {
        String text = pattern(20_000);
        String body = JSON.writeValueAsString(Map.of("new_job", newJob("continue", "e-1", null, text)));

        JsonNode added = okJson(send(request("add_job").expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()));
        assertEquals(text, added.get("params").asText());

        JsonNode small = okJson(send(request("get_job_by_id").expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        Map.of("job_id", added.get("id").asText())))).build()));
        assertEquals(added, small);
    }

    @Test
    void bodyLargerThan8KbArrivesWhole() throws Exception {
        for (int size : new int[]{8_000, 10_000, 100_000}) {
            String text = pattern(size);
            JsonNode added = okJson(postRaw("add_job",
                    JSON.writeValueAsString(Map.of("new_job", newJob("large", "l-" + size, null, text)))));
            assertEquals(text, added.get("params").asText(), "params of " + size + " characters");
        }
    }

    // ---------------------------------------------------------------- bad requests

    @Test
    void malformedJsonGets400InvalidJson() throws Exception {
        addJob("email", "user-1", null, null);

        for (String body : List.of("{\"new_job\": ", "{not json}", "{\"a\": 1} trailing", "nul")) {
            JsonNode error = assertError(postRaw("delete_jobs", body), 400, "INVALID_JSON");
            assertTrue(error.get("message").asText().contains("not valid JSON"), error.toString());
        }
        assertEquals(1, okJson(post("get_jobs", Map.of())).get("data").size(), "no command may have run");
    }

    @Test
    void jsonThatIsNotAnObjectGets400InvalidJson() throws Exception {
        addJob("email", "user-1", null, null);

        for (String body : List.of("[1, 2]", "[]", "\"text\"", "42", "null", "true")) {
            JsonNode error = assertError(postRaw("delete_jobs", body), 400, "INVALID_JSON");
            assertTrue(error.get("message").asText().contains("JSON object"), body + " -> " + error);
        }
        assertError(postRaw("get_jobs", "[{\"filter\": {}}]"), 400, "INVALID_JSON");
        assertEquals(1, okJson(post("get_jobs", Map.of())).get("data").size(), "no command may have run");
    }

    @Test
    void missingRequiredParameterGets400InvalidDataNamingIt() throws Exception {
        JsonNode noJob = assertError(post("add_job", Map.of()), 400, "INVALID_DATA");
        assertTrue(noJob.get("details").has("new_job"), noJob.toString());

        JsonNode noRefId = assertError(post("add_job", Map.of("new_job", Map.of("type", "email"))), 400, "INVALID_DATA");
        assertTrue(noRefId.get("details").has("new_job.ref_id"), noRefId.toString());

        JsonNode noId = assertError(post("get_job_by_id", Map.of()), 400, "INVALID_DATA");
        assertTrue(noId.get("details").has("job_id"), noId.toString());

        JsonNode noTimeout = assertError(post("start_job_by_type", Map.of("type", "email")), 400, "INVALID_DATA");
        assertTrue(noTimeout.get("details").has("timeout"), noTimeout.toString());

        assertEquals(0, okJson(post("get_jobs", Map.of())).get("data").size());
    }

    @Test
    void fractionalOrOutOfRangeTimeoutGets400InvalidTimeout() throws Exception {
        String id = addJob("email", "user-1", null, null).get("id").asText();

        assertError(post("start_job_by_type", Map.of("type", "email", "timeout", 1.5)), 400, "INVALID_TIMEOUT");
        assertError(post("start_job_by_id", Map.of("job_id", id, "timeout", 1.5)), 400, "INVALID_TIMEOUT");
        assertError(post("start_job_by_id", Map.of("job_id", id, "timeout", 0)), 400, "INVALID_TIMEOUT");
        assertError(post("start_job_by_id", Map.of("job_id", id, "timeout", -5)), 400, "INVALID_TIMEOUT");

        JsonNode job = okJson(post("get_job_by_id", Map.of("job_id", id)));
        assertTrue(job.get("started").isNull(), "a refused start must not lease the job");
        assertEquals(0, job.get("retries").asInt());
    }

    @Test
    void unknownCommandGets404UnknownCommand() throws Exception {
        JsonNode error = assertError(send(request("no_such_command").header("correlation_id", "cmd-1")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build()), 404, "UNKNOWN_COMMAND");
        assertEquals("cmd-1", error.get("correlation_id").asText());
    }

    @Test
    void getOnACommandGets405WithAllowPost() throws Exception {
        HttpResponse<String> response = send(request("get_jobs?correlation_id=get-1").GET().build());

        JsonNode error = assertError(response, 405, "METHOD_NOT_ALLOWED");
        assertEquals("POST", response.headers().firstValue("Allow").orElse(null));
        assertEquals("get-1", error.get("correlation_id").asText());
    }

    // ---------------------------------------------------------------- error format

    @Test
    void errorCarriesTheCorrelationIdOfTheQuery() throws Exception {
        JsonNode error = assertError(send(request("complete_job?correlation_id=abc")
                .POST(HttpRequest.BodyPublishers.ofString("{\"job_id\": \"no-such-job\"}")).build()),
                404, "JOB_NOT_FOUND");

        assertEquals("abc", error.get("correlation_id").asText());
        assertEquals("no-such-job", error.get("details").get("job_id").asText());
    }

    @Test
    void errorCarriesTheCorrelationIdOfTheHeader() throws Exception {
        JsonNode notFound = assertError(send(request("abort_job").header("correlation_id", "abc")
                .POST(HttpRequest.BodyPublishers.ofString("{\"job_id\": \"no-such-job\"}")).build()),
                404, "JOB_NOT_FOUND");
        assertEquals("abc", notFound.get("correlation_id").asText());

        JsonNode badJson = assertError(send(request("delete_jobs").header("correlation_id", "def")
                .POST(HttpRequest.BodyPublishers.ofString("{")).build()), 400, "INVALID_JSON");
        assertEquals("def", badJson.get("correlation_id").asText());

        JsonNode invalid = assertError(send(request("add_job").header("correlation_id", "ghi")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build()), 400, "INVALID_DATA");
        assertEquals("ghi", invalid.get("correlation_id").asText());
    }

    @Test
    void errorWithoutCorrelationIdStillHasTheKey() throws Exception {
        JsonNode error = assertError(post("complete_job", Map.of("job_id", "no-such-job")), 404, "JOB_NOT_FOUND");

        assertTrue(error.has("correlation_id"));
        assertTrue(error.get("correlation_id").isNull());
    }

    // ---------------------------------------------------------------- graceful close

    @Test
    void closeAnswersTheCommandsInFlightAndRefusesNewOnes() throws Exception {
        // A page of several MB: writing the answer takes a moment, as a real one may on a slow link.
        String params = pattern(1_000_000);
        for (int i = 0; i < 8; i++)
            addJob("big", "big-" + i, null, params);
        persistence.gatePagesOfType("big");

        CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(
                () -> sendUnchecked(postRequest("get_jobs", "{\"filter\": {\"type\": \"big\"}}")), executor);
        assertTrue(persistence.entered.await(30, TimeUnit.SECONDS), "the request never reached the persistence");

        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> endpoint.close(null), executor);

        HttpResponse<String> refused = awaitRefusal();
        if (refused != null) {
            JsonNode error = assertError(refused, 503, "SHUTTING_DOWN");
            assertTrue(error.get("message").asText().contains("shutting down"), error.toString());
        }
        assertFalse(closing.isDone(), "close returned while a command was in flight");
        assertFalse(inFlight.isDone(), "the command in flight was answered before it was released");

        persistence.release.countDown();

        HttpResponse<String> answer;
        try {
            answer = inFlight.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException ex) {
            throw new AssertionError("the command in flight was cut by close instead of answered", ex.getCause());
        }
        JsonNode page = okJson(answer);
        assertEquals(8, page.get("data").size());
        for (JsonNode job : page.get("data"))
            assertEquals(params, job.get("params").asText());
        closing.get(30, TimeUnit.SECONDS);
        assertRefusesConnections(port);
    }

    @Test
    void closeWithNothingInFlightStopsAtOnce() throws Exception {
        addJob("email", "user-1", null, null);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 5000);
        }

        CompletableFuture.runAsync(() -> endpoint.close(null), executor).get(30, TimeUnit.SECONDS);

        assertRefusesConnections(port);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Sends new commands until the draining endpoint refuses one (bounded by a deadline).
     *
     * @return the 503 answer, or null when the server no longer accepts connections.
     */
    private HttpResponse<String> awaitRefusal() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response;
            try {
                response = send(postRequest("get_job_by_id", "{\"job_id\": \"no-such-job\"}"));
            } catch (ConnectException ex) {
                return null;
            }
            if (response.statusCode() != 204)
                return response;
        }
        fail("the endpoint kept accepting new commands while closing");
        return null;
    }

    private static void assertRefusesConnections(int port) {
        assertThrows(IOException.class, () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", port), 5000);
            }
        }, "the port still accepts connections after close");
    }

    private JsonNode addJob(String type, String refId, Long ttl, Object params) throws Exception {
        return okJson(post("add_job", Map.of("new_job", newJob(type, refId, ttl, params))));
    }

    private static Map<String, Object> newJob(String type, String refId, Long ttl, Object params) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("type", type);
        job.put("ref_id", refId);
        if (ttl != null)
            job.put("ttl", ttl);
        job.put("params", params);
        return job;
    }

    /** An add_job body of exactly <code>size</code> bytes. */
    private static String paddedAddJob(int size) {
        String prefix = "{\"new_job\":{\"type\":\"pad\",\"ref_id\":\"pad-1\",\"params\":\"";
        String suffix = "\"}}";
        int padding = size - prefix.length() - suffix.length();
        assertTrue(padding >= 0);
        return prefix + pattern(padding) + suffix;
    }

    /** ASCII text of <code>length</code> characters where a shift or a cut shows. */
    private static String pattern(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; text.length() < length; i++)
            text.append(i).append('-');
        text.setLength(length);
        return text.toString();
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/jobs/" + pathAndQuery))
                .timeout(REQUEST_TIMEOUT);
    }

    private HttpRequest postRequest(String command, String body) {
        return request(command).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpResponse<String> post(String command, Object params) throws Exception {
        return postRaw(command, JSON.writeValueAsString(params));
    }

    private HttpResponse<String> postRaw(String command, String body) throws Exception {
        return send(postRequest(command, body));
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** Sends one request on a client of its own, closed after. */
    private static HttpResponse<String> sendOnce(HttpRequest request) throws IOException, InterruptedException {
        HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try {
            return own.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } finally {
            own.shutdownNow();
        }
    }

    private HttpResponse<String> sendUnchecked(HttpRequest request) {
        try {
            return send(request);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Every date key is present, and null or an ISO-8601 UTC date with milliseconds. */
    private static void assertDates(JsonNode job) {
        for (String key : DATE_KEYS) {
            assertTrue(job.has(key), () -> "no " + key + " in " + job);
            JsonNode value = job.get(key);
            if (!value.isNull()) {
                assertTrue(value.isTextual(), () -> key + " is not a string: " + value);
                assertTrue(ISO_DATE.matcher(value.asText()).matches(), () -> key + " is not ISO-8601 UTC: " + value);
                assertDoesNotThrow(() -> Instant.parse(value.asText()), () -> key + " is not a valid instant: " + value);
            }
        }
    }

    /** Just enough HTTP/1.1 over a socket to see what a connection pool hides. */
    private static final class RawHttp {
        record Answer(int status, Map<String, String> headers, byte[] body) {
        }

        static void writePost(OutputStream out, String path, byte[] body, boolean close) throws IOException {
            String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        }

        /** Reads one answer with a Content-Length body (or none); null at the end of the stream. */
        static Answer read(InputStream in) throws IOException {
            String statusLine = line(in);
            if (statusLine == null)
                return null;
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            if (body.length < length)
                throw new EOFException("answer cut after " + body.length + " of " + length + " bytes");
            return new Answer(Integer.parseInt(statusLine.split(" ")[1]), headers, body);
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0)
                    return line.isEmpty() ? null : line.toString();
                if (c != '\r')
                    line.append((char) c);
            }
            return line.toString();
        }
    }

    /**
     * A store whose page query for one type waits at a gate, so a request stays in flight; every
     * other call goes to the store under test.
     */
    private static final class GatedPersistence extends DelegatingJobsPersistence {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private volatile String gatedType;

        GatedPersistence(IJobsPersistence store) {
            super(store);
        }

        void gatePagesOfType(String type) {
            gatedType = type;
        }

        @Override
        public void close(String correlationId) throws ApplicationException {
            if (store instanceof ICleanable cleanable)
                cleanable.clear(correlationId);
            super.close(correlationId);
        }

        @Override
        public DataPage<JobV1> getPageByFilter(String correlationId, FilterParams filter, PagingParams paging,
                                               JobMoment at) throws ApplicationException {
            String type = filter != null ? filter.getAsNullableString("type") : null;
            if (type != null && type.equals(gatedType)) {
                entered.countDown();
                try {
                    if (!release.await(60, TimeUnit.SECONDS))
                        throw new IllegalStateException("the gate was never released");
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.getPageByFilter(correlationId, filter, paging, at);
        }
    }
}
