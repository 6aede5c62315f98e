package org.servicejobs.clients.version1;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.errors.NotFoundException;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.servicejobs.clients.version1.JobsClientV1Contract.assertBetween;
import static org.servicejobs.clients.version1.JobsClientV1Contract.assertError;
import static org.servicejobs.clients.version1.JobsClientV1Contract.assertSameInstant;
import static org.servicejobs.clients.version1.JobsClientV1Contract.lease;
import static org.servicejobs.clients.version1.JobsClientV1Contract.newJob;
import static org.servicejobs.clients.version1.JobsClientV1Contract.now;

/**
 * The contract of an operator's calls of {@link IJobsClientV1}: cancel, retry and reschedule a
 * job, the statistics by type and state, pause and resume a type.
 */
interface JobsClientV1ManagementContract extends JobsClientV1Contract {

    @Test
    default void cancelJobStopsTheHolderOfItsLease() throws Exception {
        JobV1 job = lease(client(), client().addJob(CID, newJob("work", "w-1")));

        JobV1 cancelled = client().cancelJob(CID, job.getId());
        assertEquals(JobState.CANCELLED, cancelled.getState(), "state");
        assertBetween(job.getStarted(), cancelled.getCancelled(), now(), "cancelled");
        assertNull(cancelled.getLockedUntil(), "locked_until of a cancelled job");
        assertNull(cancelled.getLockToken(), "lock_token of a cancelled job");
        assertEquals(cancelled, client().getJobById(CID, job.getId()), "the stored job is the answered one");

        ConflictException complete = assertError(ConflictException.class, 409, "JOB_CANCELLED",
                () -> client().completeJob(CID, job.getId(), job.getLockToken()));
        assertEquals(job.getId(), complete.getDetails().getAsString("job_id"), "the job in the details");
        assertError(ConflictException.class, 409, "JOB_CANCELLED", () -> client().extendJob(CID, job.getId(), LEASE, job.getLockToken()));
        assertError(ConflictException.class, 409, "JOB_CANCELLED", () -> client().abortJob(CID, job.getId(), job.getLockToken()));
        assertError(ConflictException.class, 409, "JOB_CANCELLED", () -> client().failJob(CID, job.getId(), job.getLockToken(), null));
        assertError(ConflictException.class, 409, "JOB_CANCELLED", () -> client().startJobById(CID, job.getId(), LEASE));
        assertError(ConflictException.class, 409, "JOB_CANCELLED", () -> client().cancelJob(CID, job.getId()));
        assertEquals(cancelled, client().getJobById(CID, job.getId()), "a refused call changed the job");

        JobV1 waiting = client().addJob(CID, newJob("work", "w-2"));
        assertEquals(JobState.CANCELLED, client().cancelJob(CID, waiting.getId()).getState(), "a waiting job cancelled");
        NewJobV1 later = newJob("work", "w-3");
        later.setDelay(HOUR);
        JobV1 scheduled = client().addJob(CID, later);
        assertEquals(JobState.CANCELLED, client().cancelJob(CID, scheduled.getId()).getState(), "a scheduled job cancelled");
        assertNull(client().startJobByType(CID, "work", LEASE), "a cancelled job was leased");

        JobV1 done = lease(client(), client().addJob(CID, newJob("work", "w-4")));
        JobV1 completed = client().completeJob(CID, done.getId(), done.getLockToken());
        assertError(ConflictException.class, 409, "JOB_COMPLETED", () -> client().cancelJob(CID, done.getId()));
        assertEquals(completed, client().getJobById(CID, done.getId()), "a refused cancel changed the job");
        assertError(NotFoundException.class, 404, "JOB_NOT_FOUND", () -> client().cancelJob(CID, "no-such-job"));
    }

    @Test
    default void retryJobMakesAFailedOrCancelledJobWaitingAgain() throws Exception {
        JobV1 job = lease(client(), client().addJob(CID, newJob("work", "w-1")));
        JobV1 failed = client().failJob(CID, job.getId(), job.getLockToken(), "bad input");

        JobV1 retried = client().retryJob(CID, job.getId());
        assertEquals(JobState.WAITING, retried.getState(), "state");
        assertEquals(0, retried.getRetries(), "retries start again");
        assertNull(retried.getFailed(), "failed of a retried job");
        assertNull(retried.getStarted(), "started of a retried job");
        assertEquals(failed.getErrors(), retried.getErrors(), "the errors are kept");
        assertEquals(retried, client().getJobById(CID, job.getId()), "the stored job is the answered one");
        JobV1 again = client().startJobByType(CID, "work", LEASE);
        assertEquals(job.getId(), again.getId(), "the retried job is leased");
        assertEquals(1, again.getRetries(), "retries of the lease after a retry");

        JobV1 cancelled = client().cancelJob(CID, client().addJob(CID, newJob("work", "w-2")).getId());
        JobV1 revived = client().retryJob(CID, cancelled.getId());
        assertEquals(JobState.WAITING, revived.getState(), "a cancelled job retried");
        assertNull(revived.getCancelled(), "cancelled of a retried job");

        assertNotRetryable(revived, "waiting");
        assertNotRetryable(again, "running");
        assertNotRetryable(client().completeJob(CID, again.getId(), again.getLockToken()), "completed");
        assertError(NotFoundException.class, 404, "JOB_NOT_FOUND", () -> client().retryJob(CID, "no-such-job"));
    }

