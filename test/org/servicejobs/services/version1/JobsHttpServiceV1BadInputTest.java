package org.servicejobs.services.version1;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.servicejobs.SettableClock;
import org.servicejobs.TestData;
import org.servicejobs.TestService;
import org.servicejobs.persistence.JobsMemoryPersistence;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.servicejobs.services.version1.RawJobsCalls.map;

/**
 * The refused inputs (400) of the routes and fields the protocol v1 gained, on the wire: each
 * code with the standard error JSON, its details, and nothing changed by the refused call (no
 * job added, the job as it was). Raw JSON over real HTTP to the service on the memory store, the
 * controller on a settable clock.
 */
class JobsHttpServiceV1BadInputTest {
    private SettableClock clock;
    private TestService service;
    private RawJobsCalls calls;

    @BeforeEach
    void openService() throws Exception {
        clock = new SettableClock(TestData.START);
        service = TestService.on(new JobsMemoryPersistence()).clock(clock).http().open();
        calls = new RawJobsCalls(service);
    }

    @AfterEach
    void closeService() throws Exception {
        calls.close();
        service.close();
    }

    @Test
    void newJobFieldsOutOfRangeAreRefused() throws Exception {
        calls.add("type", "work", "ref_id", "w-0");
        List<Refusal> refusals = List.of(
                new Refusal("INVALID_MAX_RETRIES", "max_retries", "0", map("max_retries", 0)),
                new Refusal("INVALID_MAX_RETRIES", "max_retries", "1001", map("max_retries", 1001)),
                new Refusal("INVALID_MAX_RETRIES", "max_retries", null, map("max_retries", 1.5)),
                new Refusal("INVALID_PRIORITY", "priority", "1001", map("priority", 1001)),
                new Refusal("INVALID_PRIORITY", "priority", "-1001", map("priority", -1001)),
                new Refusal("INVALID_PRIORITY", "priority", null, map("priority", "high")),
                new Refusal("INVALID_SCHEDULE", "delay", "1000", map("delay", 1000, "run_at", "2026-01-02T00:00:00.000Z")),
                new Refusal("INVALID_DELAY", "delay", "-1", map("delay", -1)),
                new Refusal("INVALID_DELAY", "delay", null, map("delay", "soon")),
                new Refusal("INVALID_RUN_AT", "property", "run_at", map("run_at", "tomorrow")),
                new Refusal("INVALID_RUN_AT", "property", "run_at", map("run_at", 1_767_225_600_000L)),
                new Refusal("INVALID_RUN_AT", "property", "run_at", map("run_at", "2226-01-01T00:00:00.000Z")),
                new Refusal("INVALID_BACKOFF", "property", "backoff", map("backoff", map("type", "linear", "delay", 1000))),
                new Refusal("INVALID_BACKOFF", "property", "backoff", map("backoff", map("type", "fixed"))),
                new Refusal("INVALID_BACKOFF", "property", "backoff", map("backoff", map("type", "fixed", "delay", -1))),
                new Refusal("INVALID_BACKOFF", "property", "backoff",
                        map("backoff", map("type", "exponential", "delay", 1000, "max_delay", -1))),
                new Refusal("INVALID_BACKOFF", "property", "backoff", map("backoff", "fast")));
        for (Refusal refusal : refusals) {
            Map<String, Object> newJob = map("type", "work", "ref_id", "w-1");
            newJob.putAll(refusal.fields());
            for (String command : List.of("add_job", "add_uniq_job")) {
                JsonNode error = calls.refused(command, map("new_job", newJob), 400, refusal.code());
                assertDetail(error, refusal, command + " " + refusal.fields());
            }
            JsonNode batch = calls.refused("add_jobs", map("new_jobs", List.of(map("type", "work", "ref_id", "w-2"),
                    newJob)), 400, refusal.code());
            assertDetail(batch, refusal, "add_jobs " + refusal.fields());
            assertEquals("1", batch.get("details").get("index").asText(), "the index of the refused job: " + batch);
            assertTrue(batch.get("message").asText().startsWith("new_jobs[1]: "), "the message names it: " + batch);
        }
        assertEquals(1, calls.total(), "a refused job was added");
    }

