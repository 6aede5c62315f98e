package org.servicejobs.services.version1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.servicejobs.SettableClock;
import org.servicejobs.TestData;
import org.servicejobs.TestService;
import org.servicejobs.persistence.JobsMemoryPersistence;
import org.servicejobs.services.CommandableJsonHttpService;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.servicejobs.services.version1.RawJobsCalls.JSON;
import static org.servicejobs.services.version1.RawJobsCalls.keys;
import static org.servicejobs.services.version1.RawJobsCalls.map;

/**
 * The routes and fields the protocol v1 gained (batches, fail, cancel, retry, reschedule,
 * statistics, pause; state, priority, schedule, retry limit, backoff, progress, result, errors)
 * on the wire: raw JSON over real HTTP to the service on the memory store, the controller on a
 * settable clock from {@link TestData#START}. The state conflicts (409) of the new rules are
 * here; the refused inputs (400) in {@link JobsHttpServiceV1BadInputTest}.
 */
class JobsHttpServiceV1LifecycleTest {
    /** The fields of a job on the wire, in their order. */
    static final List<String> JOB_KEYS = List.of("id", "type", "ref_id", "params", "state", "priority", "created",
            "run_at", "started", "locked_until", "execute_until", "completed", "failed", "cancelled", "retries",
            "max_retries", "lock_token", "backoff", "progress", "result", "errors");
    /** The fields of a job in the first protocol v1, before the new ones. */
    private static final List<String> V1_KEYS = List.of("id", "type", "ref_id", "params", "created", "started",
            "locked_until", "execute_until", "completed", "retries", "lock_token");
    private static final List<String> STATS_KEYS = List.of("waiting", "scheduled", "running", "completed", "failed",
            "cancelled", "oldest_waiting", "paused");

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
    void aJobAnswersEveryFieldByItsWireName() throws Exception {
        JsonNode job = calls.add("type", "email", "ref_id", "user-1", "ttl", 7_200_000, "params", map("to", "a@b.c"),
                "priority", 5, "max_retries", 3, "run_at", "2026-01-01T01:00:00.000Z",
                "backoff", map("type", "exponential", "delay", 1000, "max_delay", 60_000));

        assertEquals(JOB_KEYS, keys(job), "the fields of a job, in order");
        assertFalse(job.get("id").asText().isEmpty(), "id");
        assertEquals("scheduled", job.get("state").asText(), "state of a job with a later run_at");
        assertTrue(job.get("priority").isInt(), "priority is a number");
        assertEquals(5, job.get("priority").asInt(), "priority");
        assertEquals("2026-01-01T00:00:00.000Z", job.get("created").asText(), "created");
        assertEquals("2026-01-01T01:00:00.000Z", job.get("run_at").asText(), "run_at");
        assertEquals("2026-01-01T02:00:00.000Z", job.get("execute_until").asText(), "execute_until");
        for (String key : List.of("started", "locked_until", "completed", "failed", "cancelled", "lock_token",
                "progress", "result"))
            assertTrue(job.get(key).isNull(), key + " of a new job: " + job.get(key));
        assertEquals(0, job.get("retries").asInt(), "retries");
        assertEquals(3, job.get("max_retries").asInt(), "max_retries");
        assertEquals(List.of("type", "delay", "max_delay"), keys(job.get("backoff")), "the fields of a backoff");
        assertEquals(JSON.readTree("{\"type\":\"exponential\",\"delay\":1000,\"max_delay\":60000}"), job.get("backoff"),
                "backoff");
        assertTrue(job.get("errors").isArray() && job.get("errors").isEmpty(), "errors of a new job: " + job.get("errors"));
        assertEquals(job, calls.job(job.get("id").asText()), "the stored job is the answered one");

        JsonNode plain = calls.add("type", "email", "ref_id", "user-2");
        assertEquals(JOB_KEYS, keys(plain), "the fields of a job without the new ones");
        assertEquals("waiting", plain.get("state").asText(), "default state");
        assertEquals(0, plain.get("priority").asInt(), "default priority");
        assertEquals(10, plain.get("max_retries").asInt(), "the controller's max_retries");
        for (String key : List.of("run_at", "execute_until", "backoff", "params"))
            assertTrue(plain.get(key).isNull(), key + " by default: " + plain.get(key));
    }

