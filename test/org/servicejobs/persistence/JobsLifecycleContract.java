package org.servicejobs.persistence;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.servicejobs.TestData.at;

/**
 * The contract of the job lifecycle on every store: fail, cancel and retry with their refusals,
 * the error history and its cap, the lost lease recorded once, the last abort, results and
 * progress, and each job's own retry limit. Uniqueness, retention, the state at time boundaries
 * and the state, search and priority filters are in {@link JobsLifecycleFiltersContract}, which
 * shares the static helpers below.
 */
interface JobsLifecycleContract extends JobsStoreContract {
    /** The time most calls act at, in ms after {@link TestData#START}. */
    long T0 = 100_000;
    /** The default retry limit of the calls (jobs without their own). */
    int LIMIT = 3;

    @Test
    default void failJobEndsARunningJobForGood() throws Exception {
        IJobsPersistence s = store();
        JobV1 job = s.create(CID, TestData.job("fail", "running", at(1_000)));
        JobV1 leased = s.startJobById(CID, job.getId(), lease(T0, T0 + 60_000, LIMIT, "fail-1"));
        assertNotNull(leased, "leased");

        assertNull(s.failJob(CID, job.getId(), "fail-other", at(T0 + 500), "boom"), "a wrong lock token is refused");
        assertEquals(leased, reread(s, job), "a refused fail changes nothing");

        JobV1 failed = s.failJob(CID, job.getId(), "fail-1", at(T0 + 500), "boom");
        JobV1 expected = leased.copy();
        expected.setFailed(at(T0 + 500));
        expected.setLockedUntil(null);
        expected.setLockToken(null);
        expected.setErrors(List.of(new JobErrorV1(1, at(T0 + 500), "boom")));
        assertEquals(expected, failed, "failed set, the lock cleared, the error {attempt = retries, at, error} recorded");
        assertEquals(expected, reread(s, job), "the failure is stored");
        assertEquals(JobState.FAILED, JobState.of(failed, at(T0 + 500), LIMIT), "failed at once");
        assertEquals(JobState.FAILED, JobState.of(failed, at(T0 + 10_000_000), 100), "failed for good");

        long later = T0 + 120_000; // after the lock would have ended
        assertNull(s.startJobById(CID, job.getId(), lease(later, later + 1_000, 100, "fail-2")), "no lease by id");
        assertNull(s.startJobByType(CID, "fail", lease(later, later + 1_000, 100, "fail-3")), "no lease by type");
        for (String token : Arrays.asList("fail-1", null)) {
            assertNull(s.extendJob(CID, job.getId(), token, at(later), null), "extend a failed job, token " + token);
            assertNull(s.abortJob(CID, job.getId(), token, abort(T0 + 600)), "abort a failed job, token " + token);
            assertNull(s.completeJob(CID, job.getId(), token, at(T0 + 600), "r"), "complete a failed job, token " + token);
            assertNull(s.failJob(CID, job.getId(), token, at(T0 + 600), "again"), "fail twice, token " + token);
        }
        assertEquals(expected, reread(s, job), "nothing changes a failed job");

        JobV1 waiting = s.create(CID, TestData.job("fail-refused", "waiting", at(2_000)));
        JobV1 completed = s.create(CID, TestData.job("fail-refused", "completed", at(3_000)));
        s.startJobById(CID, completed.getId(), lease(T0, T0 + 60_000, LIMIT, "fail-c"));
        completed = s.completeJob(CID, completed.getId(), "fail-c", at(T0 + 100), null);
        JobV1 cancelled = s.create(CID, TestData.job("fail-refused", "cancelled", at(4_000)));
        cancelled = s.cancelJob(CID, cancelled.getId(), moment(T0));
        for (JobV1 refused : List.of(waiting, completed, cancelled)) {
            assertNull(s.failJob(CID, refused.getId(), null, at(T0 + 200), "boom"), "not running: " + refused.getRefId());
            assertEquals(refused, reread(s, refused), "a refused fail changes nothing: " + refused.getRefId());
        }
        assertNull(s.failJob(CID, "no-such-job", null, at(T0), "boom"), "an unknown id");
    }

