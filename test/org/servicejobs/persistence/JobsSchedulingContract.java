package org.servicejobs.persistence;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.servicejobs.TestData.at;

/**
 * The contract of scheduling on every store: run_at, priorities and the lease order, reschedule,
 * and paused types. The retry backoff is in {@link JobsBackoffContract}, leasing under
 * concurrency in {@link JobsSchedulingOrderContract}. The static helpers here serve all three.
 */
interface JobsSchedulingContract extends JobsStoreContract {
    /** The retry limit of the leases, aborts and moments of the scheduling tests. */
    int SCHEDULING_MAX_RETRIES = 5;

    /** A job with run_at T is scheduled and refused one millisecond before T, waiting and leased at T. */
    @Test
    default void runAtIsTheFirstMomentOfALease() throws Exception {
        IJobsPersistence store = store();
        long due = 50_000;
        JobV1 byType = add(store, "run-at", 1_000, j -> j.setRunAt(at(due)));
        JobV1 byId = add(store, "run-at-id", 1_000, j -> j.setRunAt(at(due)));

        assertEquals(JobState.SCHEDULED, stateOf(store, byType, due - 1), "one ms before run_at");
        assertEquals(List.of(byType.getId()), idsIn(store, "run-at", "scheduled", due - 1), "state filter, 1 ms early");
        assertEquals(List.of(), idsIn(store, "run-at", "waiting", due - 1), "state filter, 1 ms early");
        assertNull(store.startJobByType(CID, "run-at", lease(due - 1, due + 10_000, "early-type")),
                "not leased by type one ms before run_at");
        assertNull(store.startJobById(CID, byId.getId(), lease(due - 1, due + 10_000, "early-id")),
                "not leased by id one ms before run_at");
        assertEquals(byType, reread(store, byType), "a refused lease changes nothing");
        assertEquals(byId, reread(store, byId), "a refused lease changes nothing");

        assertEquals(JobState.WAITING, stateOf(store, byType, due), "at run_at");
        assertEquals(List.of(byType.getId()), idsIn(store, "run-at", "waiting", due), "state filter at run_at");
        assertEquals(List.of(), idsIn(store, "run-at", "scheduled", due), "state filter at run_at");
        assertLeased(byType, due, "at-type", store.startJobByType(CID, "run-at", lease(due, due + 10_000, "at-type")),
                "leased by type at run_at");
        assertLeased(byId, due, "at-id", store.startJobById(CID, byId.getId(), lease(due, due + 10_000, "at-id")),
                "leased by id at run_at");

        JobV1 pastType = add(store, "run-at-past", 2_000, j -> j.setRunAt(at(3_000)));
        JobV1 pastId = add(store, "run-at-past-id", 2_000, j -> j.setRunAt(at(3_000)));
        assertEquals(JobState.WAITING, stateOf(store, pastType, 60_000), "run_at in the past");
        assertLeased(pastType, 60_000, "past-type",
                store.startJobByType(CID, "run-at-past", lease(60_000, 70_000, "past-type")), "run_at passed: by type");
        assertLeased(pastId, 60_000, "past-id",
                store.startJobById(CID, pastId.getId(), lease(60_000, 70_000, "past-id")), "run_at passed: by id");
    }

    /** A job scheduled for later does not hold back the others of its type, and once due takes its place. */
    @Test
    default void scheduledJobTakesItsPriorityPlaceWhenDue() throws Exception {
        IJobsPersistence store = store();
        long due = 50_000;
        JobV1 high = add(store, "run-at-mixed", 500, j -> {
            j.setPriority(10);
            j.setRunAt(at(due));
        });
        JobV1 low1 = add(store, "run-at-mixed", 1_000, j -> { });
        JobV1 low2 = add(store, "run-at-mixed", 2_000, j -> { });

        assertEquals(low1.getId(), store.startJobByType(CID, "run-at-mixed", lease(due - 1, due + 60_000, "m-1"))
                .getId(), "before its run_at the higher priority job is skipped");
        assertEquals(high.getId(), store.startJobByType(CID, "run-at-mixed", lease(due, due + 60_000, "m-2"))
                .getId(), "at its run_at the higher priority job comes first");
        assertEquals(low2.getId(), store.startJobByType(CID, "run-at-mixed", lease(due, due + 60_000, "m-3"))
                .getId(), "then the rest");
    }

