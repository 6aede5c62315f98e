package org.servicejobs.persistence;

import org.junit.jupiter.api.Test;
import org.servicejobs.data.version1.JobBackoffV1;
import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.servicejobs.TestData.at;
import static org.servicejobs.persistence.JobsSchedulingContract.SCHEDULING_MAX_RETRIES;
import static org.servicejobs.persistence.JobsSchedulingContract.add;
import static org.servicejobs.persistence.JobsSchedulingContract.assertLeased;
import static org.servicejobs.persistence.JobsSchedulingContract.assertSameInstant;
import static org.servicejobs.persistence.JobsSchedulingContract.lease;
import static org.servicejobs.persistence.JobsSchedulingContract.reread;
import static org.servicejobs.persistence.JobsSchedulingContract.stateOf;

/**
 * The contract of the retry backoff on every store: the wait after an abort (fixed, exponential,
 * capped, the job's own policy, the abort's own delay, jitter) and after a lease that ran out
 * (the job is scheduled from its locked_until until the backoff has passed; an extend moves it).
 */
interface JobsBackoffContract extends JobsStoreContract {
    /** Leases start here; each abort comes 10 ms after its lease. */
    long BACKOFF_START = 100_000;

    @Test
    default void abortWaitsAFixedBackoff() throws Exception {
        JobRetry retry = new JobRetry(new JobBackoffV1(JobBackoffV1.FIXED, 1_000, null), 60_000, 0);
        abortCycles("backoff-fixed", retry, j -> { }, null, 1_000, 1_000, 1_000);
    }

    @Test
    default void abortWaitsAnExponentialBackoff() throws Exception {
        JobRetry retry = new JobRetry(new JobBackoffV1(JobBackoffV1.EXPONENTIAL, 100, null), 60_000, 0);
        abortCycles("backoff-exponential", retry, j -> { }, null, 100, 200, 400, 800);
    }

    /** The policy's max_delay caps it; without one, the JobRetry's maxDelay does. */
    @Test
    default void abortBackoffIsCapped() throws Exception {
        abortCycles("backoff-cap-own", new JobRetry(new JobBackoffV1(JobBackoffV1.EXPONENTIAL, 1_000, 1_500L),
                60_000, 0), j -> { }, null, 1_000, 1_500, 1_500);
        abortCycles("backoff-cap-retry", new JobRetry(new JobBackoffV1(JobBackoffV1.EXPONENTIAL, 1_000, null),
                3_000, 0), j -> { }, null, 1_000, 2_000, 3_000, 3_000);
    }

    /** The job's own backoff wins over the policy of the JobRetry; without a cap it takes the JobRetry's. */
    @Test
    default void jobBackoffWinsOverThePolicy() throws Exception {
        JobRetry retry = new JobRetry(new JobBackoffV1(JobBackoffV1.FIXED, 1_000, null), 500, 0);
        abortCycles("backoff-job-fixed", retry, j -> j.setBackoff(new JobBackoffV1(JobBackoffV1.FIXED, 300, null)),
                null, 300, 300);
        abortCycles("backoff-job-exponential", retry,
                j -> j.setBackoff(new JobBackoffV1(JobBackoffV1.EXPONENTIAL, 200, null)), null, 200, 400, 500);
        abortCycles("backoff-job-capped", retry,
                j -> j.setBackoff(new JobBackoffV1(JobBackoffV1.EXPONENTIAL, 200, 10_000L)), null, 200, 400, 800);
    }

    /** The abort's delay replaces the backoff for that attempt, the job's own one too. */
    @Test
    default void abortDelayReplacesTheBackoff() throws Exception {
        JobRetry retry = new JobRetry(new JobBackoffV1(JobBackoffV1.FIXED, 1_000, null), 60_000, 0);
        abortCycles("delay-policy", retry, j -> { }, 5_000L, 5_000, 5_000);
        abortCycles("delay-own", retry, j -> j.setBackoff(new JobBackoffV1(JobBackoffV1.FIXED, 300, null)), 2_000L,
                2_000);
    }