    private void assertNotRetryable(JobV1 job, String state) throws Exception {
        JobV1 before = client().getJobById(CID, job.getId());
        ConflictException error = assertError(ConflictException.class, 409, "JOB_NOT_RETRYABLE",
                () -> client().retryJob(CID, job.getId()));
        assertEquals(state, error.getDetails().getAsString("state"), "the state in the details");
        assertEquals(before, client().getJobById(CID, job.getId()), "a refused retry changed the job");
    }

    @Test
    default void rescheduleJobMovesAWaitingOrScheduledJob() throws Exception {
        JobV1 job = client().addJob(CID, newJob("work", "w-1"));
        ZonedDateTime runAt = now().plusHours(2);

        JobV1 moved = client().rescheduleJob(CID, job.getId(), runAt, null);
        assertEquals(JobState.SCHEDULED, moved.getState(), "state");
        assertSameInstant(runAt, moved.getRunAt(), "run_at");
        assertEquals(moved, client().getJobById(CID, job.getId()), "the stored job is the answered one");
        assertNull(client().startJobByType(CID, "work", LEASE), "a scheduled job was leased");
        assertError(ConflictException.class, 409, "JOB_SCHEDULED", () -> client().startJobById(CID, job.getId(), LEASE));

        ZonedDateTime before = now();
        JobV1 delayed = client().rescheduleJob(CID, job.getId(), null, HOUR);
        ZonedDateTime after = now();
        assertEquals(JobState.SCHEDULED, delayed.getState(), "a scheduled job rescheduled");
        assertBetween(before.plus(HOUR, ChronoUnit.MILLIS), delayed.getRunAt(), after.plus(HOUR, ChronoUnit.MILLIS),
                "run_at: now + delay");

        JobV1 atOnce = client().rescheduleJob(CID, job.getId(), null, 0L);
        assertEquals(JobState.WAITING, atOnce.getState(), "a delay of 0: at once");
        assertNull(atOnce.getRunAt(), "run_at of a delay of 0");
        JobV1 past = client().rescheduleJob(CID, job.getId(), now().minusHours(1), null);
        assertEquals(JobState.WAITING, past.getState(), "a run_at in the past: at once");

        assertError(BadRequestException.class, 400, "INVALID_SCHEDULE", () -> client().rescheduleJob(CID, job.getId(), null, null));
        assertError(BadRequestException.class, 400, "INVALID_SCHEDULE", () -> client().rescheduleJob(CID, job.getId(), runAt, 1000L));
        assertError(BadRequestException.class, 400, "INVALID_DELAY", () -> client().rescheduleJob(CID, job.getId(), null, -1L));
        assertError(BadRequestException.class, 400, "INVALID_RUN_AT",
                () -> client().rescheduleJob(CID, job.getId(), now().plusYears(200), null));
        assertEquals(past, client().getJobById(CID, job.getId()), "a refused reschedule changed the job");

        JobV1 running = client().startJobById(CID, job.getId(), LEASE);
        ConflictException error = assertError(ConflictException.class, 409, "JOB_NOT_WAITING",
                () -> client().rescheduleJob(CID, job.getId(), runAt, null));
        assertEquals("running", error.getDetails().getAsString("state"), "the state in the details");
        assertEquals(running, client().getJobById(CID, job.getId()), "a refused reschedule changed the job");
        assertError(NotFoundException.class, 404, "JOB_NOT_FOUND", () -> client().rescheduleJob(CID, "no-such-job", null, 0L));
    }

