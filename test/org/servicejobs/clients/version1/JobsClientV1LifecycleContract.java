package org.servicejobs.clients.version1;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.errors.NotFoundException;
import org.servicejobs.data.version1.JobBackoffV1;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.JobsBatchV1;
import org.servicejobs.data.version1.NewJobV1;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.servicejobs.clients.version1.JobsClientV1Contract.assertBetween;
import static org.servicejobs.clients.version1.JobsClientV1Contract.assertError;
import static org.servicejobs.clients.version1.JobsClientV1Contract.assertSameInstant;
import static org.servicejobs.clients.version1.JobsClientV1Contract.lease;
import static org.servicejobs.clients.version1.JobsClientV1Contract.newJob;
import static org.servicejobs.clients.version1.JobsClientV1Contract.now;
import static org.servicejobs.clients.version1.JobsClientV1Contract.withPriority;

/**
 * The contract of a worker's calls of {@link IJobsClientV1} beyond the first protocol: batch
 * adds, leases and completes, fail, the progress of an extend, the error and delay of an abort,
 * the result of a complete, the new fields of a job and its errors.
 */
interface JobsClientV1LifecycleContract extends JobsClientV1Contract {

    @Test
    default void addJobsAddsEveryJobInTheOrderGiven() throws Exception {
        NewJobV1 scheduled = newJob("batch", "b-2");
        scheduled.setDelay(HOUR);
        ZonedDateTime before = now();
        List<JobV1> added = client().addJobs(CID, List.of(new NewJobV1("batch", "b-1", 60_000L, Map.of("n", 1)),
                scheduled, withPriority("other", "o-3", 5)));
        ZonedDateTime after = now();

        assertEquals(List.of("b-1", "b-2", "o-3"), refIds(added), "the jobs in the order of the batch");
        assertEquals(List.of("batch", "batch", "other"), added.stream().map(JobV1::getType).toList(), "types");
        assertEquals(3, added.stream().map(JobV1::getId).distinct().count(), "each job its own id");
        assertEquals(List.of(JobState.WAITING, JobState.SCHEDULED, JobState.WAITING),
                added.stream().map(JobV1::getState).toList(), "states");
        assertEquals(Map.of("n", 1), added.get(0).getParams(), "params");
        assertSameInstant(added.get(0).getCreated().plus(60_000, ChronoUnit.MILLIS), added.get(0).getExecuteUntil(),
                "execute_until: created + ttl");
        assertSameInstant(added.get(1).getCreated().plus(HOUR, ChronoUnit.MILLIS), added.get(1).getRunAt(),
                "run_at: created + delay");
        assertEquals(5, added.get(2).getPriority(), "priority");
        for (JobV1 job : added) {
            assertBetween(before, job.getCreated(), after, "created");
            assertEquals(0, job.getRetries(), "retries of a new job");
            assertEquals(job, client().getJobById(CID, job.getId()), "the stored job is the answered one");
        }
        assertEquals(Set.copyOf(ids(added)), Set.copyOf(ids(client().getJobs(CID, null, null).getData())),
                "the jobs stored");
    }

    @Test
    default void addJobsAddsNoneWhenOneIsRefused() throws Exception {
        BadRequestException priority = assertError(BadRequestException.class, 400, "INVALID_PRIORITY",
                () -> client().addJobs(CID, List.of(newJob("batch", "b-1"), newJob("batch", "b-2"),
                        withPriority("batch", "b-3", 5000))));
        assertEquals("2", priority.getDetails().getAsString("index"), "the index of the refused job");
        assertTrue(priority.getMessage().contains("new_jobs[2]"), "the message names the index: " + priority.getMessage());

        BadRequestException type = assertError(BadRequestException.class, 400, "MISSING_TYPE",
                () -> client().addJobs(CID, List.of(newJob("batch", "b-1"), newJob("", "b-2"))));
        assertEquals("1", type.getDetails().getAsString("index"), "the index of the refused job");

        assertError(BadRequestException.class, 400, "INVALID_BATCH_SIZE", () -> client().addJobs(CID, List.of()));
        List<NewJobV1> tooMany = IntStream.range(0, 1001).mapToObj(i -> newJob("batch", "b-" + i)).toList();
        assertError(BadRequestException.class, 400, "INVALID_BATCH_SIZE", () -> client().addJobs(CID, tooMany));

        assertTrue(client().getJobs(CID, null, null).getData().isEmpty(), "a refused batch added jobs");
    }