    /** Priorities added in a mixed order are leased the highest first, negative ones last. */
    @Test
    default void leaseOrderIsHighestPriorityFirst() throws Exception {
        IJobsPersistence store = store();
        Map<Integer, String> byPriority = new HashMap<>();
        int[] added = {0, -1000, 1000, -5, 7};
        for (int i = 0; i < added.length; i++) {
            int priority = added[i];
            byPriority.put(priority, add(store, "priority", 1_000 + i * 1_000L, j -> j.setPriority(priority)).getId());
        }
        List<String> expected = new ArrayList<>();
        for (int priority : new int[]{1000, 7, 0, -5, -1000})
            expected.add(byPriority.get(priority));
        assertEquals(expected, leaseAll(store, "priority", 100_000, 10), "priorities 1000, 7, 0, -5, -1000");
    }

    /** Within a priority the oldest created first; equal created times by id. */
    @Test
    default void leaseOrderWithinAPriorityIsFirstInFirstOut() throws Exception {
        IJobsPersistence store = store();
        Consumer<JobV1> p3 = j -> j.setPriority(3);
        JobV1 late = add(store, "fifo", 3_000, p3);
        JobV1 early = add(store, "fifo", 1_000, p3);
        JobV1 tieB = add(store, "fifo", 1_500, p3.andThen(j -> j.setId("fifo-tie-b")));
        JobV1 tieA = add(store, "fifo", 1_500, p3.andThen(j -> j.setId("fifo-tie-a")));
        JobV1 middle = add(store, "fifo", 2_000, p3);
        JobV1 lower = add(store, "fifo", 10, j -> j.setPriority(2));

        assertEquals(ids(early, tieA, tieB, middle, late, lower), leaseAll(store, "fifo", 100_000, 10),
                "created 1000, 1500 (id fifo-tie-a), 1500 (fifo-tie-b), 2000, 3000, then the lower priority");
    }

    /**
     * A job with a run_at is free since its run_at, not its created time: it takes its place by
     * run_at among the jobs of its priority (A 1000, D 1200, B run_at 1500, E 1800, C run_at 2500;
     * by created it would be C 500, A, D, E, B 2000).
     */
    @Test
    default void scheduledJobIsFreeSinceItsRunAt() throws Exception {
        IJobsPersistence store = store();
        JobV1 a = add(store, "free-since", 1_000, j -> { });
        JobV1 b = add(store, "free-since", 2_000, j -> j.setRunAt(at(1_500)));
        JobV1 c = add(store, "free-since", 500, j -> j.setRunAt(at(2_500)));
        JobV1 d = add(store, "free-since", 1_200, j -> { });
        JobV1 e = add(store, "free-since", 1_800, j -> { });
        JobV1 f = add(store, "free-since", 100, j -> {
            j.setPriority(5);
            j.setRunAt(at(5_000));
        });

        assertEquals(ids(a, d), leaseAll(store, "free-since", 3_000, 2), "at 3000: A 1000, D 1200");
        assertEquals(ids(b), leaseAll(store, "free-since", 4_999, 1), "at 4999: B (free since 1500), not F");
        assertEquals(ids(f, e, c), leaseAll(store, "free-since", 5_000, 10),
                "at 5000: F (priority 5, due now), E 1800, C (free since 2500)");
    }