    @Test
    default void cancelJobEndsAWaitingScheduledOrRunningJob() throws Exception {
        IJobsPersistence s = store();
        JobV1 waiting = s.create(CID, TestData.job("cancel", "waiting", at(1_000)));
        JobV1 scheduled = stored(s, "cancel", "scheduled", 2_000, j -> j.setRunAt(at(T0 + 50_000)));
        JobV1 created = s.create(CID, TestData.job("cancel", "running", at(3_000)));
        JobV1 running = s.startJobById(CID, created.getId(), lease(T0, T0 + 60_000, LIMIT, "cancel-run"));
        long now = T0 + 1_000;
        assertEquals(List.of(JobState.WAITING, JobState.SCHEDULED, JobState.RUNNING),
                List.of(state(waiting, now), state(scheduled, now), state(running, now)), "the states before");

        for (JobV1 job : List.of(waiting, scheduled, running)) {
            JobV1 cancelled = s.cancelJob(CID, job.getId(), moment(now));
            JobV1 expected = job.copy();
            expected.setCancelled(at(now));
            expected.setLockedUntil(null);
            expected.setLockToken(null);
            assertEquals(expected, cancelled, "cancelled = now, the lock cleared: " + job.getRefId());
            assertEquals(expected, reread(s, job), "the cancel is stored: " + job.getRefId());
            assertNull(s.cancelJob(CID, job.getId(), moment(now + 1)), "cancelling twice: " + job.getRefId());
        }
        JobV1 cancelledRun = reread(s, running);
        for (String token : Arrays.asList("cancel-run", null)) {
            assertNull(s.extendJob(CID, running.getId(), token, at(now + 5_000), "p"), "extend, token " + token);
            assertNull(s.abortJob(CID, running.getId(), token, abort(now + 1)), "abort, token " + token);
            assertNull(s.completeJob(CID, running.getId(), token, at(now + 1), "r"), "complete, token " + token);
            assertNull(s.failJob(CID, running.getId(), token, at(now + 1), "e"), "fail, token " + token);
        }
        assertEquals(cancelledRun, reread(s, running), "the former holder changes nothing");

        long later = T0 + 100_000; // after run_at and the lock's end
        for (JobV1 job : List.of(waiting, scheduled, running)) {
            assertNull(s.startJobById(CID, job.getId(), lease(later, later + 1_000, LIMIT, "c-id")),
                    "a cancelled job is not leased by id: " + job.getRefId());
            assertEquals(JobState.CANCELLED, state(reread(s, job), later), "cancelled for good: " + job.getRefId());
        }
        assertNull(s.startJobByType(CID, "cancel", lease(later, later + 1_000, LIMIT, "c-type")),
                "a cancelled job is not leased by type");

        JobV1 completed = s.create(CID, TestData.job("cancel-refused", "completed", at(4_000)));
        s.startJobById(CID, completed.getId(), lease(T0, T0 + 60_000, LIMIT, "cr-1"));
        completed = s.completeJob(CID, completed.getId(), "cr-1", at(T0 + 100), null);
        JobV1 failed = s.create(CID, TestData.job("cancel-refused", "failed", at(5_000)));
        s.startJobById(CID, failed.getId(), lease(T0, T0 + 60_000, LIMIT, "cr-2"));
        failed = s.failJob(CID, failed.getId(), "cr-2", at(T0 + 100), "boom");
        JobV1 expired = stored(s, "cancel-refused", "expired", 6_000, j -> j.setExecuteUntil(at(T0)));
        for (JobV1 refused : List.of(completed, failed, expired)) {
            assertNull(s.cancelJob(CID, refused.getId(), moment(now)), "final: " + refused.getRefId());
            assertEquals(refused, reread(s, refused), "a refused cancel changes nothing: " + refused.getRefId());
        }
        assertNull(s.cancelJob(CID, "no-such-job", moment(now)), "an unknown id");
    }