    @Test
    void progressResultAndErrorsOnTheWire() throws Exception {
        String id = calls.add("type", "work", "ref_id", "w-1").get("id").asText();
        JsonNode started = calls.start(id);
        assertEquals("running", started.get("state").asText(), "state of a leased job");
        String token = started.get("lock_token").asText();
        clock.advanceMillis(1000);

        JsonNode extended = calls.ok("extend_job", map("job_id", id, "timeout", 60_000, "lock_token", token,
                "progress", map("done", 40)));
        assertEquals(JSON.readTree("{\"done\":40}"), extended.get("progress"), "progress");
        clock.advanceMillis(1000);

        JsonNode aborted = calls.ok("abort_job", map("job_id", id, "lock_token", token, "error", "remote busy",
                "delay", 30_000));
        assertEquals("scheduled", aborted.get("state").asText(), "state after an abort with a delay");
        assertEquals("2026-01-01T00:00:32.000Z", aborted.get("run_at").asText(), "run_at: the abort + its delay");
        assertEquals(1, aborted.get("errors").size(), "errors: " + aborted.get("errors"));
        JsonNode error = aborted.get("errors").get(0);
        assertEquals(List.of("attempt", "at", "error"), keys(error), "the fields of an error");
        assertEquals(JSON.readTree("{\"attempt\":1,\"at\":\"2026-01-01T00:00:02.000Z\",\"error\":\"remote busy\"}"), error,
                "the error of the attempt");
        assertEquals(extended.get("progress"), aborted.get("progress"), "progress is kept");
        for (String key : List.of("started", "locked_until", "lock_token"))
            assertTrue(aborted.get(key).isNull(), key + " after an abort");
        calls.refused("start_job_by_id", map("job_id", id, "timeout", 1000), 409, "JOB_SCHEDULED");
        assertEquals(aborted, calls.job(id), "a refused lease changed the job");

        clock.advanceMillis(30_000);
        JsonNode again = calls.start(id);
        assertEquals(2, again.get("retries").asInt(), "retries of the second lease");
        clock.advanceMillis(1000);
        JsonNode completed = calls.ok("complete_job", map("job_id", id, "lock_token", again.get("lock_token").asText(),
                "result", map("file", "r.pdf", "pages", 3)));
        assertEquals("completed", completed.get("state").asText(), "state");
        assertEquals("2026-01-01T00:00:33.000Z", completed.get("completed").asText(), "completed");
        assertEquals(JSON.readTree("{\"file\":\"r.pdf\",\"pages\":3}"), completed.get("result"), "result");
        assertEquals(1, completed.get("errors").size(), "the errors are kept");
        assertEquals(completed, calls.job(id), "the stored job is the answered one");
    }

    @Test
    void failCancelAndRetryOnTheWire() throws Exception {
        String id = calls.add("type", "work", "ref_id", "w-1").get("id").asText();
        String token = calls.start(id).get("lock_token").asText();
        clock.advanceMillis(1000);

        JsonNode failed = calls.ok("fail_job", map("job_id", id, "lock_token", token, "error", "disk full"));
        assertEquals("failed", failed.get("state").asText(), "state");
        assertEquals("2026-01-01T00:00:01.000Z", failed.get("failed").asText(), "failed");
        assertEquals(JSON.readTree("[{\"attempt\":1,\"at\":\"2026-01-01T00:00:01.000Z\",\"error\":\"disk full\"}]"),
                failed.get("errors"), "errors");
        assertTrue(failed.get("lock_token").isNull(), "lock_token of a failed job");
        JsonNode conflict = calls.refused("complete_job", map("job_id", id, "lock_token", token), 409, "JOB_FAILED");
        assertEquals(id, conflict.get("details").get("job_id").asText(), "the job in the details");
        calls.refused("start_job_by_id", map("job_id", id, "timeout", 1000), 409, "JOB_FAILED");
        assertEquals(failed, calls.job(id), "a refused call changed the job");

        JsonNode retried = calls.ok("retry_job", map("job_id", id));
        assertEquals("waiting", retried.get("state").asText(), "state of a retried job");
        assertEquals(0, retried.get("retries").asInt(), "retries of a retried job");
        assertTrue(retried.get("failed").isNull(), "failed of a retried job");
        assertEquals(failed.get("errors"), retried.get("errors"), "the errors are kept");
        JsonNode notRetryable = calls.refused("retry_job", map("job_id", id), 409, "JOB_NOT_RETRYABLE");
        assertEquals("waiting", notRetryable.get("details").get("state").asText(), "the state in the details");
        assertEquals(retried, calls.job(id), "a refused retry changed the job");

        String other = calls.add("type", "work", "ref_id", "w-2").get("id").asText();
        String otherToken = calls.start(other).get("lock_token").asText();
        clock.advanceMillis(1000);
        JsonNode cancelled = calls.ok("cancel_job", map("job_id", other));
        assertEquals("cancelled", cancelled.get("state").asText(), "state");
        assertEquals("2026-01-01T00:00:02.000Z", cancelled.get("cancelled").asText(), "cancelled");
        assertTrue(cancelled.get("lock_token").isNull(), "lock_token of a cancelled job");
        JsonNode holder = calls.refused("complete_job", map("job_id", other, "lock_token", otherToken), 409,
                "JOB_CANCELLED");
        assertEquals(other, holder.get("details").get("job_id").asText(), "the job in the details");
        calls.refused("cancel_job", map("job_id", other), 409, "JOB_CANCELLED");
        assertEquals(cancelled, calls.job(other), "a refused call changed the job");
        assertEquals("waiting", calls.ok("retry_job", map("job_id", other)).get("state").asText(), "a cancelled job retried");
        calls.refused("retry_job", map("job_id", "no-such-job"), 404, "JOB_NOT_FOUND");
        calls.refused("cancel_job", map("job_id", "no-such-job"), 404, "JOB_NOT_FOUND");
    }

