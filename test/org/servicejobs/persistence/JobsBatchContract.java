package org.servicejobs.persistence;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConflictException;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobV1;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.servicejobs.TestData.at;

/**
 * The contract of the batch operations on every store: createMany, startJobsByType and
 * completeJobs (their concurrency: {@link JobsBatchConcurrencyContract}).
 */
interface JobsBatchContract extends JobsBatchConcurrencyContract {
    /** Offsets from {@link TestData#START} in milliseconds; names of their own, as the contracts share a class. */
    long BATCH_NOW = 100_000;
    long BATCH_UNTIL = 160_000;
    int BATCH_MAX_RETRIES = 3;

    // ---------------------------------------------------------------- createMany

    /** 1000 jobs in one call: answered in the order given, each with its id, each stored as answered. */
    @Test
    default void createManyStoresEveryJobInTheOrderGiven() throws Exception {
        IJobsPersistence store = store();
        assertEquals(List.of(), store.createMany(CID, List.of()), "an empty batch answers no job");
        assertEquals(0L, batchCount(store, "type", "batch-many"), "an empty batch stores nothing");

        int jobCount = 1000;
        List<JobV1> given = new ArrayList<>();
        for (int i = 0; i < jobCount; i++) {
            JobV1 job;
            if (i % 100 == 7) {
                // A given id is kept; a later created time puts these after the others.
                job = TestData.job("batch-many", "ref-" + i, at(50_000 + i));
                job.setId("batch-many-explicit-" + i);
            } else {
                // One millisecond for all: their ids alone keep the order given.
                job = TestData.job("batch-many", "ref-" + i, at(1_000));
            }
            job.setPriority(i % 3);
            if (i % 5 == 0)
                job.setRunAt(at(200_000 + i));
            if (i % 7 == 0)
                job.setMaxRetries(5);
            if (i % 11 == 0)
                job.setExecuteUntil(at(900_000));
            given.add(job);
        }
        List<JobV1> copies = new ArrayList<>();
        for (JobV1 job : given)
            copies.add(job.copy());

        List<JobV1> stored = store.createMany(CID, given);
        assertEquals(jobCount, stored.size(), "one answer per job");
        Set<String> ids = new HashSet<>();
        List<String> generatedOrder = new ArrayList<>();
        List<String> explicitOrder = new ArrayList<>();
        for (int i = 0; i < jobCount; i++) {
            JobV1 answer = stored.get(i);
            JobV1 expected = copies.get(i).copy();
            assertNotNull(answer.getId(), "an id is assigned to job " + i);
            if (expected.getId() == null)
                expected.setId(answer.getId());
            assertEquals(expected, answer, "answer " + i + " is job " + i + " as given, with its id");
            assertEquals(answer, store.getOneById(CID, answer.getId()), "job " + i + " is stored as answered");
            ids.add(answer.getId());
            (i % 100 == 7 ? explicitOrder : generatedOrder).add(answer.getId());
        }
        assertEquals(jobCount, ids.size(), "every job gets its own id");
        List<String> order = new ArrayList<>(generatedOrder);
        order.addAll(explicitOrder);
        assertEquals(order, batchIds(store, "batch-many"),
                "jobs of one millisecond are stored in the order given (created, then id)");

        IJobsPersistence other = reopen();
        for (JobV1 answer : stored)
            assertEquals(answer, other.getOneById(CID, answer.getId()), "another instance or a restart reads the job");
        assertEquals(Long.valueOf(jobCount), batchCount(other, "type", "batch-many"));
    }