    @Test
    default void retryJobMakesAFailedOrCancelledJobWaiting() throws Exception {
        IJobsPersistence s = store();
        JobV1 explicit = s.create(CID, TestData.job("retry", "explicit", at(1_000)));
        s.startJobById(CID, explicit.getId(), lease(T0, T0 + 60_000, LIMIT, "retry-1"));
        JobV1 failed = s.failJob(CID, explicit.getId(), "retry-1", at(T0 + 100), "boom");
        JobErrorV1 oldError = new JobErrorV1(LIMIT, at(50_000), "old error");
        JobV1 usedUp = stored(s, "retry", "used-up", 2_000, j -> {
            j.setRetries(LIMIT);
            j.setErrors(List.of(oldError));
        });
        JobV1 expired = stored(s, "retry", "expired", 3_000, j -> j.setExecuteUntil(at(13_000)));
        JobV1 live = stored(s, "retry", "cancelled", 4_000, j -> j.setExecuteUntil(at(T0 + 500_000)));
        JobV1 cancelled = s.cancelJob(CID, live.getId(), moment(T0 + 200));

        long now = T0 + 1_000;
        assertEquals(List.of(JobState.FAILED, JobState.FAILED, JobState.FAILED, JobState.CANCELLED),
                List.of(state(failed, now), state(usedUp, now), state(expired, now), state(cancelled, now)),
                "failed by fail_job, by its retries, by its ttl; cancelled");
        for (JobV1 job : List.of(failed, usedUp, expired, cancelled)) {
            JobV1 retried = s.retryJob(CID, job.getId(), moment(now));
            JobV1 expected = job.copy();
            expected.setRetries(0);
            expected.setFailed(null);
            expected.setCancelled(null);
            expected.setStarted(null);
            expected.setLockedUntil(null);
            expected.setLockToken(null);
            expected.setRunAt(null);
            if (job == expired)
                expected.setExecuteUntil(at(now + 10_000)); // the ttl (execute_until - created) again from now
            assertEquals(expected, retried, "retries 0, no lease, not failed or cancelled, errors kept: " + job.getRefId());
            assertEquals(expected, reread(s, job), "the retry is stored: " + job.getRefId());
            assertEquals(JobState.WAITING, state(retried, now), "waiting: " + job.getRefId());
            assertNull(s.retryJob(CID, job.getId(), moment(now)), "a waiting job is not retried: " + job.getRefId());
        }
        assertEquals(List.of(new JobErrorV1(1, at(T0 + 100), "boom")), reread(s, failed).getErrors(), "errors kept");
        assertEquals(List.of(oldError), reread(s, usedUp).getErrors(), "errors kept");
        assertSameInstant(at(T0 + 500_000), reread(s, cancelled).getExecuteUntil(), "a ttl that did not run out is kept");

        JobV1 again = s.startJobById(CID, expired.getId(), lease(now + 1, now + 60_000, LIMIT, "retry-2"));
        assertNotNull(again, "a retried job whose ttl ran out can be leased");
        assertEquals(1, again.getRetries(), "its retries start again");
        Set<String> byType = new HashSet<>();
        for (int i = 0; i < 3; i++)
            byType.add(s.startJobByType(CID, "retry", lease(now + 2, now + 60_000, LIMIT, "retry-t" + i)).getId());
        assertEquals(Set.of(failed.getId(), usedUp.getId(), cancelled.getId()), byType, "the others are leased by type");

        assertNull(s.retryJob(CID, expired.getId(), moment(now + 3)), "a running job is not retried");
        assertEquals(again, reread(s, again), "a refused retry changes nothing");
        JobV1 done = s.completeJob(CID, failed.getId(), "retry-t0", at(now + 4), null);
        assertNotNull(done, "the oldest retried job was leased first, by retry-t0");
        assertNull(s.retryJob(CID, done.getId(), moment(now + 5)), "a completed job is not retried");
        assertEquals(done, reread(s, done));
        JobV1 waiting = s.create(CID, TestData.job("retry-refused", "waiting", at(5_000)));
        assertNull(s.retryJob(CID, waiting.getId(), moment(now)), "a waiting job is not retried");
        assertEquals(waiting, reread(s, waiting));
        assertNull(s.retryJob(CID, "no-such-job", moment(now)), "an unknown id");
    }