    /** An abort with delay 0, or with no backoff, makes the job free at once, whatever its lease had set. */
    @Test
    default void abortWithoutDelayFreesAtOnce() throws Exception {
        IJobsPersistence store = store();
        long now = BACKOFF_START;
        JobRetry retry = new JobRetry(new JobBackoffV1(JobBackoffV1.FIXED, 1_000, null), 60_000, 0);
        for (JobRetry abortRetry : List.of(retry, JobRetry.NONE)) {
            String type = abortRetry == retry ? "delay-zero" : "delay-none";
            JobV1 job = add(store, type, 1_000, j -> { });
            JobV1 leased = store.startJobById(CID, job.getId(), leaseWith(now, now + 60_000, "z-1", retry));
            assertSameInstant(at(now + 61_000), leased.getRunAt(), type + ": a lease sets the wait after it is lost");
            Long delay = abortRetry == retry ? 0L : null;
            JobV1 aborted = store.abortJob(CID, job.getId(), "z-1",
                    new JobAbort(at(now + 10), "aborted", delay, SCHEDULING_MAX_RETRIES, abortRetry));
            assertNotNull(aborted, type);
            assertNull(aborted.getRunAt(), type + ": no wait");
            assertEquals(JobState.WAITING, stateOf(store, job, now + 10), type + ": waiting at once");
            assertLeased(aborted, now + 10, "z-2",
                    store.startJobByType(CID, type, leaseWith(now + 10, now + 60_000, "z-2", retry)),
                    type + ": leased at the time of the abort");
        }
    }

    /** Jitter takes off up to 10 %: jitter 1 makes 1000 ms 900 ms, jitter 0.5 makes it 950 ms. */
    @Test
    default void jitterShortensTheBackoff() throws Exception {
        abortCycles("jitter-full", new JobRetry(new JobBackoffV1(JobBackoffV1.FIXED, 1_000, null), 60_000, 1),
                j -> { }, null, 900, 900);
        abortCycles("jitter-half", new JobRetry(new JobBackoffV1(JobBackoffV1.FIXED, 1_000, null), 60_000, 0.5),
                j -> { }, null, 950);
        abortCycles("jitter-exponential", new JobRetry(new JobBackoffV1(JobBackoffV1.EXPONENTIAL, 1_000, null),
                60_000, 1), j -> { }, null, 900, 1_800);
    }

    /** The abort of the last attempt fails the job at the time of the abort instead of waiting. */
    @Test
    default void abortOfTheLastAttemptFails() throws Exception {
        IJobsPersistence store = store();
        long now = BACKOFF_START;
        JobRetry retry = new JobRetry(new JobBackoffV1(JobBackoffV1.FIXED, 1_000, null), 60_000, 0);
        JobV1 job = add(store, "backoff-last", 1_000, j -> j.setMaxRetries(1));
        store.startJobById(CID, job.getId(), leaseWith(now, now + 60_000, "last-1", retry));
        JobV1 aborted = store.abortJob(CID, job.getId(), "last-1",
                new JobAbort(at(now + 10), "aborted", null, SCHEDULING_MAX_RETRIES, retry));
        assertNotNull(aborted);
        assertSameInstant(at(now + 10), aborted.getFailed(), "failed at the abort");
        assertEquals(JobState.FAILED, stateOf(store, job, now + 1_010), "failed, not waiting, after the backoff");
        assertNull(store.startJobByType(CID, "backoff-last", leaseWith(now + 5_000, now + 60_000, "last-2", retry)),
                "not leased again");
    }

