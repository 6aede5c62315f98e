package org.servicejobs.persistence;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConflictException;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobV1;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.servicejobs.TestData.at;

/** The persistence contract on {@link JobsMemoryPersistence}, and what is particular to it. */
class JobsMemoryPersistenceTest extends JobsPersistenceFixture {
    private static final String CID = "jobs-memory-test";
    private static final long NOW = 100_000;

    @Override
    protected IJobsPersistence newPersistence() throws Exception {
        JobsMemoryPersistence store = new JobsMemoryPersistence();
        store.configure(new ConfigParams());
        return store;
    }

    // ---------------------------------------------------------------- the memory store

    @Test
    void createWithAnExistingIdIsAConflict() throws ApplicationException {
        JobV1 stored = persistence.create(CID, TestData.job("dup", "r1", at(1_000)));
        JobV1 copy = TestData.job("dup", "r2", at(2_000));
        copy.setId(stored.getId());

        ConflictException error = assertThrows(ConflictException.class, () -> persistence.create(CID, copy));
        assertEquals("JOB_ALREADY_EXISTS", error.getCode());
        assertEquals(stored, persistence.getOneById(CID, stored.getId()), "the stored job is unchanged");
        assertEquals(Long.valueOf(1), total(new FilterParams()));
    }

    /**
     * The index moves a job whose lock expired to its free set when a lease looks, even if that
     * lease takes an older job; an extend, a complete or an earlier clock must take it back out.
     */
    @Test
    void jobWhoseExpiredLockWasExtendedIsNotLeasedByType() throws ApplicationException {
        JobV1 older = persistence.create(CID, TestData.job("index", "r1", at(1_000)));
        JobV1 locked = persistence.create(CID, TestData.job("index", "r2", at(2_000)));
        assertNotNull(persistence.startJobById(CID, locked.getId(), new JobLease(at(NOW), at(NOW + 100), 3, "b")));

        JobV1 a = persistence.startJobByType(CID, "index", new JobLease(at(NOW + 150), at(NOW + 10_000), 3, "a"));
        assertEquals(older.getId(), a.getId(), "the older job first, though the other lock expired");

        assertNotNull(persistence.extendJob(CID, locked.getId(), "b", at(NOW + 500), null));
        assertNull(persistence.startJobByType(CID, "index", new JobLease(at(NOW + 200), at(NOW + 900), 3, "c")),
                "the extended lock holds");
        assertNull(persistence.startJobByType(CID, "index", new JobLease(at(NOW + 499), at(NOW + 900), 3, "c")),
                "the extended lock holds until its new end");
        JobV1 again = persistence.startJobByType(CID, "index", new JobLease(at(NOW + 500), at(NOW + 900), 3, "c"));
        assertEquals(locked.getId(), again.getId(), "leased once the extended lock ends");
        assertEquals("c", again.getLockToken());
    }

    @Test
    void jobWhoseExpiredLockWasCompletedIsNotLeasedByType() throws ApplicationException {
        JobV1 older = persistence.create(CID, TestData.job("index", "r1", at(1_000)));
        JobV1 locked = persistence.create(CID, TestData.job("index", "r2", at(2_000)));
        persistence.startJobById(CID, locked.getId(), new JobLease(at(NOW), at(NOW + 100), 3, "b"));
        JobV1 a = persistence.startJobByType(CID, "index", new JobLease(at(NOW + 150), at(NOW + 10_000), 3, "a"));
        assertEquals(older.getId(), a.getId());

        assertNotNull(persistence.completeJob(CID, locked.getId(), "b", at(NOW + 160), null));
        assertNull(persistence.startJobByType(CID, "index", new JobLease(at(NOW + 200), at(NOW + 900), 3, "c")),
                "a completed job is never leased");
    }