    @Test
    void badBatchesAreRefusedWhole() throws Exception {
        calls.add("type", "work", "ref_id", "w-0");
        JsonNode empty = calls.refused("add_jobs", map("new_jobs", List.of()), 400, "INVALID_BATCH_SIZE");
        assertEquals("1000", empty.get("details").get("max_size").asText(), "the largest batch in the details");
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++)
            tooMany.add(map("type", "work", "ref_id", "w-" + i));
        calls.refused("add_jobs", map("new_jobs", tooMany), 400, "INVALID_BATCH_SIZE");
        calls.refused("add_jobs", map("new_jobs", map("type", "work", "ref_id", "w-1")), 400, "INVALID_NEW_JOBS");
        JsonNode notAnObject = calls.refused("add_jobs", map("new_jobs", List.of(map("type", "work", "ref_id", "w-1"),
                "w-2")), 400, "INVALID_NEW_JOBS");
        assertEquals("1", notAnObject.get("details").get("index").asText(), "the index of the refused item");
        JsonNode noType = calls.refused("add_jobs", map("new_jobs", List.of(map("type", "work", "ref_id", "w-1"),
                map("type", "", "ref_id", "w-2"))), 400, "MISSING_TYPE");
        assertEquals("1", noType.get("details").get("index").asText(), "the index of the refused job");
        assertEquals(1, calls.total(), "a refused batch added jobs");