    /**
     * A lease with a fixed backoff of 5000 until L: from L the job is scheduled, leased again at
     * L + 5000 (its run_at), with the lost lease recorded.
     */
    @Test
    default void lostLeaseWaitsTheBackoff() throws Exception {
        IJobsPersistence store = store();
        long now = BACKOFF_START;
        long until = now + 10_000;
        JobRetry retry = new JobRetry(new JobBackoffV1(JobBackoffV1.FIXED, 5_000, null), 60_000, 0);
        JobV1 job = add(store, "lost-fixed", 1_000, j -> { });
        JobV1 leased = store.startJobByType(CID, "lost-fixed", leaseWith(now, until, "lost-1", retry));
        assertSameInstant(at(until + 5_000), leased.getRunAt(), "run_at = locked_until + backoff");
        assertEquals(leased, reread(store, job), "stored");
        assertEquals(JobState.RUNNING, stateOf(store, job, until - 1), "running until locked_until");
        assertEquals(JobState.SCHEDULED, stateOf(store, job, until), "scheduled from locked_until");
        assertEquals(JobState.SCHEDULED, stateOf(store, job, until + 4_999), "scheduled until the backoff passed");
        assertNull(store.startJobByType(CID, "lost-fixed", leaseWith(until, until + 60_000, "lost-2", retry)),
                "not leased at locked_until");
        assertNull(store.startJobByType(CID, "lost-fixed", leaseWith(until + 4_999, until + 60_000, "lost-3", retry)),
                "not leased 1 ms before the backoff passed");
        assertNull(store.startJobById(CID, job.getId(), leaseWith(until + 4_999, until + 60_000, "lost-4", retry)),
                "not leased by id 1 ms before the backoff passed");
        assertEquals(leased, reread(store, job), "a refused lease changes nothing");

        JobV1 again = store.startJobByType(CID, "lost-fixed",
                leaseWith(until + 5_000, until + 20_000, "lost-5", retry));
        assertLeased(leased, until + 5_000, "lost-5", again, "leased when the backoff passed");
        assertEquals(List.of(new JobErrorV1(1, at(until), JobErrorV1.LEASE_EXPIRED)), again.getErrors(),
                "the lost lease is recorded");
        assertSameInstant(at(until + 20_000 + 5_000), again.getRunAt(), "the wait after the new lease");
    }

    /** Exponential after lost leases: the wait after lease n is delay * 2^(n-1). */
    @Test
    default void lostLeasesWaitAnExponentialBackoff() throws Exception {
        IJobsPersistence store = store();
        JobRetry retry = new JobRetry(new JobBackoffV1(JobBackoffV1.EXPONENTIAL, 1_000, null), 60_000, 0);
        JobV1 job = add(store, "lost-exponential", 1_000, j -> { });
        long now = BACKOFF_START;
        List<JobErrorV1> lost = new ArrayList<>();
        for (int attempt = 1; attempt <= 3; attempt++) {
            long until = now + 100;
            if (attempt > 1)
                lost.add(new JobErrorV1(attempt - 1, at(now - (1_000L << (attempt - 2))), JobErrorV1.LEASE_EXPIRED));
            long wait = 1_000L << (attempt - 1);
            JobV1 leased = store.startJobByType(CID, "lost-exponential",
                    leaseWith(now, until, "exp-" + attempt, retry));
            assertLeased(job, now, "exp-" + attempt, leased, "attempt " + attempt);
            job = leased;
            assertEquals(lost, leased.getErrors(), "attempt " + attempt + ": the lost leases before it");
            assertSameInstant(at(until + wait), leased.getRunAt(), "attempt " + attempt + ": run_at");
            assertNull(store.startJobByType(CID, "lost-exponential",
                    leaseWith(until + wait - 1, until + wait + 100, "early", retry)), "attempt " + attempt + ": early");
            now = until + wait;
        }
    }

