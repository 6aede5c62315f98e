package org.servicejobs.persistence;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.servicejobs.TestData.at;
import static org.servicejobs.persistence.JobsLifecycleContract.LIMIT;
import static org.servicejobs.persistence.JobsLifecycleContract.T0;
import static org.servicejobs.persistence.JobsLifecycleContract.assertSameInstant;
import static org.servicejobs.persistence.JobsLifecycleContract.ids;
import static org.servicejobs.persistence.JobsLifecycleContract.idsOf;
import static org.servicejobs.persistence.JobsLifecycleContract.lease;
import static org.servicejobs.persistence.JobsLifecycleContract.moment;
import static org.servicejobs.persistence.JobsLifecycleContract.reread;
import static org.servicejobs.persistence.JobsLifecycleContract.state;
import static org.servicejobs.persistence.JobsLifecycleContract.stored;
import static org.servicejobs.persistence.JobsLifecycleContract.total;

/**
 * The contract of the job lifecycle on every store, continued (see {@link JobsLifecycleContract}):
 * uniqueness beside failed, cancelled and completed jobs, the retention of the cleaner, the state
 * at time boundaries, and the state, search and priority filters.
 */
interface JobsLifecycleFiltersContract extends JobsStoreContract {

    @Test
    default void createUniqueIsBlockedOnlyByAJobThatIsNotFinal() throws Exception {
        IJobsPersistence s = store();
        // One type per case, so that the moments of each type only move forward (the memory index
        // places a type's jobs as of the latest moment it was asked, see JobsIndex).
        JobV1 waiting = s.createUnique(CID, TestData.job("uniq-waiting", "r", at(1_000)), moment(T0));
        assertEquals(waiting, s.createUnique(CID, TestData.job("uniq-waiting", "r", at(2_000)), moment(T0)),
                "a waiting job is returned");
        JobV1 later = TestData.job("uniq-scheduled", "r", at(1_000));
        later.setRunAt(at(T0 + 50_000));
        JobV1 scheduled = s.createUnique(CID, later, moment(T0));
        assertEquals(JobState.SCHEDULED, state(scheduled, T0));
        assertEquals(scheduled, s.createUnique(CID, TestData.job("uniq-scheduled", "r", at(2_000)), moment(T0)),
                "a scheduled job is returned");
        JobV1 toRun = s.createUnique(CID, TestData.job("uniq-running", "r", at(1_000)), moment(T0));
        JobV1 running = s.startJobById(CID, toRun.getId(), lease(T0, T0 + 60_000, LIMIT, "u-run"));
        assertEquals(running, s.createUnique(CID, TestData.job("uniq-running", "r", at(2_000)), moment(T0 + 1)),
                "a running job is returned");

        JobV1 failed = s.createUnique(CID, TestData.job("uniq-failed", "r", at(1_000)), moment(T0));
        s.startJobById(CID, failed.getId(), lease(T0, T0 + 60_000, LIMIT, "u-fail"));
        failed = s.failJob(CID, failed.getId(), "u-fail", at(T0 + 10), "boom");
        assertReplaced(s, failed, T0 + 20, "failed by fail_job");

        JobV1 once = TestData.job("uniq-retries", "r", at(1_000));
        once.setMaxRetries(1);
        JobV1 usedUp = s.createUnique(CID, once, moment(T0));
        usedUp = s.startJobById(CID, usedUp.getId(), lease(T0, T0 + 1_000, LIMIT, "u-once"));
        assertEquals(usedUp, s.createUnique(CID, TestData.job("uniq-retries", "r", at(2_000)), moment(T0 + 999)),
                "running on its last retry: returned");
        assertReplaced(s, usedUp, T0 + 1_000, "failed by its retries (its lease ran out)");

        JobV1 ttl = TestData.job("uniq-ttl", "r", at(1_000));
        ttl.setExecuteUntil(at(T0 + 1_000));
        JobV1 expiring = s.createUnique(CID, ttl, moment(T0));
        assertEquals(expiring, s.createUnique(CID, TestData.job("uniq-ttl", "r", at(2_000)), moment(T0 + 999)),
                "before its ttl: returned");
        assertReplaced(s, expiring, T0 + 1_000, "failed by its ttl");

        JobV1 cancelled = s.createUnique(CID, TestData.job("uniq-cancelled", "r", at(1_000)), moment(T0));
        cancelled = s.cancelJob(CID, cancelled.getId(), moment(T0));
        assertReplaced(s, cancelled, T0 + 20, "cancelled");

        JobV1 completed = s.createUnique(CID, TestData.job("uniq-completed", "r", at(1_000)), moment(T0));
        s.startJobById(CID, completed.getId(), lease(T0, T0 + 60_000, LIMIT, "u-done"));
        completed = s.completeJob(CID, completed.getId(), "u-done", at(T0 + 10), null);
        assertReplaced(s, completed, T0 + 20, "completed");
    }