        String id = calls.add("type", "work", "ref_id", "w-1").get("id").asText();
        String token = calls.start(id).get("lock_token").asText();
        JsonNode running = calls.job(id);
        calls.refused("complete_jobs", map("jobs", List.of()), 400, "INVALID_BATCH_SIZE");
        calls.refused("complete_jobs", map("jobs", "all"), 400, "INVALID_JOBS");
        JsonNode noId = calls.refused("complete_jobs", map("jobs", List.of(map("job_id", id, "lock_token", token),
                map("lock_token", token))), 400, "MISSING_JOB_ID");
        assertEquals("1", noId.get("details").get("index").asText(), "the index of the refused item");
        JsonNode emptyId = calls.refused("complete_jobs", map("jobs", List.of(map("job_id", ""))), 400, "MISSING_JOB_ID");
        assertEquals("0", emptyId.get("details").get("index").asText(), "the index of the refused item");
        JsonNode tooLarge = calls.refused("complete_jobs", map("jobs", List.of(map("job_id", id, "lock_token", token),
                map("job_id", id, "result", "x".repeat(70_000)))), 400, "RESULT_TOO_LARGE");
        assertEquals("1", tooLarge.get("details").get("index").asText(), "the index of the refused item");
        calls.refused("complete_jobs", map("jobs", List.of(map("job_id", 42))), 400, "INVALID_JOB_ID");
        assertEquals(running, calls.job(id), "a refused batch completed a job");
    }

    @Test
    void badLeaseCountsAreRefused() throws Exception {
        JsonNode job = calls.add("type", "work", "ref_id", "w-1");
        for (Object count : List.of(0, 101, -1, 1.5, "2", 10_000_000_000L)) {
            JsonNode error = calls.refused("start_jobs_by_type", map("type", "work", "timeout", 1000, "count", count),
                    400, "INVALID_COUNT");
            assertTrue(error.get("details").has("count"), "the count in the details: " + error);
        }
        JsonNode missing = calls.refused("start_jobs_by_type", map("type", "work", "timeout", 1000), 400, "INVALID_DATA");
        assertTrue(missing.get("details").has("count"), "the missing count named: " + missing);
        calls.refused("start_jobs_by_type", map("type", "work", "timeout", 0, "count", 1), 400, "INVALID_TIMEOUT");
        calls.refused("start_jobs_by_type", map("type", "work", "timeout", 1000, "count", 1, "wait", -1), 400,
                "INVALID_WAIT");
        assertEquals(job, calls.job(job.get("id").asText()), "a refused lease leased the job");
    }

    @Test
    void badWorkerInputsLeaveTheJobAsItWas() throws Exception {
        String id = calls.add("type", "work", "ref_id", "w-1").get("id").asText();
        String token = calls.start(id).get("lock_token").asText();
        JsonNode running = calls.job(id);
        clock.advanceMillis(1000);

        String tooLong = "x".repeat(8193);
        JsonNode abortText = calls.refused("abort_job", map("job_id", id, "lock_token", token, "error", tooLong), 400,
                "ERROR_TOO_LONG");
        assertEquals("8192", abortText.get("details").get("max_length").asText(), "the limit in the details");
        calls.refused("fail_job", map("job_id", id, "lock_token", token, "error", tooLong), 400, "ERROR_TOO_LONG");
        calls.refused("abort_job", map("job_id", id, "lock_token", token, "error", 42), 400, "INVALID_ERROR");
        JsonNode delay = calls.refused("abort_job", map("job_id", id, "lock_token", token, "delay", -1), 400,
                "INVALID_DELAY");
        assertEquals("-1", delay.get("details").get("delay").asText(), "the delay in the details");
        calls.refused("abort_job", map("job_id", id, "lock_token", token, "delay", 0.5), 400, "INVALID_DELAY");
        JsonNode result = calls.refused("complete_job", map("job_id", id, "lock_token", token,
                "result", map("text", "x".repeat(64 * 1024))), 400, "RESULT_TOO_LARGE");
        assertEquals("65536", result.get("details").get("max_size").asText(), "the limit in the details");
        JsonNode progress = calls.refused("extend_job", map("job_id", id, "timeout", 120_000, "lock_token", token,
                "progress", List.of("x".repeat(4096))), 400, "PROGRESS_TOO_LARGE");
        assertEquals("4096", progress.get("details").get("max_size").asText(), "the limit in the details");
        assertEquals(running, calls.job(id), "a refused call changed the job");
    }

    @Test
    void badSchedulesLeaveTheJobAsItWas() throws Exception {
        String id = calls.add("type", "work", "ref_id", "w-1").get("id").asText();
        JsonNode waiting = calls.job(id);

        calls.refused("reschedule_job", map("job_id", id), 400, "INVALID_SCHEDULE");
        calls.refused("reschedule_job", map("job_id", id, "delay", 1000, "run_at", "2026-01-02T00:00:00.000Z"), 400,
                "INVALID_SCHEDULE");
        calls.refused("reschedule_job", map("job_id", id, "delay", -5), 400, "INVALID_DELAY");
        calls.refused("reschedule_job", map("job_id", id, "delay", 36525L * 24 * 60 * 60 * 1000 + 1), 400, "INVALID_DELAY");
        calls.refused("reschedule_job", map("job_id", id, "run_at", "next week"), 400, "INVALID_RUN_AT");
        calls.refused("reschedule_job", map("job_id", id, "run_at", "2226-01-01T00:00:00.000Z"), 400, "INVALID_RUN_AT");
        calls.refused("reschedule_job", map("delay", 0), 400, "INVALID_DATA");
        assertEquals(waiting, calls.job(id), "a refused reschedule changed the job");
    }

    @Test
    void aBadStateFilterIsRefused() throws Exception {
        calls.add("type", "work", "ref_id", "w-1");

        for (String state : List.of("nope", "waiting,nope", "WAITING;running")) {
            JsonNode error = calls.refused("get_jobs", map("filter", map("state", state)), 400, "INVALID_FILTER");
            assertTrue(error.get("message").asText().contains("state"), "the message names the key: " + error);
        }
        assertEquals(1, calls.ok("get_jobs", map("filter", map("state", "waiting, Running"))).get("data").size(),
                "state names with spaces and capitals");
        assertEquals(0, calls.ok("get_jobs", map("filter", map("state", "failed"))).get("data").size(),
                "another state");
    }

    @Test
    void badTypesOfPauseAreRefused() throws Exception {
        calls.refused("pause_jobs", map("type", ""), 400, "MISSING_TYPE");
        calls.refused("resume_jobs", map("type", "  "), 400, "MISSING_TYPE");
        calls.refused("pause_jobs", map("type", "x".repeat(257)), 400, "TYPE_TOO_LONG");
        calls.refused("pause_jobs", map(), 400, "INVALID_DATA");
        assertTrue(calls.ok("get_job_stats", map()).isEmpty(), "a refused pause paused a type");
    }

    /** A field of a new job that is refused with a code, and the detail that says why (null: not checked). */
    private record Refusal(String code, String detail, String value, Map<String, Object> fields) {
    }

    private static void assertDetail(JsonNode error, Refusal refusal, String what) {
        JsonNode details = error.get("details");
        assertTrue(details != null && details.has(refusal.detail()), "no " + refusal.detail() + " in the details of "
                + what + ": " + error);
        if (refusal.value() != null)
            assertEquals(refusal.value(), details.get(refusal.detail()).asText(), "the detail of " + what);
    }
}