    /** 12 aborts in a row of a job allowed 20 attempts: the last 10 errors, oldest first. */
    @Test
    default void errorsKeepTheLastTenOldestFirst() throws Exception {
        IJobsPersistence s = store();
        JobV1 job = stored(s, "errors", "r", 1_000, j -> j.setMaxRetries(20));
        List<JobErrorV1> all = new ArrayList<>();
        for (int attempt = 1; attempt <= 12; attempt++) {
            long t = T0 + attempt * 1_000L;
            JobV1 leased = s.startJobByType(CID, "errors", lease(t, t + 500, LIMIT, "errors-" + attempt));
            assertNotNull(leased, "attempt " + attempt + " is leased (own max_retries 20)");
            assertEquals(attempt, leased.getRetries(), "retries");
            JobV1 aborted = s.abortJob(CID, job.getId(), "errors-" + attempt,
                    new JobAbort(at(t + 100), "error " + attempt, null, LIMIT, JobRetry.NONE));
            all.add(new JobErrorV1(attempt, at(t + 100), "error " + attempt));
            assertEquals(all.subList(Math.max(0, all.size() - 10), all.size()), aborted.getErrors(),
                    "the errors after attempt " + attempt);
            assertNull(aborted.getFailed(), "not the last attempt: " + attempt);
        }
        JobV1 last = reread(s, job);
        assertEquals(10, last.getErrors().size(), "10 errors kept");
        assertEquals(all.subList(2, 12), last.getErrors(), "attempts 3 to 12, oldest first");
        assertEquals(JobState.WAITING, state(last, T0 + 20_000), "still waiting");
    }

    /** A lease that ran out is recorded when the store next touches the job, and only then, once. */
    @Test
    default void lostLeaseIsRecordedOnce() throws Exception {
        IJobsPersistence s = store();
        JobErrorV1 lost1 = new JobErrorV1(1, at(T0 + 1_000), JobErrorV1.LEASE_EXPIRED);

        JobV1 byType = s.create(CID, TestData.job("lost-type", "r", at(1_000)));
        s.startJobByType(CID, "lost-type", lease(T0, T0 + 1_000, LIMIT, "a"));
        assertEquals(List.of(), reread(s, byType).getErrors(), "nothing recorded until the job is touched");
        JobV1 second = s.startJobByType(CID, "lost-type", lease(T0 + 2_000, T0 + 3_000, LIMIT, "b"));
        assertEquals(List.of(lost1), second.getErrors(), "leased again by type: at the old locked_until, old retries");
        assertEquals(second, reread(s, byType));
        JobV1 third = s.startJobById(CID, byType.getId(), lease(T0 + 5_000, T0 + 6_000, LIMIT, "c"));
        assertEquals(List.of(lost1, new JobErrorV1(2, at(T0 + 3_000), JobErrorV1.LEASE_EXPIRED)), third.getErrors(),
                "the second lost lease too, the first not again");
        assertNotNull(s.completeJob(CID, byType.getId(), "c", at(T0 + 5_500), null));
        assertEquals(2, reread(s, byType).getErrors().size(), "a completed lease adds none");

        JobV1 byId = s.create(CID, TestData.job("lost-id", "r", at(1_000)));
        s.startJobById(CID, byId.getId(), lease(T0, T0 + 1_000, LIMIT, "a"));
        JobV1 again = s.startJobById(CID, byId.getId(), lease(T0 + 2_000, T0 + 60_000, LIMIT, "b"));
        assertEquals(List.of(lost1), again.getErrors(), "leased again by id");
        assertEquals(List.of(lost1), s.extendJob(CID, byId.getId(), "b", at(T0 + 70_000), null).getErrors(),
                "an extend of the new lease adds none");

        JobV1 toCancel = s.create(CID, TestData.job("lost-cancel", "r", at(1_000)));
        s.startJobById(CID, toCancel.getId(), lease(T0, T0 + 1_000, LIMIT, "a"));
        JobV1 cancelled = s.cancelJob(CID, toCancel.getId(), moment(T0 + 2_000));
        assertEquals(List.of(lost1), cancelled.getErrors(), "cancelled after the lease ran out");
        assertEquals(List.of(lost1), s.retryJob(CID, toCancel.getId(), moment(T0 + 3_000)).getErrors(),
                "a second touch (retry) adds none");
        assertEquals(List.of(lost1), s.startJobById(CID, toCancel.getId(), lease(T0 + 4_000, T0 + 60_000, LIMIT, "b"))
                .getErrors(), "a third touch (lease) adds none");

        JobV1 toRetry = stored(s, "lost-retry", "r", 1_000, j -> j.setMaxRetries(1));
        s.startJobById(CID, toRetry.getId(), lease(T0, T0 + 1_000, LIMIT, "a"));
        assertEquals(JobState.FAILED, state(reread(s, toRetry), T0 + 2_000), "its only retry used");
        JobV1 retried = s.retryJob(CID, toRetry.getId(), moment(T0 + 2_000));
        assertEquals(List.of(lost1), retried.getErrors(), "retried after the lease ran out");
        JobV1 leased = s.startJobById(CID, toRetry.getId(), lease(T0 + 3_000, T0 + 4_000, LIMIT, "b"));
        assertEquals(List.of(lost1), leased.getErrors(), "a second touch (lease) adds none");
        JobErrorV1 lost2 = new JobErrorV1(1, at(T0 + 4_000), JobErrorV1.LEASE_EXPIRED);
        assertEquals(List.of(lost1, lost2), s.retryJob(CID, toRetry.getId(), moment(T0 + 5_000)).getErrors(),
                "its next lease ran out too: recorded on the next retry");
        assertNull(s.retryJob(CID, toRetry.getId(), moment(T0 + 5_001)), "waiting now");
        assertEquals(List.of(lost1, lost2), s.cancelJob(CID, toRetry.getId(), moment(T0 + 6_000)).getErrors(),
                "a cancel after the retry adds none");
    }