    @Test
    default void startJobsByTypeLeasesUpToTheCountEachJobWithItsOwnLockToken() throws Exception {
        client().addJobs(CID, List.of(withPriority("batch", "low", 1), withPriority("batch", "high", 5),
                withPriority("batch", "middle", 3)));
        JobV1 other = client().addJob(CID, newJob("other", "o-1"));

        List<JobV1> first = client().startJobsByType(CID, "batch", LEASE, 2, 0);
        assertEquals(List.of("high", "middle"), refIds(first), "the highest priorities first");
        for (JobV1 job : first) {
            assertEquals(JobState.RUNNING, job.getState(), "state of a leased job");
            assertEquals(1, job.getRetries(), "retries of a first lease");
            assertNotNull(job.getLockToken(), "lock_token of a leased job");
            assertEquals(job, client().getJobById(CID, job.getId()), "the stored job is the answered one");
        }
        assertNotEquals(first.get(0).getLockToken(), first.get(1).getLockToken(), "each job its own lock_token");
        assertError(ConflictException.class, 409, "JOB_LOCK_LOST",
                () -> client().completeJob(CID, first.get(0).getId(), first.get(1).getLockToken()));
        assertEquals(JobState.COMPLETED, client().completeJob(CID, first.get(0).getId(), first.get(0).getLockToken())
                .getState(), "completed with its own lock_token");

        assertEquals(List.of("low"), refIds(client().startJobsByType(CID, "batch", LEASE, 10, 0)), "the job left");
        List<JobV1> none = client().startJobsByType(CID, "batch", LEASE, 10, 0);
        assertNotNull(none, "no free job is an empty list, not null");
        assertTrue(none.isEmpty(), "no job is left: " + none);
        assertEquals(other, client().getJobById(CID, other.getId()), "a job of another type was leased");

        long start = System.nanoTime();
        assertTrue(client().startJobsByType(CID, "batch", LEASE, 3, 300).isEmpty(), "a wait with no job");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis >= 290 && millis < 10_000, "a wait of 300 ms answered after " + millis + " ms");