    @Test
    void rescheduleOnTheWire() throws Exception {
        String id = calls.add("type", "work", "ref_id", "w-1").get("id").asText();

        JsonNode moved = calls.ok("reschedule_job", map("job_id", id, "run_at", "2026-01-01T05:00:00.000Z"));
        assertEquals("scheduled", moved.get("state").asText(), "state");
        assertEquals("2026-01-01T05:00:00.000Z", moved.get("run_at").asText(), "run_at");
        calls.refused("start_job_by_id", map("job_id", id, "timeout", 1000), 409, "JOB_SCHEDULED");
        calls.noContent("start_job_by_type", map("type", "work", "timeout", 1000));

        JsonNode delayed = calls.ok("reschedule_job", map("job_id", id, "delay", 60_000));
        assertEquals("2026-01-01T00:01:00.000Z", delayed.get("run_at").asText(), "run_at: now + delay");
        clock.advanceMillis(60_000);
        assertEquals("waiting", calls.job(id).get("state").asText(), "waiting at its run_at");

        JsonNode atOnce = calls.ok("reschedule_job", map("job_id", id, "delay", 0));
        assertTrue(atOnce.get("run_at").isNull(), "run_at of a delay of 0");
        assertEquals("waiting", atOnce.get("state").asText(), "state");

        JsonNode running = calls.start(id);
        JsonNode conflict = calls.refused("reschedule_job", map("job_id", id, "delay", 1000), 409, "JOB_NOT_WAITING");
        assertEquals("running", conflict.get("details").get("state").asText(), "the state in the details");
        assertEquals(running, calls.job(id), "a refused reschedule changed the job");
        calls.refused("reschedule_job", map("job_id", "no-such-job", "delay", 0), 404, "JOB_NOT_FOUND");
    }