    @Test
    default void theLastAbortFailsTheJob() throws Exception {
        IJobsPersistence s = store();
        JobV1 own = stored(s, "last-own", "r", 1_000, j -> j.setMaxRetries(2));
        JobV1 first = s.startJobById(CID, own.getId(), lease(T0, T0 + 60_000, 10, "own-1"));
        JobV1 aborted = s.abortJob(CID, own.getId(), "own-1", new JobAbort(at(T0 + 100), "first", null, 10, JobRetry.NONE));
        JobV1 expected = released(first);
        JobErrorV1 firstError = new JobErrorV1(1, at(T0 + 100), "first");
        expected.setErrors(List.of(firstError));
        assertEquals(expected, aborted, "an earlier attempt: waiting again, not failed");
        assertEquals(JobState.WAITING, state(aborted, T0 + 100));

        JobV1 second = s.startJobById(CID, own.getId(), lease(T0 + 200, T0 + 60_000, 10, "own-2"));
        assertEquals(2, second.getRetries());
        JobV1 failed = s.abortJob(CID, own.getId(), "own-2", new JobAbort(at(T0 + 300), "second", 5_000L, 10, JobRetry.NONE));
        expected = released(second);
        expected.setFailed(at(T0 + 300));
        expected.setErrors(List.of(firstError, new JobErrorV1(2, at(T0 + 300), "second")));
        assertEquals(expected, failed, "its own max_retries 2 reached: failed = the abort's time, no run_at, the error");
        assertEquals(expected, reread(s, own), "stored");
        assertEquals(JobState.FAILED, JobState.of(failed, at(T0 + 300), 100), "failed whatever the default");
        assertNull(s.startJobById(CID, own.getId(), lease(T0 + 400, T0 + 60_000, 100, "own-3")), "not leased again");

        JobV1 byDefault = s.create(CID, TestData.job("last-default", "r", at(1_000)));
        JobV1 lease1 = s.startJobById(CID, byDefault.getId(), lease(T0, T0 + 60_000, 10, "d-1"));
        JobV1 waiting = s.abortJob(CID, byDefault.getId(), "d-1", new JobAbort(at(T0 + 100), "first", null, 2, JobRetry.NONE));
        expected = released(lease1);
        expected.setErrors(List.of(firstError));
        assertEquals(expected, waiting, "retries 1 of the abort's maxRetries 2: waiting");
        JobV1 lease2 = s.startJobById(CID, byDefault.getId(), lease(T0 + 200, T0 + 60_000, 10, "d-2"));
        JobV1 last = s.abortJob(CID, byDefault.getId(), "d-2", new JobAbort(at(T0 + 300), "second", null, 2, JobRetry.NONE));
        expected = released(lease2);
        expected.setFailed(at(T0 + 300));
        expected.setErrors(List.of(firstError, new JobErrorV1(2, at(T0 + 300), "second")));
        assertEquals(expected, last, "retries 2 of the abort's maxRetries 2: failed");
        assertNull(s.startJobById(CID, byDefault.getId(), lease(T0 + 400, T0 + 60_000, 10, "d-3")),
                "failed, though the lease allows 10");
    }

