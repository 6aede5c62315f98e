package org.servicejobs.services.version1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicejobs.TestService;
import org.servicejobs.SettableClock;
import org.servicejobs.TestData;
import org.servicejobs.persistence.MongoTestServer;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two independent service instances (store, controller, HTTP service each, on their own ports)
 * on one MongoDB database: leases, unique jobs and lock tokens hold across instances.
 */
class JobsMongoDbTwoInstancesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int JOBS = 5_000;
    private static final int WORKERS = 32;
    @RegisterExtension
    static final MongoTestServer mongo = new MongoTestServer();

    private final SettableClock clock = new SettableClock(TestData.START);
    private final List<TestService> instances = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private ExecutorService executor;

    @BeforeEach
    void setUp() throws Exception {
        String database = mongo.newDatabaseUri();
        for (int i = 0; i < 2; i++)
            instances.add(TestService.on(MongoTestServer.storeOn(database)).clock(clock).http().open());
        executor = Executors.newFixedThreadPool(WORKERS);
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.shutdownNow();
        post(instances.get(0), "delete_jobs", Map.of());
        for (TestService instance : instances)
            instance.close();
        client.shutdownNow();
    }

    @Test
    void workersOnBothInstancesLeaseEachJobExactlyOnce() throws Exception {
        List<Future<?>> adds = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            int n = i;
            adds.add(executor.submit(() -> ok(post(instances.get(n % 2), "add_job",
                    Map.of("new_job", Map.of("type", "work", "ref_id", "ref-" + n))))));
        }
        for (Future<?> add : adds)
            add.get();

        Map<String, AtomicInteger> leases = new ConcurrentHashMap<>();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            TestService instance = instances.get(w % 2);
            workers.add(executor.submit(() -> {
                while (true) {
                    HttpResponse<String> leased = post(instance, "start_job_by_type", Map.of("type", "work", "timeout", 600_000));
                    if (leased.statusCode() == 204)
                        return null;
                    JsonNode job = ok(leased);
                    leases.computeIfAbsent(job.get("id").asText(), id -> new AtomicInteger()).incrementAndGet();
                    ok(post(instance, "complete_job", Map.of("job_id", job.get("id").asText(),
                            "lock_token", job.get("lock_token").asText())));
                }
            }));
        }
        for (Future<?> worker : workers)
            worker.get();

        assertEquals(JOBS, leases.size(), "every job is leased");
        leases.forEach((id, count) -> assertEquals(1, count.get(), "job " + id + " leased " + count + " times"));
        JsonNode completed = ok(post(instances.get(1), "get_jobs", Map.of(
                "filter", Map.of("type", "work", "completed_from", "2000-01-01T00:00:00.000Z"),
                "paging", Map.of("take", 1, "total", true))));
        assertEquals(JOBS, completed.get("total").asInt());
    }

    @Test
    void parallelUniqueAddsOnBothInstancesMakeOneJob() throws Exception {
        int callers = 16;
        CyclicBarrier start = new CyclicBarrier(callers);
        List<Future<String>> ids = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            TestService instance = instances.get(c % 2);
            ids.add(executor.submit(() -> {
                start.await();
                return ok(post(instance, "add_uniq_job",
                        Map.of("new_job", Map.of("type", "report", "ref_id", "order-1")))).get("id").asText();
            }));
        }
        Set<String> distinct = ConcurrentHashMap.newKeySet();
        for (Future<String> id : ids)
            distinct.add(id.get());

        assertEquals(1, distinct.size(), "every caller gets the same job: " + distinct);
        JsonNode page = ok(post(instances.get(0), "get_jobs", Map.of(
                "filter", Map.of("type", "report", "ref_id", "order-1"), "paging", Map.of("total", true))));
        assertEquals(1, page.get("total").asInt());
    }

    @Test
    void aStaleLockTokenIsRefusedOnTheOtherInstance() throws Exception {
        TestService first = instances.get(0);
        TestService second = instances.get(1);
        String id = ok(post(first, "add_job", Map.of("new_job", Map.of("type", "mail", "ref_id", "u-1")))).get("id").asText();
        String staleToken = ok(post(first, "start_job_by_id", Map.of("job_id", id, "timeout", 1000)))
                .get("lock_token").asText();

        clock.advanceMillis(1001);
        JsonNode released = ok(post(second, "start_job_by_type", Map.of("type", "mail", "timeout", 60_000)));
        String token = released.get("lock_token").asText();
        assertEquals(id, released.get("id").asText());

        assertLockLost(post(second, "complete_job", Map.of("job_id", id, "lock_token", staleToken)));
        assertLockLost(post(second, "extend_job", Map.of("job_id", id, "timeout", 60_000, "lock_token", staleToken)));
        assertLockLost(post(first, "abort_job", Map.of("job_id", id, "lock_token", staleToken)));
        JsonNode unchanged = ok(post(first, "get_job_by_id", Map.of("job_id", id)));
        assertEquals(token, unchanged.get("lock_token").asText());
        assertTrue(unchanged.get("completed").isNull());

        JsonNode completed = ok(post(first, "complete_job", Map.of("job_id", id, "lock_token", token)));
        assertTrue(completed.get("completed").isTextual(), completed.toString());
    }

    private static void assertLockLost(HttpResponse<String> response) throws Exception {
        assertEquals(409, response.statusCode(), response.body());
        assertEquals("JOB_LOCK_LOST", JSON.readTree(response.body()).get("code").asText());
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> post(TestService instance, String command, Object body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(instance.uri("v1/jobs/" + command))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