    /** A batch with a job whose id is taken is refused whole: nothing of it is stored. */
    @Test
    default void createManyIsAllOrNone() throws Exception {
        IJobsPersistence store = store();
        JobV1 taken = TestData.job("batch-conflict", "taken", at(500));
        taken.setId("batch-taken");
        JobV1 existing = store.create(CID, taken);

        for (int index : new int[]{0, 10, 20}) {
            List<JobV1> batch = new ArrayList<>();
            List<String> newIds = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                JobV1 job = TestData.job("batch-conflict", "new-" + i, at(1_000 + i));
                if (i % 2 == 0) {
                    job.setId("batch-new-" + index + "-" + i);
                    newIds.add(job.getId());
                }
                batch.add(job);
            }
            JobV1 conflict = TestData.job("batch-conflict", "again", at(2_000));
            conflict.setId("batch-taken");
            batch.add(index, conflict);

            ConflictException error = assertThrows(ConflictException.class, () -> store.createMany(CID, batch),
                    "a taken id at index " + index);
            assertEquals("JOB_ALREADY_EXISTS", error.getCode(), "the code of a taken id at index " + index);
            for (String id : newIds)
                assertNull(store.getOneById(CID, id), "taken id at index " + index + ": nothing is stored, not " + id);
            assertEquals(1L, batchCount(store, "type", "batch-conflict"),
                    "taken id at index " + index + ": only the job that was there");
            assertEquals(existing, store.getOneById(CID, "batch-taken"), "the job that was there is unchanged");
        }