    @Test
    default void resultsAndProgressAreKept() throws Exception {
        IJobsPersistence s = store();
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("sum", 6);
        map.put("items", List.of("a", "b"));
        map.put("nested", Map.of("ok", true));
        List<Object> results = List.of(map, List.of(1, "two", 3.5), "done", 42, 2.5);
        for (int i = 0; i < results.size(); i++) {
            JobV1 job = s.create(CID, TestData.job("result", "r" + i, at(1_000 + i)));
            s.startJobById(CID, job.getId(), lease(T0, T0 + 60_000, LIMIT, "res-" + i));
            JobV1 completed = s.completeJob(CID, job.getId(), "res-" + i, at(T0 + 100), results.get(i));
            assertEquals(results.get(i), completed.getResult(), "the result returned: " + results.get(i));
            assertEquals(results.get(i), reread(s, job).getResult(), "the result stored: " + results.get(i));
        }

        JobV1 job = s.create(CID, TestData.job("progress", "r", at(1_000)));
        s.startJobById(CID, job.getId(), lease(T0, T0 + 10_000, LIMIT, "p"));
        assertEquals(Map.of("done", 1), s.extendJob(CID, job.getId(), "p", at(T0 + 20_000), Map.of("done", 1))
                .getProgress(), "progress returned");
        assertEquals(Map.of("done", 1), reread(s, job).getProgress(), "progress stored");
        s.extendJob(CID, job.getId(), "p", at(T0 + 30_000), Map.of("done", 2, "of", 4));
        assertEquals(Map.of("done", 2, "of", 4), reread(s, job).getProgress(), "the last progress");
        JobV1 kept = s.extendJob(CID, job.getId(), "p", at(T0 + 40_000), null);
        assertEquals(Map.of("done", 2, "of", 4), kept.getProgress(), "null progress keeps the previous one");
        assertSameInstant(at(T0 + 40_000), kept.getLockedUntil(), "the lock still moves");
        s.extendJob(CID, job.getId(), "p", at(T0 + 50_000), 75);
        assertEquals(75, s.extendJob(CID, job.getId(), null, at(T0 + 60_000), null).getProgress(), "a number, kept");
        JobV1 completed = s.completeJob(CID, job.getId(), "p", at(T0 + 55_000), "ok");
        assertEquals(75, completed.getProgress(), "completing keeps the progress");
        assertEquals("ok", completed.getResult());
        assertEquals(completed, reread(s, job));
    }