    @Test
    default void getJobStatsCountsEachTypeInEachState() throws Exception {
        NewJobV1 later = newJob("stats", "scheduled");
        later.setDelay(HOUR);
        List<JobV1> jobs = client().addJobs(CID, List.of(newJob("stats", "waiting"), later, newJob("stats", "running"),
                newJob("stats", "completed"), newJob("stats", "failed"), newJob("stats", "cancelled")));
        client().addJob(CID, newJob("stats", "waiting-2"));
        JobV1 other = client().addJob(CID, newJob("other", "o-1"));
        lease(client(), jobs.get(2));
        JobV1 completing = lease(client(), jobs.get(3));
        client().completeJob(CID, completing.getId(), completing.getLockToken());
        JobV1 failing = lease(client(), jobs.get(4));
        client().failJob(CID, failing.getId(), failing.getLockToken(), "failed on purpose");
        client().cancelJob(CID, jobs.get(5).getId());

        Map<String, JobTypeStatsV1> stats = client().getJobStats(CID);
        assertEquals(Set.of("stats", "other"), stats.keySet(), "the types with jobs");
        assertEquals(new JobTypeStatsV1(new long[]{2, 1, 1, 1, 1, 1}, jobs.get(0).getCreated(), false),
                stats.get("stats"), "waiting, scheduled, running, completed, failed, cancelled; oldest waiting");
        assertEquals(new JobTypeStatsV1(new long[]{1, 0, 0, 0, 0, 0}, other.getCreated(), false), stats.get("other"),
                "another type");

        assertTrue(client().pauseJobs(CID, "stats"), "paused");
        assertTrue(client().pauseJobs(CID, "idle"), "a type without jobs paused");
        Map<String, JobTypeStatsV1> paused = client().getJobStats(CID);
        assertEquals(Set.of("stats", "other", "idle"), paused.keySet(), "the types with jobs or paused");
        assertEquals(stats.get("stats").withPaused(true), paused.get("stats"), "the same counts, paused");
        assertEquals(stats.get("other"), paused.get("other"), "another type is not paused");
        assertEquals(new JobTypeStatsV1(new long[6], null, true), paused.get("idle"), "a paused type without jobs");
    }

    @Test
    default void pauseJobsStopsLeasesByTypeUntilResumed() throws Exception {
        JobV1 job = client().addJob(CID, newJob("work", "w-1"));
        client().addJob(CID, newJob("other", "o-1"));

        assertTrue(client().pauseJobs(CID, "work"), "pause answers paused");
        assertTrue(client().pauseJobs(CID, "work"), "a second pause answers paused");
        assertNull(client().startJobByType(CID, "work", LEASE), "a job of a paused type was leased");
        assertTrue(client().startJobsByType(CID, "work", LEASE, 5, 0).isEmpty(), "jobs of a paused type were leased");
        assertError(ConflictException.class, 409, "TYPE_PAUSED", () -> client().startJobById(CID, job.getId(), LEASE));
        assertEquals(JobState.WAITING, client().getJobById(CID, job.getId()).getState(), "the paused job waits");
        assertNotNull(client().startJobByType(CID, "other", LEASE), "another type is leased");
        assertEquals(JobState.WAITING, client().addJob(CID, newJob("work", "w-2")).getState(), "adds go on");

        assertFalse(client().resumeJobs(CID, "work"), "resume answers not paused");
        assertFalse(client().resumeJobs(CID, "work"), "a second resume answers not paused");
        assertFalse(client().resumeJobs(CID, "never-paused"), "a type never paused");
        assertEquals(job.getId(), client().startJobById(CID, job.getId(), LEASE).getId(), "leased by id after resume");
        assertEquals(JobState.RUNNING, client().startJobByType(CID, "work", LEASE).getState(), "leased by type after resume");

        assertError(BadRequestException.class, 400, "MISSING_TYPE", () -> client().pauseJobs(CID, ""));
        assertError(BadRequestException.class, 400, "MISSING_TYPE", () -> client().resumeJobs(CID, " "));
    }

    @Test
    default void resumeJobsWakesALongPollOfTheType() throws Exception {
        client().addJob(CID, newJob("poll", "p-1"));
        client().pauseJobs(CID, "poll");
        CountDownLatch waiting = store().watchEmptyLeases("poll");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            // Only the resume can wake it before its wait of 20 s ends (the poll interval is a minute).
            long start = System.nanoTime();
            Future<JobV1> poll = executor.submit(() -> client().startJobByType(CID, "poll", LEASE, 20_000));
            assertTrue(waiting.await(10, TimeUnit.SECONDS), "the long-poll never looked for a job");

            assertFalse(client().resumeJobs(CID, "poll"), "resumed");

            JobV1 leased = poll.get(30, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertNotNull(leased, "the long-poll missed the job of the resumed type");
            assertEquals("p-1", leased.getRefId(), "the job of the resumed type");
            assertTrue(millis < 20_000, "the long-poll took " + millis + " ms: its whole wait");
        } finally {
            executor.shutdownNow();
        }
    }
}