    /** A waiting or scheduled job moves to the new run_at; null makes it free at once. */
    @Test
    default void rescheduleMovesAWaitingOrScheduledJob() throws Exception {
        IJobsPersistence store = store();
        long now = 100_000;
        JobV1 waiting = add(store, "resched-later", 1_000, j -> { });
        JobV1 later = store.rescheduleJob(CID, waiting.getId(), at(now + 5_000), moment(now));
        assertNotNull(later, "a waiting job is rescheduled");
        assertSameInstant(at(now + 5_000), later.getRunAt(), "run_at");
        assertEquals(later, reread(store, waiting));
        assertEquals(JobState.SCHEDULED, stateOf(store, waiting, now + 4_999), "scheduled until its new run_at");
        assertNull(store.startJobByType(CID, "resched-later", lease(now + 4_999, now + 60_000, "l-1")),
                "not leased before the new run_at");
        assertNull(store.startJobById(CID, waiting.getId(), lease(now + 4_999, now + 60_000, "l-2")),
                "not leased by id before the new run_at");
        assertLeased(later, now + 5_000, "l-3",
                store.startJobByType(CID, "resched-later", lease(now + 5_000, now + 60_000, "l-3")),
                "at the new run_at");

        JobV1 scheduled = add(store, "resched-now", 1_000, j -> j.setRunAt(at(now + 50_000)));
        JobV1 earlier = store.rescheduleJob(CID, scheduled.getId(), at(now + 100), moment(now));
        assertSameInstant(at(now + 100), earlier.getRunAt(), "a scheduled job moved earlier");
        assertNull(store.startJobByType(CID, "resched-now", lease(now + 99, now + 60_000, "n-1")));
        JobV1 atOnce = store.rescheduleJob(CID, scheduled.getId(), null, moment(now));
        assertNotNull(atOnce, "a scheduled job is rescheduled");
        assertNull(atOnce.getRunAt(), "null run_at: at once");
        assertEquals(JobState.WAITING, stateOf(store, scheduled, now), "waiting at once");
        assertLeased(atOnce, now, "n-2", store.startJobByType(CID, "resched-now", lease(now, now + 60_000, "n-2")),
                "leased at once");

        // A past run_at still reorders: x (created 1000) rescheduled to 3000 comes after y (2000).
        JobV1 x = add(store, "resched-order", 1_000, j -> { });
        JobV1 y = add(store, "resched-order", 2_000, j -> { });
        assertNotNull(store.rescheduleJob(CID, x.getId(), at(3_000), moment(now)));
        assertEquals(ids(y, x), leaseAll(store, "resched-order", now, 5), "free since 2000, then since 3000");
    }

    /** A lease that ran out is recorded when the job is rescheduled, and no longer held. */
    @Test
    default void rescheduleRecordsALostLease() throws Exception {
        IJobsPersistence store = store();
        long now = 100_000;
        JobV1 job = add(store, "resched-lost", 1_000, j -> { });
        store.startJobById(CID, job.getId(), lease(now, now + 1_000, "lost-1"));
        JobV1 moved = store.rescheduleJob(CID, job.getId(), at(now + 9_000), moment(now + 2_000));
        assertNotNull(moved, "a job whose lease ran out is waiting: rescheduled");
        assertEquals(List.of(new JobErrorV1(1, at(now + 1_000), JobErrorV1.LEASE_EXPIRED)), moved.getErrors(),
                "the lost lease is recorded at its locked_until");
        assertNull(moved.getStarted(), "no lease");
        assertNull(moved.getLockedUntil(), "no lock");
        assertNull(moved.getLockToken(), "no lock token");
        assertEquals(1, moved.getRetries(), "retries kept");
        assertSameInstant(at(now + 9_000), moved.getRunAt(), "run_at");
        assertEquals(moved, reread(store, job));
        assertNull(store.completeJob(CID, job.getId(), "lost-1", at(now + 3_000), null),
                "the old holder no longer holds a lease");
    }

    /** A running, completed, failed or cancelled job is not rescheduled, nor a missing one. */
    @Test
    default void rescheduleRefusesOtherStates() throws Exception {
        IJobsPersistence store = store();
        long now = 100_000;
        JobV1 running = store.startJobById(CID, add(store, "resched-no", 1_000, j -> { }).getId(),
                lease(now, now + 60_000, "r-1"));
        JobV1 done = add(store, "resched-no", 2_000, j -> { });
        store.startJobById(CID, done.getId(), lease(now, now + 60_000, "r-2"));
        JobV1 completed = store.completeJob(CID, done.getId(), "r-2", at(now + 1), null);
        JobV1 bad = add(store, "resched-no", 3_000, j -> { });
        store.startJobById(CID, bad.getId(), lease(now, now + 60_000, "r-3"));
        JobV1 failed = store.failJob(CID, bad.getId(), "r-3", at(now + 1), "broken");
        JobV1 exhausted = add(store, "resched-no", 4_000, j -> j.setRetries(SCHEDULING_MAX_RETRIES));
        JobV1 expired = add(store, "resched-no", 5_000, j -> j.setExecuteUntil(at(now)));
        JobV1 cancelled = store.cancelJob(CID, add(store, "resched-no", 6_000, j -> { }).getId(), moment(now));

        for (JobV1 job : List.of(running, completed, failed, exhausted, expired, cancelled)) {
            assertNotNull(job);
            assertNull(store.rescheduleJob(CID, job.getId(), at(now + 5_000), moment(now + 2)),
                    () -> "not waiting or scheduled: " + job);
            assertNull(store.rescheduleJob(CID, job.getId(), null, moment(now + 2)), () -> "not rescheduled: " + job);
            assertEquals(job, reread(store, job), () -> "unchanged: " + job);
        }
        assertNull(store.rescheduleJob(CID, "no-such-job", null, moment(now)), "a missing job");
    }