    /** A job's own max_retries wins over the default of the lease, both ways. */
    @Test
    default void ownMaxRetriesWinsOverTheDefault() throws Exception {
        IJobsPersistence s = store();
        JobV1 one = stored(s, "own-one", "r", 1_000, j -> j.setMaxRetries(1));
        assertNotNull(s.startJobByType(CID, "own-one", lease(T0, T0 + 1_000, 10, "one-1")), "its one attempt");
        long later = T0 + 2_000;
        assertNull(s.startJobByType(CID, "own-one", lease(later, later + 1_000, 10, "one-2")),
                "the lease ran out with its only retry: not leased by type, though the lease allows 10");
        assertNull(s.startJobById(CID, one.getId(), lease(later, later + 1_000, 10, "one-3")), "nor by id");
        assertEquals(JobState.FAILED, JobState.of(reread(s, one), at(later), 10), "failed");
        assertEquals(List.of(one.getId()), ids(s, new JobMoment(at(later), 10), "type", "own-one", "state", "failed"),
                "listed as failed");

        JobV1 five = stored(s, "own-five", "r", 1_000, j -> j.setMaxRetries(5));
        JobV1 none = s.create(CID, TestData.job("own-none", "r", at(1_000)));
        for (int attempt = 1; attempt <= 5; attempt++) {
            long t = T0 + attempt * 10_000L;
            JobV1 leased = s.startJobByType(CID, "own-five", lease(t, t + 1_000, 3, "five-" + attempt));
            assertNotNull(leased, "attempt " + attempt + " of its own 5, beyond the default 3");
            assertEquals(attempt, leased.getRetries());
            JobV1 plain = s.startJobByType(CID, "own-none", lease(t, t + 1_000, 3, "none-" + attempt));
            assertEquals(attempt <= 3, plain != null, "a job without its own limit stops at the default 3: " + attempt);
        }
        long after = T0 + 60_000;
        assertNull(s.startJobByType(CID, "own-five", lease(after, after + 1_000, 3, "five-6")), "its 5 are used");
        assertNull(s.startJobById(CID, five.getId(), lease(after, after + 1_000, 100, "five-7")), "whatever the default");
        assertEquals(5, reread(s, five).getRetries());
        assertEquals(3, reread(s, none).getRetries());
    }

    // ---------------------------------------------------------------- helpers (shared)

    static JobLease lease(long nowMillis, long lockedUntilMillis, int maxRetries, String token) {
        return new JobLease(at(nowMillis), at(lockedUntilMillis), maxRetries, token);
    }

    /** An abort at a time: error "aborted", no delay, the default limit. */
    static JobAbort abort(long nowMillis) {
        return new JobAbort(at(nowMillis), "aborted", null, LIMIT, JobRetry.NONE);
    }

    /** The moment of a call at a time with the default limit. */
    static JobMoment moment(long millis) {
        return new JobMoment(at(millis), LIMIT);
    }

    /** The state of a job at a time with the default limit. */
    static JobState state(JobV1 job, long millis) {
        return JobState.of(job, at(millis), LIMIT);
    }

    /** A leased job as an abort or a lost lease leaves it: no started, locked_until, lock_token. */
    static JobV1 released(JobV1 job) {
        JobV1 copy = job.copy();
        copy.setStarted(null);
        copy.setLockedUntil(null);
        copy.setLockToken(null);
        return copy;
    }

    /** Stores a job of a type and ref_id, created at a time, with fields set by the caller. */
    static JobV1 stored(IJobsPersistence store, String type, String refId, long createdMillis, Consumer<JobV1> setup)
            throws ApplicationException {
        JobV1 job = TestData.job(type, refId, at(createdMillis));
        setup.accept(job);
        return store.create(CID, job);
    }

    static JobV1 reread(IJobsPersistence store, JobV1 job) throws ApplicationException {
        return store.getOneById(CID, job.getId());
    }

    /** The ids of the jobs a filter lists at a moment, in page order. */
    static List<String> ids(IJobsPersistence store, JobMoment at, String... filterTuples) throws ApplicationException {
        List<String> ids = new ArrayList<>();
        for (JobV1 job : store.getPageByFilter(CID, FilterParams.fromTuples((Object[]) filterTuples), null, at).getData())
            ids.add(job.getId());
        return ids;
    }

    /** How many jobs a filter matches at a moment. */
    static Long total(IJobsPersistence store, JobMoment at, String... filterTuples) throws ApplicationException {
        return store.getPageByFilter(CID, FilterParams.fromTuples((Object[]) filterTuples), new PagingParams(0, 1, true),
                at).getTotal();
    }

    static List<String> idsOf(JobV1... jobs) {
        List<String> ids = new ArrayList<>();
        for (JobV1 job : jobs)
            ids.add(job.getId());
        return ids;
    }

    static void assertSameInstant(ZonedDateTime expected, ZonedDateTime actual, String what) {
        assertNotNull(actual, what);
        assertEquals(expected.toInstant(), actual.toInstant(), what);
    }
}