    @Test
    void lockSeenExpiredHoldsAgainForAnEarlierLease() throws ApplicationException {
        JobV1 older = persistence.create(CID, TestData.job("index", "r1", at(1_000)));
        JobV1 locked = persistence.create(CID, TestData.job("index", "r2", at(2_000)));
        persistence.startJobById(CID, locked.getId(), new JobLease(at(NOW), at(NOW + 100), 3, "b"));
        JobV1 a = persistence.startJobByType(CID, "index", new JobLease(at(NOW + 150), at(NOW + 10_000), 3, "a"));
        assertEquals(older.getId(), a.getId());

        assertNull(persistence.startJobByType(CID, "index", new JobLease(at(NOW + 50), at(NOW + 900), 3, "c")),
                "at NOW + 50 the lock until NOW + 100 holds");
        JobV1 again = persistence.startJobByType(CID, "index", new JobLease(at(NOW + 100), at(NOW + 900), 3, "d"));
        assertEquals(locked.getId(), again.getId());
    }

    @Test
    void cleanJobsWorksInBatches() throws ApplicationException {
        ((JobsMemoryPersistence) persistence).configure(ConfigParams.fromTuples("options.clean_batch", 2));
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            JobV1 job = TestData.job(i % 3 == 0 ? "batch-a" : "batch-b", "r" + i, at(i));
            if (i % 2 == 0) {
                job.setStarted(at(5));
                job.setCompleted(at(10));
                job.setRetries(1);
            }
            JobV1 stored = persistence.create(CID, job);
            if (i % 2 != 0)
                kept.add(stored.getId());
        }

        assertEquals(11L, persistence.cleanJobs(CID, new JobMoment(at(NOW), 3), at(1_000), at(NOW)));
        List<String> left = new ArrayList<>();
        for (JobV1 job : persistence.getPageByFilter(CID, null, null, TestData.MOMENT).getData())
            left.add(job.getId());
        assertEquals(kept, left);
    }

    /**
     * Ids promise that jobs added in one millisecond sort in the order they were added
     * (first-in first-out): more jobs than the 65,536 values of the id counter in one millisecond.
     */
    @Test
    void jobsAddedInOneMillisecondAreLeasedInTheOrderAdded() throws ApplicationException {
        int jobCount = 70_000;
        List<String> added = new ArrayList<>(jobCount);
        for (int i = 0; i < jobCount; i++)
            added.add(persistence.create(CID, TestData.job("fifo", "r" + i, at(0))).getId());

        for (int i = 0; i < jobCount; i++) {
            JobV1 job = persistence.startJobByType(CID, "fifo", new JobLease(at(1), at(2), 1, "t" + i));
            assertNotNull(job);
            int lease = i;
            assertEquals(added.get(i), job.getId(),
                    () -> "lease " + lease + " took the job added as number " + added.indexOf(job.getId()));
        }
        assertNull(persistence.startJobByType(CID, "fifo", new JobLease(at(1), at(2), 1, "last")));
    }

    private Long total(FilterParams filter) throws ApplicationException {
        return persistence.getPageByFilter(CID, filter, new PagingParams(0, 1, true), TestData.MOMENT).getTotal();
    }

    /**
     * Time never runs back for the index: a read at an earlier moment than one the type has seen
     * (calls that raced for the lock) is answered at the later one, so each job is in exactly one
     * state; a lease at the earlier moment still takes only a job that is waiting at its own time.
     */
    @Test
    void aReadAtAnEarlierMomentIsAnsweredAtTheLatest() throws Exception {
        JobV1 job = persistence.create(CID, TestData.job("moments", "r", at(1_000)));
        assertNotNull(persistence.startJobById(CID, job.getId(), new JobLease(at(5_000), at(10_000), 10, "t")));
        assertEquals(1L, countInState("running", 9_999));
        assertEquals(1L, countInState("waiting", 10_000), "the lock ended at 10000");
        assertEquals(1L, countInState("waiting", 9_999), "asked later at an earlier moment: as at 10000");
        assertEquals(0L, countInState("running", 9_999), "not in two states");
        assertNull(persistence.startJobByType(CID, "moments", new JobLease(at(9_999), at(20_000), 10, "u")),
                "a lease at 9999 does not take a job running at 9999");
        assertNotNull(persistence.startJobByType(CID, "moments", new JobLease(at(10_000), at(20_000), 10, "v")));
    }

    private long countInState(String state, long millis) throws ApplicationException {
        return persistence.getPageByFilter(CID, FilterParams.fromTuples("type", "moments", "state", state),
                new PagingParams(0, 10, true), new JobMoment(at(millis), 10)).getTotal();
    }
}