        assertError(BadRequestException.class, 400, "INVALID_COUNT", () -> client().startJobsByType(CID, "other", LEASE, 0, 0));
        assertError(BadRequestException.class, 400, "INVALID_COUNT", () -> client().startJobsByType(CID, "other", LEASE, 101, 0));
        assertError(BadRequestException.class, 400, "INVALID_TIMEOUT", () -> client().startJobsByType(CID, "other", 0, 1, 0));
        assertError(BadRequestException.class, 400, "INVALID_WAIT", () -> client().startJobsByType(CID, "other", LEASE, 1, -1));
        assertEquals(other, client().getJobById(CID, other.getId()), "a refused lease leased a job");
    }

    @Test
    default void completeJobsCompletesEachJobItCanAndSaysWhyNotForTheOthers() throws Exception {
        List<JobV1> added = client().addJobs(CID, List.of(withPriority("batch", "a", 3), withPriority("batch", "b", 2),
                withPriority("batch", "waiting", 1)));
        List<JobV1> leased = client().startJobsByType(CID, "batch", LEASE, 2, 0);
        JobV1 a = leased.get(0);
        JobV1 b = leased.get(1);
        JobV1 waiting = added.get(2);

        JobsBatchV1 answer = client().completeJobs(CID, List.of(
                new JobCompletionV1(a.getId(), a.getLockToken(), Map.of("sent", 3)),
                new JobCompletionV1(b.getId(), "not-the-lock-token", null),
                new JobCompletionV1("no-such-job", null, null),
                new JobCompletionV1(waiting.getId(), null, null),
                new JobCompletionV1(a.getId(), a.getLockToken(), null)));

        assertEquals(5, answer.data().size(), "one answer per job: " + answer);
        JobV1 done = answer.data().get(0);
        assertEquals(a.getId(), done.getId(), "the first job");
        assertEquals(JobState.COMPLETED, done.getState(), "state of the completed job");
        assertEquals(Map.of("sent", 3), done.getResult(), "result of the completed job");
        assertEquals(done, client().getJobById(CID, a.getId()), "the stored job is the answered one");
        for (int i = 1; i < 5; i++)
            assertNull(answer.data().get(i), "a refused job has no answer: " + i);
        assertNotNull(answer.errors(), "complete_jobs answers its errors");
        assertEquals(List.of(1, 2, 3, 4), answer.errors().stream().map(e -> e.index()).toList(), "indexes refused");
        assertEquals(List.of("JOB_LOCK_LOST", "JOB_NOT_FOUND", "JOB_NOT_STARTED", "JOB_COMPLETED"),
                answer.errors().stream().map(e -> e.code()).toList(), "the codes of the single calls");
        answer.errors().forEach(error -> assertFalse(error.message() == null || error.message().isEmpty(),
                "an error without a message: " + error));
        assertEquals(b, client().getJobById(CID, b.getId()), "a refused job changed");
        assertEquals(waiting, client().getJobById(CID, waiting.getId()), "a refused job changed");
    }

    @Test
    default void completeJobsRefusesABadBatchWhole() throws Exception {
        JobV1 job = lease(client(), client().addJob(CID, newJob("batch", "a")));

        BadRequestException noId = assertError(BadRequestException.class, 400, "MISSING_JOB_ID",
                () -> client().completeJobs(CID, List.of(new JobCompletionV1(job.getId(), job.getLockToken(), null),
                        new JobCompletionV1("", null, null))));
        assertEquals("1", noId.getDetails().getAsString("index"), "the index of the refused job");
        BadRequestException tooLarge = assertError(BadRequestException.class, 400, "RESULT_TOO_LARGE",
                () -> client().completeJobs(CID, List.of(new JobCompletionV1(job.getId(), job.getLockToken(),
                        "x".repeat(70_000)))));
        assertEquals("0", tooLarge.getDetails().getAsString("index"), "the index of the refused job");
        assertError(BadRequestException.class, 400, "INVALID_BATCH_SIZE", () -> client().completeJobs(CID, List.of()));

        assertEquals(job, client().getJobById(CID, job.getId()), "a refused batch completed a job");
    }

    @Test
    default void failJobFailsTheJobForGoodWithItsError() throws Exception {
        JobV1 job = lease(client(), client().addJob(CID, newJob("work", "w-1")));

        JobV1 failed = client().failJob(CID, job.getId(), job.getLockToken(), "disk full");
        assertEquals(JobState.FAILED, failed.getState(), "state");
        assertBetween(job.getStarted(), failed.getFailed(), now(), "failed");
        assertNull(failed.getLockedUntil(), "locked_until of a failed job");
        assertNull(failed.getLockToken(), "lock_token of a failed job");
        assertEquals(1, failed.getRetries(), "retries");
        assertEquals(List.of(new JobErrorV1(1, failed.getFailed(), "disk full")), failed.getErrors(), "errors");
        assertEquals(failed, client().getJobById(CID, job.getId()), "the stored job is the answered one");

        assertNull(client().startJobByType(CID, "work", LEASE), "a failed job was leased");
        assertError(ConflictException.class, 409, "JOB_FAILED", () -> client().startJobById(CID, job.getId(), LEASE));
        assertError(ConflictException.class, 409, "JOB_FAILED", () -> client().completeJob(CID, job.getId(), job.getLockToken()));
        assertError(ConflictException.class, 409, "JOB_FAILED", () -> client().failJob(CID, job.getId(), job.getLockToken(), null));
        assertEquals(failed, client().getJobById(CID, job.getId()), "a refused call changed the job");

        JobV1 other = lease(client(), client().addJob(CID, newJob("work", "w-2")));
        assertError(BadRequestException.class, 400, "ERROR_TOO_LONG",
                () -> client().failJob(CID, other.getId(), other.getLockToken(), "x".repeat(JobErrorV1.MAX_LENGTH + 1)));
        assertEquals(other, client().getJobById(CID, other.getId()), "a refused fail changed the job");
        JobV1 noText = client().failJob(CID, other.getId(), null, null);
        assertEquals(1, noText.getErrors().size(), "a fail without an error still records one: " + noText.getErrors());
        assertFalse(noText.getErrors().get(0).error().isEmpty(), "the recorded error has a text");

        JobV1 waiting = client().addJob(CID, newJob("work", "w-3"));
        assertError(ConflictException.class, 409, "JOB_NOT_STARTED", () -> client().failJob(CID, waiting.getId(), null, null));
        assertError(ConflictException.class, 409, "JOB_LOCK_LOST", () -> client().failJob(CID, waiting.getId(), "a-token", null));
        assertError(NotFoundException.class, 404, "JOB_NOT_FOUND", () -> client().failJob(CID, "no-such-job", null, null));
        assertEquals(waiting, client().getJobById(CID, waiting.getId()), "a refused fail changed the job");
    }

    @Test
    default void extendJobKeepsTheLastProgress() throws Exception {
        JobV1 job = lease(client(), client().addJob(CID, newJob("work", "w-1")));
        Map<String, Object> progress = Map.of("done", 40, "of", 100);

        JobV1 extended = client().extendJob(CID, job.getId(), LEASE, job.getLockToken(), progress);
        assertEquals(progress, extended.getProgress(), "progress");
        assertEquals(JobState.RUNNING, extended.getState(), "state");
        assertEquals(extended, client().getJobById(CID, job.getId()), "the stored job is the answered one");

        JobV1 again = client().extendJob(CID, job.getId(), LEASE, job.getLockToken());
        assertEquals(progress, again.getProgress(), "an extend without progress keeps the last one");

        String atLimit = "x".repeat(4096 - 2);
        assertError(BadRequestException.class, 400, "PROGRESS_TOO_LARGE",
                () -> client().extendJob(CID, job.getId(), 2 * LEASE, job.getLockToken(), atLimit + "x"));
        assertEquals(again, client().getJobById(CID, job.getId()), "a refused extend changed the job");
        assertEquals(atLimit, client().extendJob(CID, job.getId(), LEASE, job.getLockToken(), atLimit).getProgress(),
                "a progress of exactly 4 KiB of JSON");

        JobV1 completed = client().completeJob(CID, job.getId(), job.getLockToken());
        assertEquals(atLimit, completed.getProgress(), "a completed job keeps its last progress");
    }

    @Test
    default void abortJobRecordsItsErrorAndWaitsItsDelay() throws Exception {
        JobV1 job = lease(client(), client().addJob(CID, newJob("work", "w-1")));

        JobV1 aborted = client().abortJob(CID, job.getId(), job.getLockToken(), "remote busy", HOUR);
        assertEquals(JobState.SCHEDULED, aborted.getState(), "an abort with a delay schedules the job");
        assertEquals(1, aborted.getErrors().size(), "errors: " + aborted.getErrors());
        JobErrorV1 error = aborted.getErrors().get(0);
        assertEquals(1, error.attempt(), "the attempt: the retries of the lease");
        assertEquals("remote busy", error.error(), "the error given");
        assertBetween(job.getStarted(), error.at(), now(), "the time of the error");
        assertSameInstant(error.at().plus(HOUR, ChronoUnit.MILLIS), aborted.getRunAt(), "run_at: the abort + its delay");
        assertNull(aborted.getLockedUntil(), "locked_until");
        assertNull(aborted.getLockToken(), "lock_token");
        assertEquals(1, aborted.getRetries(), "retries are kept");
        assertEquals(aborted, client().getJobById(CID, job.getId()), "the stored job is the answered one");
        assertNull(client().startJobByType(CID, "work", LEASE), "a job scheduled by its abort was leased");
        assertError(ConflictException.class, 409, "JOB_SCHEDULED", () -> client().startJobById(CID, job.getId(), LEASE));

        JobV1 other = lease(client(), client().addJob(CID, newJob("work", "w-2")));
        JobV1 free = client().abortJob(CID, other.getId(), other.getLockToken());
        assertEquals(JobState.WAITING, free.getState(), "without a delay (and no backoff) free at once");
        assertNull(free.getRunAt(), "run_at without a delay");
        assertEquals(1, free.getErrors().size(), "an abort without an error still records one");
        JobV1 again = client().startJobByType(CID, "work", LEASE);
        assertEquals(other.getId(), again.getId(), "the job given back is leased again");
        assertEquals(2, again.getRetries(), "retries of a second lease");

        assertError(BadRequestException.class, 400, "INVALID_DELAY",
                () -> client().abortJob(CID, again.getId(), again.getLockToken(), null, -1L));
        assertError(BadRequestException.class, 400, "ERROR_TOO_LONG",
                () -> client().abortJob(CID, again.getId(), again.getLockToken(), "x".repeat(JobErrorV1.MAX_LENGTH + 1), null));
        assertEquals(again, client().getJobById(CID, again.getId()), "a refused abort changed the job");
        String longest = "\u20ac".repeat(JobErrorV1.MAX_LENGTH);
        assertEquals(longest, client().abortJob(CID, again.getId(), again.getLockToken(), longest, null).getErrors()
                .get(1).error(), "an error of 8192 characters is kept whole");
    }

    @Test
    default void completeJobKeepsTheResult() throws Exception {
        JobV1 job = lease(client(), client().addJob(CID, newJob("work", "w-1")));
        Map<String, Object> result = Map.of("file", "report.pdf", "pages", List.of(1, 2));

        JobV1 completed = client().completeJob(CID, job.getId(), job.getLockToken(), result);
        assertEquals(JobState.COMPLETED, completed.getState(), "state");
        assertEquals(result, completed.getResult(), "result");
        assertEquals(completed, client().getJobById(CID, job.getId()), "the stored job is the answered one");

        JobV1 other = lease(client(), client().addJob(CID, newJob("work", "w-2")));
        String atLimit = "x".repeat(64 * 1024 - 2);
        assertError(BadRequestException.class, 400, "RESULT_TOO_LARGE",
                () -> client().completeJob(CID, other.getId(), other.getLockToken(), atLimit + "x"));
        assertEquals(other, client().getJobById(CID, other.getId()), "a refused complete changed the job");
        assertEquals(atLimit, client().completeJob(CID, other.getId(), other.getLockToken(), atLimit).getResult(),
                "a result of exactly 64 KiB of JSON");

        JobV1 third = lease(client(), client().addJob(CID, newJob("work", "w-3")));
        assertNull(client().completeJob(CID, third.getId(), third.getLockToken()).getResult(), "no result given");
    }

    @Test
    default void newJobFieldsRoundTrip() throws Exception {
        ZonedDateTime runAt = now().plusHours(3);
        NewJobV1 full = new NewJobV1("work", "w-1", 10 * HOUR, Map.of("k", "v"));
        full.setPriority(-7);
        full.setMaxRetries(3);
        full.setRunAt(runAt);
        full.setBackoff(new JobBackoffV1("exponential", 1000, 60_000L));
        JobV1 job = client().addJob(CID, full);
        assertEquals(-7, job.getPriority(), "priority");
        assertEquals(3, job.getMaxRetries(), "max_retries");
        assertSameInstant(runAt, job.getRunAt(), "run_at");
        assertEquals(full.getBackoff(), job.getBackoff(), "backoff");
        assertEquals(JobState.SCHEDULED, job.getState(), "a job with a later run_at");
        assertNull(job.getProgress(), "progress");
        assertNull(job.getResult(), "result");
        assertEquals(List.of(), job.getErrors(), "errors");
        assertEquals(job, client().getJobById(CID, job.getId()), "the stored job is the answered one");

        NewJobV1 delayed = newJob("work", "w-2");
        delayed.setDelay(2 * HOUR);
        delayed.setBackoff(new JobBackoffV1("fixed", 500, null));
        JobV1 later = client().addJob(CID, delayed);
        assertSameInstant(later.getCreated().plus(2 * HOUR, ChronoUnit.MILLIS), later.getRunAt(), "run_at: created + delay");
        assertEquals(delayed.getBackoff(), later.getBackoff(), "a backoff without max_delay");
        assertEquals(later, client().getJobById(CID, later.getId()), "the stored job is the answered one");

        JobV1 plain = client().addJob(CID, newJob("work", "w-3"));
        assertEquals(0, plain.getPriority(), "default priority");
        assertEquals(DEFAULT_MAX_RETRIES, plain.getMaxRetries(), "default max_retries");
        assertNull(plain.getRunAt(), "default run_at");
        assertNull(plain.getBackoff(), "default backoff");
        assertEquals(JobState.WAITING, plain.getState(), "default state");

        NewJobV1 past = newJob("work", "w-4");
        past.setRunAt(now().minusHours(1));
        JobV1 atOnce = client().addJob(CID, past);
        assertNull(atOnce.getRunAt(), "a run_at in the past runs at once");
        assertEquals(JobState.WAITING, atOnce.getState(), "a run_at in the past runs at once");

        JobV1 unique = client().addUniqJob(CID, withPriority("uniq", "u-1", 9));
        assertEquals(9, unique.getPriority(), "priority of a unique job");
        assertEquals(unique, client().addUniqJob(CID, withPriority("uniq", "u-1", 1)), "the open unique job");
    }

    @Test
    default void newJobFieldsOutOfRangeAreRefused() throws Exception {
        Map<String, NewJobV1> refused = new LinkedHashMap<>();
        refused.put("INVALID_MAX_RETRIES", newJob("work", "w-1"));
        refused.get("INVALID_MAX_RETRIES").setMaxRetries(0);
        refused.put("INVALID_PRIORITY", withPriority("work", "w-2", -1001));
        refused.put("INVALID_SCHEDULE", newJob("work", "w-3"));
        refused.get("INVALID_SCHEDULE").setDelay(1000L);
        refused.get("INVALID_SCHEDULE").setRunAt(now().plusHours(1));
        refused.put("INVALID_DELAY", newJob("work", "w-4"));
        refused.get("INVALID_DELAY").setDelay(-1L);
        refused.put("INVALID_RUN_AT", newJob("work", "w-5"));
        refused.get("INVALID_RUN_AT").setRunAt(now().plusYears(200));
        refused.put("INVALID_BACKOFF", newJob("work", "w-6"));
        refused.get("INVALID_BACKOFF").setBackoff(new JobBackoffV1("linear", 1000, null));
        for (Map.Entry<String, NewJobV1> entry : refused.entrySet()) {
            assertError(BadRequestException.class, 400, entry.getKey(), () -> client().addJob(CID, entry.getValue()));
            assertError(BadRequestException.class, 400, entry.getKey(), () -> client().addUniqJob(CID, entry.getValue()));
        }
        assertTrue(client().getJobs(CID, null, null).getData().isEmpty(), "a refused job was added");
    }

    @Test
    default void errorsListTheLastAttemptsOldestFirst() throws Exception {
        NewJobV1 newJob = newJob("work", "w-1");
        newJob.setMaxRetries(12);
        JobV1 job = client().addJob(CID, newJob);

        JobV1 last = null;
        for (int attempt = 1; attempt <= 12; attempt++) {
            JobV1 leased = client().startJobById(CID, job.getId(), LEASE);
            assertEquals(attempt, leased.getRetries(), "retries of lease " + attempt);
            last = client().abortJob(CID, job.getId(), leased.getLockToken(), "attempt " + attempt, null);
        }
        assertEquals(JobState.FAILED, last.getState(), "an abort of the last attempt fails the job");
        List<JobErrorV1> errors = last.getErrors();
        assertEquals(JobErrorV1.MAX_KEPT, errors.size(), "the errors kept: " + errors);
        assertEquals(IntStream.rangeClosed(3, 12).boxed().toList(), errors.stream().map(JobErrorV1::attempt).toList(),
                "the last attempts, oldest first");
        assertEquals(IntStream.rangeClosed(3, 12).mapToObj(i -> "attempt " + i).toList(),
                errors.stream().map(JobErrorV1::error).toList(), "the texts of the last attempts");
        for (int i = 1; i < errors.size(); i++)
            assertFalse(errors.get(i).at().isBefore(errors.get(i - 1).at()), "errors out of time order: " + errors);
        assertSameInstant(errors.get(errors.size() - 1).at(), last.getFailed(), "failed: the time of the last abort");
        assertEquals(last, client().getJobById(CID, job.getId()), "the stored job is the answered one");
        assertError(ConflictException.class, 409, "JOB_RETRIES_EXHAUSTED", () -> client().startJobById(CID, job.getId(), LEASE));
        assertEquals(List.of(job.getId()), ids(client().getJobs(CID, FilterParams.fromTuples("state", "failed"), null)
                .getData()), "the failed job by its state");
    }

    static List<String> refIds(List<JobV1> jobs) {
        return jobs.stream().map(JobV1::getRefId).toList();
    }

    static List<String> ids(List<JobV1> jobs) {
        return jobs.stream().map(JobV1::getId).toList();
    }
}