        List<JobV1> twice = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            JobV1 job = TestData.job("batch-conflict", "twice-" + i, at(3_000 + i));
            job.setId(i == 1 || i == 3 ? "batch-twice" : "batch-twice-" + i);
            twice.add(job);
        }
        ConflictException error = assertThrows(ConflictException.class, () -> store.createMany(CID, twice),
                "an id twice in one batch");
        assertEquals("JOB_ALREADY_EXISTS", error.getCode());
        for (String id : List.of("batch-twice", "batch-twice-0", "batch-twice-2", "batch-twice-4"))
            assertNull(store.getOneById(CID, id), "an id twice in one batch: nothing is stored, not " + id);
        assertEquals(1L, batchCount(store, "type", "batch-conflict"), "an id twice in one batch: nothing is stored");

        twice.remove(3);
        assertEquals(4, store.createMany(CID, twice).size(), "the batch without the second use of the id");
        assertEquals(5L, batchCount(store, "type", "batch-conflict"), "a refused batch reserves none of its ids");
        assertEquals(5L, batchCount(reopen(), "type", "batch-conflict"), "another instance or a restart agrees");
    }

    // ---------------------------------------------------------------- startJobsByType

    /** Leases come in lease order, each job with the terms of its own lease; fewer when fewer are free. */
    @Test
    default void startJobsByTypeLeasesInLeaseOrderWithTheTermsOfEachLease() throws Exception {
        IJobsPersistence store = store();
        JobV1 low = batchJob(store, "batch-order", null, 1_000, 0, null);
        JobV1 mid = batchJob(store, "batch-order", null, 500, 2, null);
        // Free since its run_at (4 s), though created before high.
        JobV1 late = batchJob(store, "batch-order", null, 1_500, 5, 4_000L);
        JobV1 high = batchJob(store, "batch-order", null, 3_000, 5, null);
        // Free since the same moment: by id.
        JobV1 tieB = batchJob(store, "batch-order", "batch-order-b", 3_500, 5, null);
        JobV1 tieA = batchJob(store, "batch-order", "batch-order-a", 3_500, 5, null);
        // A lease that ran out: free again, its loss recorded by the next lease.
        JobV1 lost = batchJob(store, "batch-order", null, 600, 1, null);
        lost = store.startJobById(CID, lost.getId(), batchLease(BATCH_NOW - 10_000, BATCH_NOW - 5_000, "lost"));
        assertNotNull(lost, "a lease that will run out");
        JobV1 other = batchJob(store, "batch-order-other", null, 10, 9, null);

        assertEquals(List.of(), store.startJobsByType(CID, "batch-order", List.of()), "no lease, no job");

        List<JobLease> first = batchLeases(3, "first");
        List<JobV1> leased = store.startJobsByType(CID, "batch-order", first);
        assertEquals(batchLeasedCopies(List.of(high, tieA, tieB), first), leased,
                "priority first, then the longest free, then id; each with its own lease");
        for (JobV1 job : leased)
            assertEquals(job, store.getOneById(CID, job.getId()), "the lease is stored");

        List<JobLease> second = batchLeases(10, "second");
        leased = store.startJobsByType(CID, "batch-order", second);
        assertEquals(4, leased.size(), "fewer jobs than leases: the free ones");
        assertEquals(List.of(JobsPersistenceFixture.leasedCopy(late, second.get(0)), JobsPersistenceFixture.leasedCopy(mid, second.get(1)),
                JobsPersistenceFixture.leasedCopy(lost, second.get(2)),
                JobsPersistenceFixture.leasedCopy(low, second.get(3))), leased,
                "the rest in lease order, with the first leases; the lost lease recorded as an error");
        assertEquals(1, leased.get(2).getErrors().size(), "the lease that ran out is an error");
        for (JobV1 job : leased)
            assertEquals(job, store.getOneById(CID, job.getId()), "the lease is stored");

        assertEquals(List.of(), store.startJobsByType(CID, "batch-order", batchLeases(5, "third")), "none is free");
        assertEquals(List.of(), store.startJobsByType(CID, "batch-no-such-type", batchLeases(5, "fourth")),
                "no job of the type");
        assertEquals(other, store.getOneById(CID, other.getId()), "jobs of other types are not touched");
    }

    /** Scheduled, running and final jobs are skipped; a paused type gives no job. */
    @Test
    default void startJobsByTypeSkipsJobsThatAreNotWaitingAndPausedTypes() throws Exception {
        IJobsPersistence store = store();
        List<JobV1> notFree = new ArrayList<>();
        notFree.add(batchStore(store, "batch-skip", 100, j -> j.setRunAt(at(BATCH_NOW + 1))));
        notFree.add(batchStore(store, "batch-skip", 200, j -> {
            j.setStarted(at(BATCH_NOW - 1_000));
            j.setLockedUntil(at(BATCH_NOW + 1));
            j.setRetries(1);
            j.setLockToken("someone-else");
        }));
        notFree.add(batchStore(store, "batch-skip", 300, j -> {
            j.setStarted(at(50_000));
            j.setCompleted(at(60_000));
            j.setRetries(1);
        }));
        notFree.add(batchStore(store, "batch-skip", 400, j -> {
            j.setStarted(at(50_000));
            j.setFailed(at(60_000));
            j.setRetries(1);
        }));
        notFree.add(batchStore(store, "batch-skip", 500, j -> j.setCancelled(at(60_000))));
        notFree.add(batchStore(store, "batch-skip", 600, j -> j.setRetries(BATCH_MAX_RETRIES)));
        notFree.add(batchStore(store, "batch-skip", 700, j -> j.setExecuteUntil(at(BATCH_NOW))));
        // Free since its run_at, now: after the other.
        JobV1 dueNow = batchStore(store, "batch-skip", 800, j -> j.setRunAt(at(BATCH_NOW)));
        JobV1 lastRetry = batchStore(store, "batch-skip", 900, j -> j.setRetries(BATCH_MAX_RETRIES - 1));

        List<JobLease> leases = batchLeases(10, "skip");
        List<JobV1> leased = store.startJobsByType(CID, "batch-skip", leases);
        assertEquals(List.of(JobsPersistenceFixture.leasedCopy(lastRetry, leases.get(0)),
                JobsPersistenceFixture.leasedCopy(dueNow, leases.get(1))), leased,
                "only the waiting jobs, in lease order");
        for (JobV1 job : notFree)
            assertEquals(job, store.getOneById(CID, job.getId()), "a job that is not waiting is not changed");

        JobV1 paused1 = batchStore(store, "batch-paused", 100, j -> { });
        JobV1 paused2 = batchStore(store, "batch-paused", 200, j -> { });
        store.setPaused(CID, "batch-paused", true);
        assertEquals(List.of(), store.startJobsByType(CID, "batch-paused", batchLeases(5, "paused")),
                "a paused type gives no job");
        assertEquals(paused1, store.getOneById(CID, paused1.getId()), "a job of a paused type is not changed");
        assertEquals(paused2, store.getOneById(CID, paused2.getId()), "a job of a paused type is not changed");
        store.setPaused(CID, "batch-paused", false);
        List<JobLease> resumed = batchLeases(5, "resumed");
        assertEquals(batchLeasedCopies(List.of(paused1, paused2), resumed),
                store.startJobsByType(CID, "batch-paused", resumed), "leased once resumed");
    }

    // ---------------------------------------------------------------- completeJobs

    /** Each job is completed on its own rules; a refused one is null at its index and unchanged. */
    @Test
    default void completeJobsAnswersEachJobAtItsIndex() throws Exception {
        IJobsPersistence store = store();
        JobV1 a = batchLeased(store, 1_000, "c-a", BATCH_UNTIL);
        JobV1 wrongToken = batchLeased(store, 2_000, "c-b", BATCH_UNTIL);
        JobV1 waiting = batchStore(store, "batch-complete", 3_000, j -> { });
        JobV1 anyToken = batchLeased(store, 4_000, "c-c", BATCH_UNTIL);
        // Its lease ran out and nobody took the job again: its holder may still complete it.
        JobV1 ranOut = batchLeased(store, 5_000, "c-d", BATCH_NOW + 10);
        // Its lease ran out and another took the job: the first holder's token is stale.
        JobV1 stale = batchLeased(store, 6_000, "c-e1", BATCH_NOW + 10);
        stale = store.startJobById(CID, stale.getId(), batchLease(BATCH_NOW + 20, BATCH_UNTIL, "c-e2"));
        assertNotNull(stale, "leased again");
        JobV1 done = batchLeased(store, 7_000, "c-f", BATCH_UNTIL);
        done = store.completeJob(CID, done.getId(), "c-f", at(BATCH_NOW + 30), "first");
        assertNotNull(done, "completed before the batch");

        long when = BATCH_NOW + 1_000;
        List<JobCompletionV1> batch = List.of(
                new JobCompletionV1(a.getId(), "c-a", Map.of("done", 1)),
                new JobCompletionV1(wrongToken.getId(), "c-other", "x"),
                new JobCompletionV1("batch-no-such-job", null, null),
                new JobCompletionV1(waiting.getId(), null, null),
                new JobCompletionV1(anyToken.getId(), null, "text"),
                new JobCompletionV1(ranOut.getId(), "c-d", List.of(1, "two")),
                new JobCompletionV1(stale.getId(), "c-e1", null),
                new JobCompletionV1(done.getId(), null, "again"),
                new JobCompletionV1(a.getId(), "c-a", "twice"),
                new JobCompletionV1(null, null, null));
        List<JobV1> answers = store.completeJobs(CID, batch, at(when));

        assertEquals(Arrays.asList(batchCompletedCopy(a, when, Map.of("done", 1)), null, null, null,
                batchCompletedCopy(anyToken, when, "text"), batchCompletedCopy(ranOut, when, List.of(1, "two")),
                null, null, null, null), answers,
                "completed: the holder, any holder without a token, a holder whose lease ran out unclaimed; refused"
                        + " (null): a wrong token, an unknown id, a waiting job, a stale token, a completed job,"
                        + " the same job twice, no id");
        for (JobV1 answer : List.of(answers.get(0), answers.get(4), answers.get(5)))
            assertEquals(answer, store.getOneById(CID, answer.getId()), "the completion is stored");
        for (JobV1 refused : List.of(wrongToken, waiting, stale, done))
            assertEquals(refused, store.getOneById(CID, refused.getId()), "a refused completion changes nothing");
        assertNull(store.getOneById(CID, "batch-no-such-job"), "an unknown id is not created");

        assertEquals(List.of(), store.completeJobs(CID, List.of(), at(when)), "an empty batch answers nothing");
    }

    // ---------------------------------------------------------------- helpers

    private static JobLease batchLease(long nowMillis, long lockedUntilMillis, String token) {
        return new JobLease(at(nowMillis), at(lockedUntilMillis), BATCH_MAX_RETRIES, token);
    }

    /** Leases at BATCH_NOW, each with its own token and its own end. */
    private static List<JobLease> batchLeases(int count, String prefix) {
        List<JobLease> leases = new ArrayList<>();
        for (int i = 0; i < count; i++)
            leases.add(batchLease(BATCH_NOW, BATCH_UNTIL + i * 1_000L, prefix + "-" + i));
        return leases;
    }

    private static List<JobV1> batchLeasedCopies(List<JobV1> jobs, List<JobLease> leases) {
        List<JobV1> expected = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++)
            expected.add(JobsPersistenceFixture.leasedCopy(jobs.get(i), leases.get(i)));
        return expected;
    }

    private static JobV1 batchCompletedCopy(JobV1 job, long completedMillis, Object result) {
        JobV1 expected = job.copy();
        expected.setCompleted(at(completedMillis));
        expected.setLockedUntil(null);
        expected.setLockToken(null);
        expected.setResult(result);
        return expected;
    }

    /** Stores a job with an id (or a generated one), created at a time, with a priority and a run_at. */
    private static JobV1 batchJob(IJobsPersistence store, String type, String id, long createdMillis, int priority,
                                  Long runAtMillis) throws ApplicationException {
        JobV1 job = TestData.job(type, type + "-" + createdMillis, at(createdMillis));
        job.setId(id);
        job.setPriority(priority);
        if (runAtMillis != null)
            job.setRunAt(at(runAtMillis));
        return store.create(CID, job);
    }

    /** Stores a job of a type, created at a time, in a state set by the caller. */
    private static JobV1 batchStore(IJobsPersistence store, String type, long createdMillis,
                                    java.util.function.Consumer<JobV1> state) throws ApplicationException {
        JobV1 job = TestData.job(type, type + "-" + createdMillis, at(createdMillis));
        state.accept(job);
        return store.create(CID, job);
    }

    /** Stores a job of type batch-complete and leases it by id at BATCH_NOW with a token. */
    private static JobV1 batchLeased(IJobsPersistence store, long createdMillis, String token, long lockedUntilMillis)
            throws ApplicationException {
        JobV1 job = batchStore(store, "batch-complete", createdMillis, j -> { });
        JobV1 leased = store.startJobById(CID, job.getId(), batchLease(BATCH_NOW, lockedUntilMillis, token));
        assertNotNull(leased, "leased by " + token);
        return leased;
    }

    private static Long batchCount(IJobsPersistence store, String... filterTuples) throws ApplicationException {
        return store.getPageByFilter(CID, FilterParams.fromTuples((Object[]) filterTuples),
                new PagingParams(0, 1, true), TestData.MOMENT).getTotal();
    }

    /** The ids of every job of a type, in page order (created, then id). */
    private static List<String> batchIds(IJobsPersistence store, String type) throws ApplicationException {
        List<String> ids = new ArrayList<>();
        while (true) {
            DataPage<JobV1> page = store.getPageByFilter(CID, FilterParams.fromTuples("type", type),
                    new PagingParams(ids.size(), IJobsPersistence.MAX_PAGE_SIZE, false), TestData.MOMENT);
            for (JobV1 job : page.getData())
                ids.add(job.getId());
            if (page.getData().size() < IJobsPersistence.MAX_PAGE_SIZE)
                return ids;
        }
    }
}
