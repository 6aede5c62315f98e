package org.servicejobs.services.version1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.commons.refer.Referencer;
import org.pipservices3.commons.refer.References;
import org.pipservices3.commons.run.Closer;
import org.pipservices3.commons.run.Opener;
import org.servicejobs.FreePort;
import org.servicejobs.SettableClock;
import org.servicejobs.TestData;
import org.servicejobs.logic.JobsController;
import org.servicejobs.persistence.JobsMongoDbPersistence;
import org.servicejobs.persistence.MongoTestServer;
import org.servicejobs.services.GracefulHttpEndpoint;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
    private static MongoTestServer mongo;

    private final SettableClock clock = new SettableClock(TestData.START);
    private final List<Instance> instances = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private ExecutorService executor;

    /** One service instance. */
    private static final class Instance {
        final List<Object> components;
        final int port;

        Instance(ConfigParams storeConfig, SettableClock clock) throws Exception {
            JobsMongoDbPersistence store = new JobsMongoDbPersistence();
            store.configure(storeConfig);
            JobsController controller = new JobsController(clock);
            controller.configure(ConfigParams.fromTuples("options.clean_interval", 0));
            GracefulHttpEndpoint endpoint = new GracefulHttpEndpoint();
            port = FreePort.find();
            endpoint.configure(ConfigParams.fromTuples("connection.protocol", "http", "connection.host", "localhost",
                    "connection.port", port));
            JobsHttpServiceV1 service = new JobsHttpServiceV1();
            References references = References.fromTuples(
                    new Descriptor("pip-services-jobs", "persistence", "mongodb", "default", "1.0"), store,
                    new Descriptor("pip-services-jobs", "controller", "default", "default", "1.0"), controller,
                    new Descriptor("pip-services-jobs", "endpoint", "http", "default", "1.0"), endpoint,
                    new Descriptor("pip-services-jobs", "service", "http", "default", "1.0"), service);
            components = List.of(store, controller, service, endpoint);
            Referencer.setReferences(references, components);
            Opener.open(null, components);
        }

        void close() throws Exception {
            List<Object> reversed = new ArrayList<>(components);
            Collections.reverse(reversed);
            Closer.close(null, reversed);
        }
    }

    @BeforeAll
    static void startServer() {
        mongo = new MongoTestServer();
    }

    @AfterAll
    static void stopServer() {
        mongo.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        ConfigParams storeConfig = mongo.config();
        instances.add(new Instance(storeConfig, clock));
        instances.add(new Instance(storeConfig, clock));
        executor = Executors.newFixedThreadPool(WORKERS);
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.shutdownNow();
        post(instances.get(0), "delete_jobs", Map.of());
        for (Instance instance : instances)
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
            Instance instance = instances.get(w % 2);
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
            Instance instance = instances.get(c % 2);
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
        Instance first = instances.get(0);
        Instance second = instances.get(1);
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

    private HttpResponse<String> post(Instance instance, String command, Object body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + instance.port + "/v1/jobs/" + command))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
