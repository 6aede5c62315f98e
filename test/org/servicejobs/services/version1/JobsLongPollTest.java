package org.servicejobs.services.version1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.servicejobs.TestService;
import org.servicejobs.persistence.ObservedJobsPersistence;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.servicejobs.services.version1.HttpAnswers.assertError;
import static org.servicejobs.services.version1.HttpAnswers.okJson;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long-poll of start_job_by_type over real HTTP: the memory store (observed, so a test knows
 * when a call found no job and is about to wait), the controller on the system clock with no
 * cleaner and a wait poll interval of a minute (so only the signal of an add can wake a waiter
 * within a test, never the poll), the graceful endpoint on a free port and the service; raw JSON
 * sent with the JDK HttpClient over HTTP/1.1.
 */
class JobsLongPollTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CORRELATION_ID = "long-poll-test";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final long LEASE = 60_000;
    /**
     * A waiting lease answers within this after the add is answered. Far below the wait poll
     * interval (a minute) and the long-poll's wait (10 s), so only the add's signal can wake it
     * in time; generous, so a loaded machine does not fail it. (bin/bench measures the wake.)
     */
    private static final long WAKE_BOUND_MILLIS = 5_000;
    /** Bounds of calls that must not wait for the long-polls (which wait 20 s). */
    private static final long ANSWER_BOUND_MILLIS = 10_000;
    private static final int WAKE_ROUNDS = 5;
    private static final int WAITERS = 200;
    /** Platform threads the waiters may add at most: far from one per waiter. */
    private static final int MAX_THREAD_GROWTH = 50;

    private ObservedJobsPersistence persistence;
    private TestService service;
    private ExecutorService callers;
    private HttpClient client;

    @BeforeEach
    void setUp() throws Exception {
        // Callers on virtual threads, and the client's own tasks too: the platform threads the
        // test counts are the server's, not 200 blocked callers.
        callers = Executors.newVirtualThreadPerTaskExecutor();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(callers)
                .connectTimeout(Duration.ofSeconds(5)).build();
        openService();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            // A failed test may leave waiters: end them, so the endpoint need not wait for them.
            if (service != null) {
                service.controller().stopWaiting();
                service.close();
            }
        } finally {
            callers.shutdownNow();
            client.shutdownNow();
        }
    }

    /** Wires and opens the components; the controller gets these options over the test's. */
    private void openService(Object... controllerOptions) throws Exception {
        persistence = new ObservedJobsPersistence();
        service = TestService.on(persistence).controller("options.wait_poll_interval", 60_000)
                .controller(controllerOptions).http().open();
    }

    // ---------------------------------------------------------------- tests

    @Test
    void aWaitingLeaseIsWokenByTheAdd() throws Exception {
        double slowest = Double.NEGATIVE_INFINITY;
        List<Double> latencies = new ArrayList<>();
        for (int round = 1; round <= WAKE_ROUNDS; round++) {
            String type = "wake-" + round;
            CountDownLatch waiting = persistence.watchEmptyLeases(type, 1);

            Future<Answer> poll = callers.submit(() -> timedPost("start_job_by_type",
                    Map.of("type", type, "timeout", LEASE, "wait", 10_000)));
            assertTrue(waiting.await(10, TimeUnit.SECONDS), "round " + round + ": the long-poll never looked for a job");
            assertFalse(poll.isDone(), "round " + round + ": the long-poll answered before a job was added");

            Answer add = timedPost("add_job", Map.of("new_job", newJob(type, "ref-" + round)));
            String id = okJson(add.response()).get("id").asText();

            Answer leased = poll.get(15, TimeUnit.SECONDS);
            JsonNode job = okJson(leased.response());
            assertEquals(id, job.get("id").asText(), "round " + round + ": the long-poll leased another job");
            assertFalse(job.get("lock_token").asText().isEmpty(), "round " + round + ": no lock_token");
            assertEquals(1, job.get("retries").asInt());

            // Negative when the long-poll's answer arrived before the add's.
            long latencyNanos = leased.answeredAt() - add.answeredAt();
            double latency = Math.round(latencyNanos / 10_000.0) / 100.0;
            latencies.add(latency);
            slowest = Math.max(slowest, latency);
            assertTrue(latencyNanos <= TimeUnit.MILLISECONDS.toNanos(WAKE_BOUND_MILLIS),
                    "round " + round + ": the long-poll answered " + latency
                    + " ms after the add was answered (bound " + WAKE_BOUND_MILLIS + " ms); rounds so far: " + latencies);
        }
        System.out.println("JobsLongPollTest: add-to-answer ms per round " + latencies + ", largest " + slowest);
    }

    @Test
    void aWaitingLeaseReturnsEmptyAfterItsWait() throws Exception {
        long start = System.nanoTime();
        Answer answer = timedPost("start_job_by_type", Map.of("type", "empty", "timeout", LEASE, "wait", 300));
        long millis = TimeUnit.NANOSECONDS.toMillis(answer.answeredAt() - start);

        assertEquals(204, answer.response().statusCode(), () -> "unexpected answer: " + answer.response().body());
        assertEquals("", answer.response().body());
        assertTrue(millis >= 295, "answered after " + millis + " ms, before its wait of 300 ms");
        assertTrue(millis < ANSWER_BOUND_MILLIS, "answered after " + millis + " ms");
    }

    @Test
    void twoHundredWaitersDoNotExhaustTheServer() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CountDownLatch waiting = persistence.watchEmptyLeases("bulk", WAITERS);
        int threadsBefore = threads.getThreadCount();
        threads.resetPeakThreadCount();

        List<Future<Answer>> waiters = new ArrayList<>();
        for (int i = 0; i < WAITERS; i++)
            waiters.add(callers.submit(() -> timedPost("start_job_by_type",
                    Map.of("type", "bulk", "timeout", LEASE, "wait", 20_000))));
        assertTrue(waiting.await(20, TimeUnit.SECONDS),
                (WAITERS - waiting.getCount()) + " of " + WAITERS + " long-polls looked for a job");

        int threadsWhileWaiting = threads.getThreadCount();
        int peak = threads.getPeakThreadCount();
        assertTrue(threadsWhileWaiting - threadsBefore < MAX_THREAD_GROWTH, "platform threads grew from "
                + threadsBefore + " to " + threadsWhileWaiting + " with " + WAITERS + " waiters");
        assertTrue(peak - threadsBefore < MAX_THREAD_GROWTH, "platform threads peaked at " + peak
                + " from " + threadsBefore + " with " + WAITERS + " waiters");
        for (int i = 0; i < WAITERS; i++)
            assertFalse(waiters.get(i).isDone(), "waiter " + i + " answered with no job of its type");

        long start = System.nanoTime();
        Answer page = timedPost("get_jobs", Map.of());
        assertEquals(0, okJson(page.response()).get("data").size());
        long pageMillis = TimeUnit.NANOSECONDS.toMillis(page.answeredAt() - start);
        assertTrue(pageMillis < ANSWER_BOUND_MILLIS, "get_jobs took " + pageMillis + " ms with " + WAITERS + " waiters");

        start = System.nanoTime();
        Answer other = timedPost("add_job", Map.of("new_job", newJob("other", "other-1")));
        assertEquals("other", okJson(other.response()).get("type").asText());
        long addMillis = TimeUnit.NANOSECONDS.toMillis(other.answeredAt() - start);
        assertTrue(addMillis < ANSWER_BOUND_MILLIS, "add_job took " + addMillis + " ms with " + WAITERS + " waiters");

        Set<String> added = new HashSet<>();
        long lastAdd = 0;
        for (int i = 0; i < WAITERS; i++) {
            Answer add = timedPost("add_job", Map.of("new_job", newJob("bulk", "bulk-" + i)));
            added.add(okJson(add.response()).get("id").asText());
            lastAdd = add.answeredAt();
        }
        assertEquals(WAITERS, added.size());

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Set<String> leased = new HashSet<>();
        Set<String> tokens = new HashSet<>();
        long lastAnswer = lastAdd;
        for (int i = 0; i < WAITERS; i++) {
            Answer answer = waiters.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            JsonNode job = okJson(answer.response());
            assertEquals("bulk", job.get("type").asText());
            assertEquals(1, job.get("retries").asInt(), () -> "a job leased twice: " + job);
            assertTrue(leased.add(job.get("id").asText()), "job " + job.get("id") + " given to two waiters");
            assertTrue(tokens.add(job.get("lock_token").asText()), "a lock_token given twice");
            lastAnswer = Math.max(lastAnswer, answer.answeredAt());
        }
        assertEquals(added, leased, "the waiters did not get exactly the added jobs");
        long drainMillis = TimeUnit.NANOSECONDS.toMillis(lastAnswer - lastAdd);
        assertTrue(drainMillis < ANSWER_BOUND_MILLIS, "the last waiter answered " + drainMillis + " ms after the last add");
        // Every job of the type is leased: a new lease finds none.
        assertEquals(204, post("start_job_by_type", Map.of("type", "bulk", "timeout", LEASE)).statusCode());
        System.out.println("JobsLongPollTest: platform threads " + threadsBefore + " before " + WAITERS
                + " waiters, " + threadsWhileWaiting + " while they wait (peak " + peak + "); get_jobs "
                + pageMillis + " ms, add_job " + addMillis + " ms; last waiter answered " + drainMillis
                + " ms after the last add");
    }

    @Test
    void aWaiterBeyondMaxWaitersIsRefusedWith503() throws Exception {
        service.close();
        openService("options.max_waiters", 10);
        CountDownLatch waiting = persistence.watchEmptyLeases("limited", 10);
        Map<String, Object> longPoll = Map.of("type", "limited", "timeout", LEASE, "wait", 20_000);

        List<CompletableFuture<Answer>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++)
            calls.add(CompletableFuture.supplyAsync(() -> timedPostUnchecked("start_job_by_type", longPoll), callers));
        assertTrue(waiting.await(10, TimeUnit.SECONDS),
                (10 - waiting.getCount()) + " of 10 long-polls looked for a job");
        calls.add(CompletableFuture.supplyAsync(() -> timedPostUnchecked("start_job_by_type", longPoll), callers));

        // A call reports no job before it takes a waiter's slot, so which of the 11 loses the race
        // for the last slot is the server's choice; in practice the 11th. Exactly one is refused at
        // once; the 10 others keep waiting.
        Answer refused = (Answer) CompletableFuture.anyOf(calls.toArray(CompletableFuture[]::new))
                .get(ANSWER_BOUND_MILLIS, TimeUnit.MILLISECONDS);
        JsonNode error = assertError(refused.response(), 503, "TOO_MANY_WAITERS");
        assertEquals(CORRELATION_ID, error.get("correlation_id").asText());
        assertEquals(10, error.get("details").get("max_waiters").asInt(), error::toString);
        List<CompletableFuture<Answer>> waiters = new ArrayList<>();
        for (CompletableFuture<Answer> call : calls) {
            if (call.isDone() && call.get() == refused)
                continue;
            assertFalse(call.isDone(), () -> "a second call answered while 10 should wait: " + call.join().response().body());
            waiters.add(call);
        }
        assertEquals(10, waiters.size());

        Set<String> added = new HashSet<>();
        for (int i = 0; i < 10; i++)
            added.add(okJson(post("add_job", Map.of("new_job", newJob("limited", "limited-" + i)))).get("id").asText());
        Set<String> leased = new HashSet<>();
        for (CompletableFuture<Answer> waiter : waiters)
            leased.add(okJson(waiter.get(10, TimeUnit.SECONDS).response()).get("id").asText());
        assertEquals(added, leased, "the 10 waiters did not get the 10 added jobs, one each");

        // The slots are free again: a new call waits its whole wait instead of being refused.
        long start = System.nanoTime();
        Answer again = timedPost("start_job_by_type", Map.of("type", "limited", "timeout", LEASE, "wait", 300));
        assertEquals(204, again.response().statusCode(), () -> "unexpected answer: " + again.response().body());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(again.answeredAt() - start) >= 295, "the call did not wait");
    }

    // ---------------------------------------------------------------- helpers

    /** An answer and the System.nanoTime() taken right after it arrived. */
    private record Answer(HttpResponse<String> response, long answeredAt) {
    }

    private static Map<String, Object> newJob(String type, String refId) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("type", type);
        job.put("ref_id", refId);
        return job;
    }

    private HttpResponse<String> post(String command, Object params) throws IOException, InterruptedException {
        return timedPost(command, params).response();
    }

    private Answer timedPost(String command, Object params) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(
                        service.uri("v1/jobs/" + command + "?correlation_id=" + CORRELATION_ID))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(params)))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Answer(response, System.nanoTime());
    }

    private Answer timedPostUnchecked(String command, Object params) {
        try {
            return timedPost(command, params);
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