    /** An extend moves the wait after a lost lease with the lock: extended to L2, run_at is L2 + 5000. */
    @Test
    default void extendMovesTheBackoffWithTheLock() throws Exception {
        IJobsPersistence store = store();
        long now = BACKOFF_START;
        long until = now + 10_000;
        long extendedUntil = until + 20_000;
        JobRetry retry = new JobRetry(new JobBackoffV1(JobBackoffV1.FIXED, 5_000, null), 60_000, 0);
        JobV1 job = add(store, "lost-extend", 1_000, j -> { });
        store.startJobByType(CID, "lost-extend", leaseWith(now, until, "ext-1", retry));

        JobV1 extended = store.extendJob(CID, job.getId(), "ext-1", at(extendedUntil), null);
        assertNotNull(extended);
        assertSameInstant(at(extendedUntil), extended.getLockedUntil(), "locked_until");
        assertSameInstant(at(extendedUntil + 5_000), extended.getRunAt(), "run_at moved with the lock");
        assertEquals(extended, reread(store, job), "stored");
        assertEquals(JobState.RUNNING, stateOf(store, job, until + 5_000), "running past the old run_at");
        assertEquals(JobState.SCHEDULED, stateOf(store, job, extendedUntil), "scheduled from the new locked_until");
        assertNull(store.startJobByType(CID, "lost-extend", leaseWith(until + 5_000, until + 60_000, "ext-2", retry)),
                "not leased at the old run_at");
        assertNull(store.startJobByType(CID, "lost-extend",
                leaseWith(extendedUntil + 4_999, extendedUntil + 60_000, "ext-3", retry)), "not leased 1 ms early");
        assertLeased(extended, extendedUntil + 5_000, "ext-4", store.startJobByType(CID, "lost-extend",
                leaseWith(extendedUntil + 5_000, extendedUntil + 60_000, "ext-4", retry)), "leased at the new run_at");
    }

    // ---------------------------------------------------------------- helpers

    static JobLease leaseWith(long nowMillis, long lockedUntilMillis, String token, JobRetry retry) {
        return new JobLease(at(nowMillis), at(lockedUntilMillis), SCHEDULING_MAX_RETRIES, token, retry);
    }

    /**
     * A job of its own type, set up by the caller, leased by type and aborted 10 ms later once per
     * expected wait, with the JobRetry on both the lease and the abort (as the controller does):
     * after each abort its run_at is the abort time plus the wait, it is scheduled and refused
     * (by type and by id) 1 ms before and leased by type at that time.
     */
    private void abortCycles(String type, JobRetry retry, Consumer<JobV1> setup, Long abortDelay, long... waits)
            throws Exception {
        IJobsPersistence store = store();
        JobV1 job = add(store, type, 1_000, setup);
        long now = BACKOFF_START;
        JobV1 leased = store.startJobByType(CID, type, leaseWith(now, now + 60_000, type + "-0", retry));
        assertLeased(job, now, type + "-0", leased, type + ": the first lease");
        for (int i = 0; i < waits.length; i++) {
            String what = type + ", abort " + (i + 1) + " (retries " + leased.getRetries() + ")";
            long abortAt = now + 10;
            long runAt = abortAt + waits[i];
            JobV1 aborted = store.abortJob(CID, job.getId(), leased.getLockToken(),
                    new JobAbort(at(abortAt), "aborted", abortDelay, SCHEDULING_MAX_RETRIES, retry));
            assertNotNull(aborted, what);
            assertSameInstant(at(runAt), aborted.getRunAt(), what + ": run_at = abort time + " + waits[i]);
            assertEquals(aborted, reread(store, job), what + ": stored");
            assertEquals(JobState.SCHEDULED, stateOf(store, job, runAt - 1), what + ": scheduled 1 ms before");
            assertNull(store.startJobByType(CID, type, leaseWith(runAt - 1, runAt + 60_000, "early", retry)),
                    what + ": not leased by type 1 ms before");
            assertNull(store.startJobById(CID, job.getId(), leaseWith(runAt - 1, runAt + 60_000, "early", retry)),
                    what + ": not leased by id 1 ms before");
            assertEquals(aborted, reread(store, job), what + ": a refused lease changes nothing");
            assertEquals(JobState.WAITING, stateOf(store, job, runAt), what + ": waiting at run_at");
            String token = type + "-" + (i + 1);
            leased = store.startJobByType(CID, type, leaseWith(runAt, runAt + 60_000, token, retry));
            assertLeased(aborted, runAt, token, leased, what + ": leased at run_at");
            now = runAt;
        }
    }
}