    /**
     * 16 threads add the same unique job at once while an older failed, an older cancelled and an
     * older job failed by its ttl have its type and ref_id: one new job. On MongoDB the threads
     * use two instances on one database; the memory store's {@link #reopen()} is the store itself,
     * and the file store's is a restart that closes this instance (one instance per folder), so
     * there all threads use the one store.
     */
    @Test
    default void concurrentCreateUniqueBesideFinalJobs() throws Exception {
        IJobsPersistence s = store();
        IJobsPersistence other = s instanceof JobsFilePersistence ? s : reopen();
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 8; round++) {
                String type = "uniq-race-" + round, refId = "race";
                long base = round * 1_000L;
                JobV1 failed = s.createUnique(CID, TestData.job(type, refId, at(base + 1)), moment(T0 - 20_000));
                s.startJobById(CID, failed.getId(), lease(T0 - 20_000, T0 - 10_000, LIMIT, "race-fail"));
                failed = s.failJob(CID, failed.getId(), "race-fail", at(T0 - 19_000), "boom");
                JobV1 cancelled = s.createUnique(CID, TestData.job(type, refId, at(base + 2)), moment(T0 - 18_000));
                cancelled = s.cancelJob(CID, cancelled.getId(), moment(T0 - 18_000));
                JobV1 ttl = TestData.job(type, refId, at(base + 3));
                ttl.setExecuteUntil(at(T0));
                JobV1 expired = s.createUnique(CID, ttl, moment(T0 - 17_000));
                assertEquals(3, new HashSet<>(idsOf(failed, cancelled, expired)).size(), "round " + round + ": 3 jobs");

                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<String>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    IJobsPersistence instance = t % 2 == 0 ? s : other;
                    long created = base + 10 + t;
                    results.add(pool.submit(() -> {
                        start.await();
                        return instance.createUnique(CID, TestData.job(type, refId, at(created)), moment(T0))
                                .getId();
                    }));
                }
                Set<String> answers = new HashSet<>();
                for (Future<String> result : results)
                    answers.add(result.get(1, TimeUnit.MINUTES));
                assertEquals(1, answers.size(), "round " + round + ": every caller gets the same job: " + answers);
                String fresh = answers.iterator().next();
                assertFalse(idsOf(failed, cancelled, expired).contains(fresh), "round " + round + ": a new job");
                assertEquals(Long.valueOf(4), total(s, moment(T0), "type", type, "ref_id", refId),
                        "round " + round + ": exactly one new job");
                assertEquals(List.of(fresh), ids(s, moment(T0), "type", type, "ref_id", refId, "state", "waiting"),
                        "round " + round + ": the new job waits");
                for (JobV1 old : List.of(failed, cancelled, expired))
                    assertEquals(old, reread(s, old), "round " + round + ": the final jobs are kept as they were");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Completed jobs go by completedBefore, failed and cancelled ones by failedBefore (a failure
     * no write recorded dated by {@link JobState#failedAt}); waiting, scheduled and running jobs
     * stay whatever their dates.
     */
    @Test
    default void cleanJobsKeepsEachKindForItsRetention() throws Exception {
        IJobsPersistence s = store();
        long completedBefore = 50_000, failedBefore = 80_000;
        List<JobV1> deleted = new ArrayList<>(), kept = new ArrayList<>();
        deleted.add(clean(s, "completed-early", 1, j -> done(j, 49_999)));
        kept.add(clean(s, "completed-at-limit", 2, j -> done(j, 50_000)));
        kept.add(clean(s, "completed-before-failed-limit", 3, j -> done(j, 60_000)));
        deleted.add(clean(s, "failed-early", 4, j -> failed(j, 79_999)));
        deleted.add(clean(s, "failed-after-completed-limit", 5, j -> failed(j, 60_000)));
        kept.add(clean(s, "failed-at-limit", 6, j -> failed(j, 80_000)));
        deleted.add(clean(s, "cancelled-early", 7, j -> j.setCancelled(at(60_000))));
        kept.add(clean(s, "cancelled-at-limit", 8, j -> j.setCancelled(at(80_000))));
        deleted.add(clean(s, "ttl-early", 9, j -> j.setExecuteUntil(at(79_999))));
        kept.add(clean(s, "ttl-at-limit", 10, j -> j.setExecuteUntil(at(80_000))));
        kept.add(clean(s, "ttl-lock-ended-later", 11, j -> {
            ran(j, 85_000);
            j.setExecuteUntil(at(70_000));
        }));
        deleted.add(clean(s, "ttl-lock-ended-earlier", 12, j -> {
            ran(j, 75_000);
            j.setExecuteUntil(at(70_000));
        }));
        deleted.add(clean(s, "retries-lock-early", 13, j -> {
            ran(j, 79_999);
            j.setRetries(LIMIT);
        }));
        kept.add(clean(s, "retries-lock-at-limit", 14, j -> {
            ran(j, 80_000);
            j.setRetries(LIMIT);
        }));
        deleted.add(clean(s, "retries-created-early", 15, j -> j.setRetries(LIMIT)));
        kept.add(clean(s, "retries-created-late", 85_000, j -> j.setRetries(LIMIT)));
        deleted.add(clean(s, "own-limit-used", 16, j -> {
            ran(j, 10_000);
            j.setMaxRetries(1);
        }));
        kept.add(clean(s, "own-limit-left", 17, j -> {
            ran(j, 10_000);
            j.setRetries(LIMIT);
            j.setMaxRetries(5);
        }));
        kept.add(clean(s, "waiting", 18, j -> { }));
        kept.add(clean(s, "scheduled", 19, j -> j.setRunAt(at(T0 + 10_000))));
        kept.add(clean(s, "running", 20, j -> ran(j, T0 + 1)));
        kept.add(clean(s, "running-past-ttl", 21, j -> {
            ran(j, T0 + 1);
            j.setExecuteUntil(at(1_000));
        }));
        kept.add(clean(s, "running-last-retry", 22, j -> {
            ran(j, T0 + 1);
            j.setRetries(LIMIT);
        }));

        long count = s.cleanJobs(CID, moment(T0), at(completedBefore), at(failedBefore));
        List<String> gone = new ArrayList<>(), left = new ArrayList<>();
        for (JobV1 job : deleted) {
            if (reread(s, job) != null)
                left.add(job.getRefId());
        }
        for (JobV1 job : kept) {
            if (!job.equals(reread(s, job)))
                gone.add(job.getRefId());
        }
        assertEquals(List.of(), left, "these should have been deleted");
        assertEquals(List.of(), gone, "these should have been kept unchanged");
        assertEquals(deleted.size(), count, "the count of deleted jobs");
        assertEquals(Long.valueOf(kept.size()), total(s, moment(T0)), "the jobs left");
        assertEquals(0L, s.cleanJobs(CID, moment(T0), at(completedBefore), at(failedBefore)), "nothing left to clean");
    }

    /** A lock, a run_at and a ttl end exactly at their time, as the state filter and the classifier say. */
    @Test
    default void statesChangeExactlyAtTheirTimes() throws Exception {
        IJobsPersistence s = store();
        long t = T0 + 10_000;
        JobV1 created = s.create(CID, TestData.job("bound-lock", "r", at(1_000)));
        JobV1 running = s.startJobById(CID, created.getId(), lease(T0, t, LIMIT, "bound"));
        JobV1 scheduled = stored(s, "bound-run-at", "r", 2_000, j -> j.setRunAt(at(t)));
        JobV1 expiring = stored(s, "bound-ttl", "r", 3_000, j -> j.setExecuteUntil(at(t)));
        List<JobV1> jobs = List.of(running, scheduled, expiring);
        List<JobState> before = List.of(JobState.RUNNING, JobState.SCHEDULED, JobState.WAITING);
        List<JobState> after = List.of(JobState.WAITING, JobState.WAITING, JobState.FAILED);

        for (long now : new long[]{t - 1, t, t + 1}) {
            List<JobState> expected = now < t ? before : after;
            List<JobState> listed = new ArrayList<>(), classified = new ArrayList<>();
            for (JobV1 job : jobs) {
                listed.add(listedState(s, job, now));
                classified.add(state(reread(s, job), now));
            }
            assertEquals(expected, listed, "the state filter at T" + (now - t) + ": locked_until, run_at, execute_until = T");
            assertEquals(expected, classified, "JobState.of at T" + (now - t));
        }
    }

    @Test
    default void filterByState() throws Exception {
        IJobsPersistence s = store();
        JobV1 waiting = stored(s, "state-filter", "waiting", 1, j -> { });
        JobV1 scheduled = stored(s, "state-filter", "scheduled", 2, j -> j.setRunAt(at(T0 + 1)));
        JobV1 running = stored(s, "state-filter", "running", 3, j -> ran(j, T0 + 1));
        JobV1 completed = stored(s, "state-filter", "completed", 4, j -> done(j, 50_000));
        JobV1 failed = stored(s, "state-filter", "failed", 5, j -> failed(j, 50_000));
        JobV1 expired = stored(s, "state-filter", "expired", 6, j -> j.setExecuteUntil(at(T0)));
        JobV1 cancelled = stored(s, "state-filter", "cancelled", 7, j -> j.setCancelled(at(50_000)));
        JobV1 otherType = stored(s, "state-other", "waiting", 8, j -> { });
        JobMoment now = moment(T0);

        assertEquals(idsOf(scheduled, running), ids(s, moment(T0 - 1), "state", "scheduled,running"), "an earlier moment");
        assertEquals(idsOf(waiting, otherType), ids(s, now, "state", "waiting"), "waiting");
        assertEquals(idsOf(scheduled), ids(s, now, "state", "scheduled"), "scheduled");
        assertEquals(idsOf(running), ids(s, now, "state", "running"), "running");
        assertEquals(idsOf(completed), ids(s, now, "state", "completed"), "completed");
        assertEquals(idsOf(failed, expired), ids(s, now, "state", "failed"), "failed: by fail_job and by its ttl");
        assertEquals(idsOf(cancelled), ids(s, now, "state", "cancelled"), "cancelled");
        assertEquals(idsOf(failed, expired, cancelled), ids(s, now, "state", "failed,cancelled"), "a list of states");
        assertEquals(idsOf(waiting, running, otherType), ids(s, now, "state", "running,waiting"), "a list, in page order");
        assertEquals(idsOf(waiting), ids(s, now, "type", "state-filter", "state", "waiting"), "with type");
        assertEquals(Long.valueOf(3), total(s, now, "state", "failed,cancelled"), "the total counts the matches");
        assertEquals(List.of(), ids(s, moment(T0 + 1), "state", "scheduled,running"), "a later moment");

        for (String bad : List.of("done", "waiting,done", "finished")) {
            BadRequestException error = assertThrows(BadRequestException.class,
                    () -> s.getPageByFilter(CID, FilterParams.fromTuples("state", bad), null, now), "state " + bad);
            assertEquals("INVALID_FILTER", error.getCode(), "state " + bad);
        }
    }

    @Test
    default void filterBySearch() throws Exception {
        IJobsPersistence s = store();
        JobV1 hello = stored(s, "search", "greeting-1", 1, j -> j.setParams(Map.of("text", "Hello World")));
        JobV1 inRef = stored(s, "search", "ORDER-Hello-7", 2, j -> j.setParams(Map.of("n", 1)));
        JobV1 bye = stored(s, "search", "plain", 3, j -> j.setParams(Map.of("text", "goodbye")));
        JobV1 otherType = stored(s, "search-other", "greeting-2", 4, j -> j.setParams(Map.of("text", "hello world")));
        JobV1 paren = stored(s, "search", "paren", 5, j -> j.setParams(Map.of("cost", "10 (usd)")));
        JobV1 unicode = stored(s, "search", "unicode", 6, j -> j.setParams(Map.of("word", "\u00c4rger")));
        JobV1 noParams = stored(s, "search", "no-params", 7, j -> j.setParams(null));
        JobMoment now = moment(T0);

        assertEquals(idsOf(hello, otherType), ids(s, now, "search", "hello wor"), "a param value, any case");
        assertEquals(idsOf(hello, inRef, otherType), ids(s, now, "search", "HELLO"), "in params or ref_id");
        assertEquals(idsOf(inRef), ids(s, now, "search", "order-hello"), "in ref_id, any case");
        assertEquals(idsOf(hello, bye, otherType), ids(s, now, "search", "text"), "the params' JSON text has the keys");
        assertEquals(idsOf(paren), ids(s, now, "search", "(usd)"), "literal text");
        assertEquals(List.of(), ids(s, now, "search", ".*"), "not a pattern");
        assertEquals(idsOf(unicode), ids(s, now, "search", "\u00e4rg"), "non-ASCII text, any case");
        assertEquals(idsOf(unicode), ids(s, now, "search", "\u00c4RGER"), "non-ASCII text, any case");
        assertEquals(idsOf(noParams), ids(s, now, "search", "no-par"), "a job without params by its ref_id");
        assertEquals(List.of(), ids(s, now, "search", "nothing like it"), "no match");
        assertEquals(idsOf(hello, inRef), ids(s, now, "type", "search", "search", "hello"), "with type");

        assertEquals(List.of(), ids(s, now, "search", "hello", "state", "running"), "with state");
        s.startJobById(CID, hello.getId(), lease(T0, T0 + 60_000, LIMIT, "search"));
        assertEquals(idsOf(hello), ids(s, moment(T0 + 1), "search", "hello", "state", "running"), "with state");
        DataPage<JobV1> page = s.getPageByFilter(CID, FilterParams.fromTuples("search", "hello"),
                new PagingParams(1, 1, true), now);
        assertEquals(List.of(inRef.getId()), idsOf(page.getData().toArray(new JobV1[0])), "with paging");
        assertEquals(Long.valueOf(3), page.getTotal(), "the total counts every match");
    }

    @Test
    default void filterByPriority() throws Exception {
        IJobsPersistence s = store();
        JobV1 zero = stored(s, "priority", "zero", 1, j -> { });
        JobV1 five = stored(s, "priority", "five", 2, j -> j.setPriority(5));
        JobV1 negative = stored(s, "priority", "negative", 3, j -> j.setPriority(-1));
        JobV1 otherFive = stored(s, "priority-other", "five", 4, j -> j.setPriority(5));
        JobMoment now = moment(T0);

        assertEquals(idsOf(five, otherFive), ids(s, now, "priority", "5"), "priority 5");
        assertEquals(idsOf(zero), ids(s, now, "priority", "0"), "the default priority");
        assertEquals(idsOf(negative), ids(s, now, "priority", "-1"), "a negative priority");
        assertEquals(List.of(), ids(s, now, "priority", "7"), "no such priority");
        assertEquals(idsOf(five), ids(s, now, "type", "priority", "priority", "5"), "with type");
        BadRequestException error = assertThrows(BadRequestException.class,
                () -> s.getPageByFilter(CID, FilterParams.fromTuples("priority", "high"), null, now), "priority high");
        assertEquals("INVALID_FILTER", error.getCode());
    }

    // ---------------------------------------------------------------- helpers

    /** A new job of the same type and ref_id is added beside a final one, and is the one returned after. */
    private static void assertReplaced(IJobsPersistence s, JobV1 old, long nowMillis, String why)
            throws ApplicationException {
        JobV1 fresh = s.createUnique(CID, TestData.job(old.getType(), old.getRefId(), at(5_000)), moment(nowMillis));
        assertNotEquals(old.getId(), fresh.getId(), why + ": does not block a new job");
        assertSameInstant(at(5_000), fresh.getCreated(), why + ": the new job is stored");
        assertEquals(JobState.WAITING, state(fresh, nowMillis), why + ": the new job waits");
        assertEquals(old, reread(s, old), why + ": the old job is kept as it was");
        assertEquals(Long.valueOf(2), total(s, moment(nowMillis), "type", old.getType(), "ref_id", old.getRefId()),
                why + ": two jobs");
        assertEquals(fresh, s.createUnique(CID, TestData.job(old.getType(), old.getRefId(), at(6_000)),
                moment(nowMillis)), why + ": the new job is returned after");
    }

    /** The one state whose filter lists a job at a time (by its type, so that a store reads its state index). */
    private static JobState listedState(IJobsPersistence s, JobV1 job, long nowMillis) throws ApplicationException {
        List<JobState> states = new ArrayList<>();
        for (JobState state : JobState.values()) {
            if (ids(s, moment(nowMillis), "type", job.getType(), "state", state.wireName()).contains(job.getId()))
                states.add(state);
        }
        assertEquals(1, states.size(), () -> job.getType() + " at T" + nowMillis + " is listed in one state: " + states);
        return states.get(0);
    }

    private static JobV1 clean(IJobsPersistence s, String refId, long createdMillis, Consumer<JobV1> setup)
            throws ApplicationException {
        return stored(s, "clean-life", refId, createdMillis, setup);
    }

    /** Leased once, its lock ending at a time. */
    private static void ran(JobV1 job, long lockedUntilMillis) {
        job.setStarted(at(lockedUntilMillis - 5_000));
        job.setLockedUntil(at(lockedUntilMillis));
        job.setRetries(1);
        job.setLockToken("ran-" + lockedUntilMillis);
    }

    private static void done(JobV1 job, long completedMillis) {
        job.setStarted(at(completedMillis - 1));
        job.setCompleted(at(completedMillis));
        job.setRetries(1);
    }

    private static void failed(JobV1 job, long failedMillis) {
        job.setStarted(at(failedMillis - 1));
        job.setFailed(at(failedMillis));
        job.setRetries(1);
    }
}