    @Test
    void batchRoutesAnswerDataAndErrors() throws Exception {
        JsonNode added = calls.ok("add_jobs", map("new_jobs", List.of(map("type", "batch", "ref_id", "b-1", "priority", 1),
                map("type", "batch", "ref_id", "b-2", "priority", 3), map("type", "batch", "ref_id", "b-3", "delay", 1000))));
        assertEquals(List.of("data"), keys(added), "add_jobs answers its jobs only");
        assertEquals(List.of("b-1", "b-2", "b-3"), field(added.get("data"), "ref_id"), "the jobs in the order given");
        assertEquals(List.of("waiting", "waiting", "scheduled"), field(added.get("data"), "state"), "states");
        for (JsonNode job : added.get("data"))
            assertEquals(JOB_KEYS, keys(job), "the fields of an added job");

        JsonNode leased = calls.ok("start_jobs_by_type", map("type", "batch", "timeout", 60_000, "count", 5));
        assertEquals(List.of("data"), keys(leased), "start_jobs_by_type answers its jobs only");
        assertEquals(List.of("b-2", "b-1"), field(leased.get("data"), "ref_id"), "the waiting jobs, by priority");
        assertEquals(List.of("running", "running"), field(leased.get("data"), "state"), "states");
        String b2 = leased.get("data").get(0).get("id").asText();
        String b1 = leased.get("data").get(1).get("id").asText();
        String token2 = leased.get("data").get(0).get("lock_token").asText();
        assertNotEquals(token2, leased.get("data").get(1).get("lock_token").asText(), "each job its own lock_token");
        assertEquals(JSON.readTree("{\"data\":[]}"),
                calls.ok("start_jobs_by_type", map("type", "batch", "timeout", 60_000, "count", 5)),
                "no free job: 200 with no jobs");

        String b3 = added.get("data").get(2).get("id").asText();
        JsonNode done = calls.ok("complete_jobs", map("jobs", List.of(
                map("job_id", b2, "lock_token", token2, "result", map("ok", true)),
                map("job_id", b1, "lock_token", "not-the-lock-token"),
                map("job_id", b3))));
        assertEquals(List.of("data", "errors"), keys(done), "complete_jobs answers its jobs and errors");
        assertEquals(3, done.get("data").size(), "one answer per job");
        assertEquals("completed", done.get("data").get(0).get("state").asText(), "the completed job");
        assertEquals(JSON.readTree("{\"ok\":true}"), done.get("data").get(0).get("result"), "its result");
        assertTrue(done.get("data").get(1).isNull() && done.get("data").get(2).isNull(), "refused jobs: " + done);
        assertEquals(2, done.get("errors").size(), "errors: " + done.get("errors"));
        for (JsonNode error : done.get("errors")) {
            assertEquals(List.of("index", "code", "message"), keys(error), "the fields of a batch error");
            assertFalse(error.get("message").asText().isEmpty(), "a batch error without a message");
        }
        assertEquals(List.of("1", "2"), field(done.get("errors"), "index"), "indexes");
        assertEquals(List.of("JOB_LOCK_LOST", "JOB_NOT_STARTED"), field(done.get("errors"), "code"), "codes");
        assertEquals(done.get("data").get(0), calls.job(b2), "the stored job is the answered one");
        assertEquals("running", calls.job(b1).get("state").asText(), "a refused job changed");
    }

    @Test
    void statsAndPauseOnTheWire() throws Exception {
        String w1 = calls.add("type", "work", "ref_id", "w-1").get("id").asText();
        clock.advanceMillis(1000);
        calls.start(calls.add("type", "work", "ref_id", "w-2").get("id").asText());
        calls.add("type", "work", "ref_id", "w-3", "delay", 3_600_000);
        calls.add("type", "other", "ref_id", "o-1");

        JsonNode stats = calls.ok("get_job_stats", map());
        assertEquals(Set.of("work", "other"), Set.copyOf(keys(stats)), "the types with jobs");
        assertEquals(STATS_KEYS, keys(stats.get("work")), "the fields of a type's statistics, in order");
        assertEquals(JSON.readTree("{\"waiting\":1,\"scheduled\":1,\"running\":1,\"completed\":0,\"failed\":0,"
                + "\"cancelled\":0,\"oldest_waiting\":\"2026-01-01T00:00:00.000Z\",\"paused\":false}"), stats.get("work"),
                "the statistics of a type");

        assertEquals(JSON.readTree("{\"type\":\"work\",\"paused\":true}"), calls.ok("pause_jobs", map("type", "work")),
                "the answer of pause_jobs");
        calls.noContent("start_job_by_type", map("type", "work", "timeout", 1000));
        assertEquals(0, calls.ok("start_jobs_by_type", map("type", "work", "timeout", 1000, "count", 3)).get("data").size(),
                "jobs of a paused type leased");
        JsonNode paused = calls.refused("start_job_by_id", map("job_id", w1, "timeout", 1000), 409, "TYPE_PAUSED");
        assertEquals(w1, paused.get("details").get("job_id").asText(), "the job in the details");
        assertEquals("waiting", calls.job(w1).get("state").asText(), "the paused job waits");
        assertTrue(calls.ok("get_job_stats", map()).get("work").get("paused").asBoolean(), "paused in the statistics");

        assertEquals(JSON.readTree("{\"type\":\"work\",\"paused\":false}"), calls.ok("resume_jobs", map("type", "work")),
                "the answer of resume_jobs");
        assertEquals(w1, calls.ok("start_job_by_type", map("type", "work", "timeout", 1000)).get("id").asText(),
                "leased after resume");
    }