    /** A paused type is not leased (by type, in batches or by id); the rest goes on; resuming leases again. */
    @Test
    default void pausedTypeIsNotLeased() throws Exception {
        IJobsPersistence store = store();
        long now = 100_000;
        JobV1 running = add(store, "paused-a", 500, j -> { });
        store.startJobById(CID, running.getId(), lease(now, now + 60_000, "before-pause"));
        JobV1 waiting = add(store, "paused-a", 1_000, j -> { });
        JobV1 other = add(store, "paused-b", 1_000, j -> { });

        assertTrue(store.setPaused(CID, "paused-a", true), "pausing returns true");
        assertEquals(Set.of("paused-a"), store.getPausedTypes(CID));
        assertTrue(store.setPaused(CID, "paused-a", true), "pausing again returns true");
        assertEquals(Set.of("paused-a"), store.getPausedTypes(CID), "pausing twice: paused once");

        assertNull(store.startJobByType(CID, "paused-a", lease(now, now + 60_000, "p-1")), "no lease by type");
        assertEquals(List.of(), store.startJobsByType(CID, "paused-a",
                List.of(lease(now, now + 60_000, "p-2"), lease(now, now + 60_000, "p-3"))), "no batch lease");
        assertNull(store.startJobById(CID, waiting.getId(), lease(now, now + 60_000, "p-4")), "no lease by id");
        assertEquals(waiting, reread(store, waiting), "a refused lease changes nothing");
        assertLeased(other, now, "p-5", store.startJobByType(CID, "paused-b", lease(now, now + 60_000, "p-5")),
                "another type is leased");

        JobV1 added = add(store, "paused-a", 2_000, j -> { });
        assertNotNull(reread(store, added), "adds go on");
        JobV1 extended = store.extendJob(CID, running.getId(), "before-pause", at(now + 90_000), null);
        assertNotNull(extended, "extends go on");
        assertSameInstant(at(now + 90_000), extended.getLockedUntil(), "extended");
        assertNotNull(store.completeJob(CID, running.getId(), "before-pause", at(now + 1), null), "completes go on");

        assertFalse(store.setPaused(CID, "paused-a", false), "resuming returns false");
        assertEquals(Set.of(), store.getPausedTypes(CID));
        assertFalse(store.setPaused(CID, "paused-a", false), "resuming again returns false");
        assertEquals(Set.of(), store.getPausedTypes(CID));
        assertLeased(waiting, now, "p-6", store.startJobByType(CID, "paused-a", lease(now, now + 60_000, "p-6")),
                "resumed: leased by type");
        assertLeased(added, now, "p-7", store.startJobById(CID, added.getId(), lease(now, now + 60_000, "p-7")),
                "resumed: leased by id");
    }

    /**
     * The paused types outlive a restart (file), are shared by every instance (MongoDB), and
     * another instance refuses to lease them; resuming through one is seen by the others.
     */
    @Test
    default void pausedTypesAreDurableAndShared() throws Exception {
        long now = 100_000;
        JobV1 a1 = add(store(), "durable-a", 1_000, j -> { });
        JobV1 a2 = add(store(), "durable-a", 2_000, j -> { });
        JobV1 b = add(store(), "durable-b", 1_000, j -> { });
        store().setPaused(CID, "durable-a", true);
        store().setPaused(CID, "durable-c", true);
        store().setPaused(CID, "durable-c", false);

        IJobsPersistence second = reopen();
        assertEquals(Set.of("durable-a"), second.getPausedTypes(CID), "the paused set, seen again");
        assertNull(second.startJobByType(CID, "durable-a", lease(now, now + 60_000, "d-1")), "paused: by type");
        assertNull(second.startJobById(CID, a1.getId(), lease(now, now + 60_000, "d-2")), "paused: by id");
        assertLeased(b, now, "d-3", second.startJobByType(CID, "durable-b", lease(now, now + 60_000, "d-3")),
                "another type is leased");

        assertFalse(second.setPaused(CID, "durable-a", false));
        IJobsPersistence third = reopen();
        assertEquals(Set.of(), third.getPausedTypes(CID), "resumed, seen again");
        assertEquals(Set.of(), store().getPausedTypes(CID), "resumed, seen by the store under test");
        assertLeased(a1, now, "d-4", store().startJobByType(CID, "durable-a", lease(now, now + 60_000, "d-4")),
                "resumed: leased");

        assertTrue(third.setPaused(CID, "durable-a", true));
        assertEquals(Set.of("durable-a"), store().getPausedTypes(CID), "paused again, seen by the store under test");
        assertNull(store().startJobByType(CID, "durable-a", lease(now, now + 60_000, "d-5")), "paused again");
        assertEquals(a2, reread(store(), a2), "not leased");
    }

    // ---------------------------------------------------------------- helpers

    /** Stores a job of a type created at a time, set up by the caller. */
    static JobV1 add(IJobsPersistence store, String type, long createdMillis, Consumer<JobV1> setup)
            throws ApplicationException {
        JobV1 job = TestData.job(type, type + "-" + createdMillis, at(createdMillis));
        setup.accept(job);
        return store.create(CID, job);
    }

    /** A lease at a time until a time, with the retry limit of these tests and no backoff. */
    static JobLease lease(long nowMillis, long lockedUntilMillis, String token) {
        return new JobLease(at(nowMillis), at(lockedUntilMillis), SCHEDULING_MAX_RETRIES, token);
    }

    static JobMoment moment(long nowMillis) {
        return new JobMoment(at(nowMillis), SCHEDULING_MAX_RETRIES);
    }

    static JobV1 reread(IJobsPersistence store, JobV1 job) throws ApplicationException {
        return store.getOneById(CID, job.getId());
    }

    /** The state of a job, read again, at a time. */
    static JobState stateOf(IJobsPersistence store, JobV1 job, long nowMillis) throws ApplicationException {
        return JobState.of(reread(store, job), at(nowMillis), SCHEDULING_MAX_RETRIES);
    }

    /** The ids of the jobs of a type in a state at a time, by the store's state filter. */
    static List<String> idsIn(IJobsPersistence store, String type, String state, long nowMillis)
            throws ApplicationException {
        List<String> ids = new ArrayList<>();
        for (JobV1 job : store.getPageByFilter(CID, FilterParams.fromTuples("type", type, "state", state), null,
                moment(nowMillis)).getData())
            ids.add(job.getId());
        return ids;
    }

    /** Leases jobs of a type by type at a time, one call each, until none is left or <code>max</code> are taken. */
    static List<String> leaseAll(IJobsPersistence store, String type, long nowMillis, int max)
            throws ApplicationException {
        List<String> ids = new ArrayList<>();
        while (ids.size() < max) {
            JobV1 job = store.startJobByType(CID, type, lease(nowMillis, nowMillis + 3_600_000, "all-" + ids.size()));
            if (job == null)
                break;
            ids.add(job.getId());
        }
        return ids;
    }

    static List<String> ids(JobV1... jobs) {
        List<String> ids = new ArrayList<>();
        for (JobV1 job : jobs)
            ids.add(job.getId());
        return ids;
    }

    /** A lease of <code>job</code> at a time with a token: started, lock token and one more retry. */
    static void assertLeased(JobV1 job, long nowMillis, String token, JobV1 leased, String what) {
        assertNotNull(leased, what);
        assertEquals(job.getId(), leased.getId(), what + ": the job");
        assertSameInstant(at(nowMillis), leased.getStarted(), what + ": started");
        assertEquals(token, leased.getLockToken(), what + ": lock token");
        assertEquals(job.getRetries() + 1, leased.getRetries(), what + ": retries");
    }

    static void assertSameInstant(ZonedDateTime expected, ZonedDateTime actual, String what) {
        assertNotNull(actual, what);
        assertEquals(expected.toInstant(), actual.toInstant(), what);
    }
}