    @Test
    void aBatchOf1000SmallJobsFitsTheDefaultRequestSize() throws Exception {
        List<Map<String, Object>> newJobs = new ArrayList<>();
        for (int i = 0; i < 1000; i++)
            newJobs.add(map("type", "email", "ref_id", "user-" + i, "ttl", 86_400_000, "priority", i % 10,
                    "max_retries", 5, "delay", 1000, "backoff", map("type", "exponential", "delay", 1000, "max_delay", 60_000),
                    "params", map("to", "user-" + i + "@example.com", "subject", "Your order " + i, "body", "x".repeat(800))));
        String body = JSON.writeValueAsString(map("new_jobs", newJobs));
        int size = body.getBytes(StandardCharsets.UTF_8).length;
        assertTrue(size > 1_000_000 && size <= CommandableJsonHttpService.DEFAULT_REQUEST_MAX_SIZE,
                "1000 jobs of about 1 KB: " + size + " bytes");

        JsonNode added = calls.ok("add_jobs", body);
        assertEquals(1000, added.get("data").size(), "every job added");
        for (int i = 0; i < 1000; i++)
            assertEquals("user-" + i, added.get("data").get(i).get("ref_id").asText(), "the order of the batch");
        assertEquals(1000, calls.total(), "the jobs stored");
    }

    @Test
    void anOldClientSeesTheV1FieldsAsBefore() throws Exception {
        JsonNode added = calls.ok("add_job", map("new_job", map("type", "email", "ref_id", "user-1", "ttl", 60_000,
                "params", map("to", "a@b.c"))));
        String id = added.get("id").asText();
        assertV1(added, id, null, null, null, 0, null, "added");
        assertEquals(Set.copyOf(JOB_KEYS), Set.copyOf(keys(added)), "the v1 fields and the new ones, nothing else");

        clock.advanceMillis(1000);
        JsonNode started = calls.ok("start_job_by_type", map("type", "email", "timeout", 30_000));
        String token = started.get("lock_token").asText();
        assertFalse(token.isEmpty(), "lock_token");
        assertV1(started, id, "2026-01-01T00:00:01.000Z", "2026-01-01T00:00:31.000Z", null, 1, token, "started");

        clock.advanceMillis(5000);
        JsonNode extended = calls.ok("extend_job", map("job_id", id, "timeout", 60_000, "lock_token", token));
        assertV1(extended, id, "2026-01-01T00:00:01.000Z", "2026-01-01T00:01:06.000Z", null, 1, token, "extended");

        JsonNode aborted = calls.ok("abort_job", map("job_id", id, "lock_token", token));
        assertV1(aborted, id, null, null, null, 1, null, "aborted");
        assertEquals("waiting", aborted.get("state").asText(), "an abort frees the job at once, as before");

        JsonNode again = calls.ok("start_job_by_type", map("type", "email", "timeout", 30_000));
        String second = again.get("lock_token").asText();
        assertV1(again, id, "2026-01-01T00:00:06.000Z", "2026-01-01T00:00:36.000Z", null, 2, second, "leased again");
        JsonNode completed = calls.ok("complete_job", map("job_id", id, "lock_token", second));
        assertV1(completed, id, "2026-01-01T00:00:06.000Z", null, "2026-01-01T00:00:06.000Z", 2, null, "completed");
        assertEquals(completed, calls.ok("get_jobs", map("filter", map("type", "email", "ref_id", "user-1")))
                .get("data").get(0), "get_jobs with the v1 filter");
        assertEquals(completed, calls.ok("delete_job_by_id", map("job_id", id)), "delete_job_by_id");
    }

    /** Checks the v1 fields of the job added by anOldClientSeesTheV1FieldsAsBefore. */
    private static void assertV1(JsonNode job, String id, String started, String lockedUntil, String completed,
                                 int retries, String lockToken, String what) throws Exception {
        ObjectNode v1 = JSON.createObjectNode();
        for (String key : V1_KEYS)
            v1.set(key, job.get(key));
        ObjectNode expected = (ObjectNode) JSON.valueToTree(map("id", id, "type", "email", "ref_id", "user-1",
                "params", map("to", "a@b.c"), "created", "2026-01-01T00:00:00.000Z", "started", started,
                "locked_until", lockedUntil, "execute_until", "2026-01-01T00:01:00.000Z", "completed", completed,
                "retries", retries, "lock_token", lockToken));
        assertEquals(expected, v1, "the v1 fields of the job " + what);
    }

    /** The text of a field of each object of an array. */
    private static List<String> field(JsonNode array, String name) {
        List<String> values = new ArrayList<>();
        for (JsonNode item : array)
            values.add(item.get(name).asText());
        return values;
    }
}
