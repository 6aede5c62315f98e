package org.servicejobs.logic;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.servicejobs.SettableClock;
import org.servicejobs.TestData;
import org.servicejobs.TestService;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.persistence.JobsMemoryPersistence;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cleaner of {@link JobsController}: {@link JobsController#cleanJobs} with a settable clock
 * for every rule, then the timer that runs it and the controller's open / close.
 */
class JobsControllerCleanerTest {
    private static final String CID = JobsControllerTest.CID;
    private static final long DAY = JobsControllerTest.DAY;
    private static final long FAILED_RETENTION = JobsController.DEFAULT_FAILED_RETENTION;
    private static final String CLEANER_THREAD = "jobs-cleaner";

    private SettableClock clock;
    private JobsMemoryPersistence persistence;
    private JobsController controller;
    private TestService service;

    @BeforeEach
    void setUp() throws Exception {
        clock = new SettableClock(TestData.START);
        persistence = new JobsMemoryPersistence();
        service = TestService.on(persistence).clock(clock).open();
        controller = service.controller();
        // These tests open the controller themselves.
        controller.close(CID);
    }

    @AfterEach
    void tearDown() throws Exception {
        service.close();
    }

    private void configure(Object... tuples) throws ConfigException {
        controller.configure(ConfigParams.fromTuples(tuples));
    }

    private JobV1 add(String refId, Long ttl) throws ApplicationException {
        return controller.addJob(CID, new NewJobV1("email", refId, ttl, TestData.params(refId)));
    }

    private JobV1 get(String id) throws ApplicationException {
        return controller.getJobById(CID, id);
    }

    private long count() throws ApplicationException {
        return controller.getJobs(CID, null, new PagingParams(0, 100, true)).getTotal();
    }

    private JobV1 complete(String id) throws ApplicationException {
        JobV1 leased = controller.startJobById(CID, id, 1000);
        return controller.completeJob(CID, id, leased.getLockToken());
    }

    private static Set<Thread> cleanerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> CLEANER_THREAD.equals(thread.getName()) && thread.isAlive())
                .collect(Collectors.toSet());
    }

    private static Set<Thread> newCleanerThreads(Set<Thread> before) {
        Set<Thread> threads = new HashSet<>(cleanerThreads());
        threads.removeAll(before);
        return threads;
    }

    // ---------------------------------------------------------------- cleanJobs, rule by rule

    @Test
    void completedJobsOlderThanTheRetentionAreRemoved() throws Exception {
        JobV1 job = add("user-1", 0L);
        complete(job.getId());

        clock.advanceMillis(DAY + 1);
        assertEquals(1, controller.cleanJobs(CID));
        assertNull(get(job.getId()));
        assertEquals(0, count());
    }

    @Test
    void completedJobsYoungerThanTheRetentionAreKept() throws Exception {
        JobV1 job = add("user-1", 0L);
        JobV1 completed = complete(job.getId());

        clock.advanceMillis(DAY - 1);
        assertEquals(0, controller.cleanJobs(CID));
        assertEquals(completed, get(job.getId()));
    }

    @Test
    void theRetentionIsConfigurable() throws Exception {
        configure("options.completed_retention", 1000);
        JobV1 old = add("user-1", 0L);
        complete(old.getId());
        clock.advanceMillis(500);
        JobV1 young = add("user-2", 0L);
        complete(young.getId());

        clock.advanceMillis(501);
        assertEquals(1, controller.cleanJobs(CID));
        assertNull(get(old.getId()));
        assertNotNull(get(young.getId()));
    }

    @Test
    void expiredJobsAreKeptForTheFailedRetentionThenRemoved() throws Exception {
        JobV1 waiting = add("user-1", 1000L);
        JobV1 abandoned = add("user-2", 1000L);
        controller.startJobById(CID, abandoned.getId(), 500);

        clock.advanceMillis(999);
        assertEquals(0, controller.cleanJobs(CID), "not expired yet");
        clock.advanceMillis(1);
        assertEquals(0, controller.cleanJobs(CID), "failed: kept for the failed retention");
        assertEquals(JobState.FAILED, get(waiting.getId()).getState());
        assertEquals(JobState.FAILED, get(abandoned.getId()).getState());
        clock.advanceMillis(FAILED_RETENTION);
        assertEquals(0, controller.cleanJobs(CID), "failed exactly the retention ago: kept");
        clock.advanceMillis(1);
        assertEquals(2, controller.cleanJobs(CID));
        assertNull(get(waiting.getId()));
        assertNull(get(abandoned.getId()), "expired, and its lock expired too");
    }

    @Test
    void jobsThatReachedMaxRetriesAreRemoved() throws Exception {
        configure("options.max_retries", 2);
        JobV1 timedOut = add("user-1", 0L);
        JobV1 aborted = add("user-2", 0L);
        JobV1 oneLeft = add("user-3", 0L);
        for (int i = 0; i < 2; i++) {
            controller.startJobById(CID, timedOut.getId(), 100);
            JobV1 leased = controller.startJobById(CID, aborted.getId(), 100);
            controller.abortJob(CID, aborted.getId(), leased.getLockToken());
            clock.advanceMillis(100);
        }
        controller.startJobById(CID, oneLeft.getId(), 100);
        clock.advanceMillis(100);

        assertEquals(0, controller.cleanJobs(CID), "failed: kept for the failed retention");
        assertEquals(JobState.FAILED, get(timedOut.getId()).getState());
        assertEquals(JobState.FAILED, get(aborted.getId()).getState());
        clock.advanceMillis(FAILED_RETENTION);
        assertEquals(2, controller.cleanJobs(CID));
        assertNull(get(timedOut.getId()));
        assertNull(get(aborted.getId()));
        assertEquals(1, get(oneLeft.getId()).getRetries());
    }

    @Test
    void maxRetriesOfTheCleanerDefaultsToTen() throws Exception {
        JobV1 job = add("user-1", 0L);
        for (int i = 0; i < 9; i++) {
            controller.startJobById(CID, job.getId(), 10);
            clock.advanceMillis(10);
        }
        assertEquals(0, controller.cleanJobs(CID), "9 retries of 10");
        controller.startJobById(CID, job.getId(), 10);
        clock.advanceMillis(10 + FAILED_RETENTION + 1);
        assertEquals(1, controller.cleanJobs(CID));
        assertNull(get(job.getId()));
    }

    @Test
    void aRunningExpiredJobIsKeptWhileItsLockHolds() throws Exception {
        JobV1 job = add("user-1", 1000L);
        JobV1 leased = controller.startJobById(CID, job.getId(), 5000);

        clock.advanceMillis(4999);
        assertEquals(0, controller.cleanJobs(CID));
        assertEquals(leased, get(job.getId()));

        clock.advanceMillis(1 + FAILED_RETENTION + 1);
        assertEquals(1, controller.cleanJobs(CID));
        assertNull(get(job.getId()));
    }

    @Test
    void aRunningJobAtMaxRetriesIsKeptWhileItsLockHolds() throws Exception {
        configure("options.max_retries", 2);
        JobV1 job = add("user-1", 0L);
        controller.startJobById(CID, job.getId(), 100);
        clock.advanceMillis(100);
        JobV1 last = controller.startJobById(CID, job.getId(), 1000);
        assertEquals(2, last.getRetries());

        clock.advanceMillis(999);
        assertEquals(0, controller.cleanJobs(CID));
        assertEquals(last, get(job.getId()));

        JobV1 completed = controller.completeJob(CID, job.getId(), last.getLockToken());
        assertEquals(0, controller.cleanJobs(CID), "completed now: kept for the retention");
        assertEquals(completed, get(job.getId()));
    }

    @Test
    void waitingAndRunningJobsAreKept() throws Exception {
        configure("options.max_retries", 3);
        JobV1 waiting = add("user-1", 0L);
        JobV1 notYetExpired = add("user-2", 10 * DAY);
        JobV1 running = add("user-3", 0L);
        JobV1 lockRanOut = add("user-4", 0L);
        controller.startJobById(CID, running.getId(), 5 * 60_000);
        controller.startJobById(CID, lockRanOut.getId(), 1000);
        clock.advanceMillis(60_000);
        List<JobV1> before = controller.getJobs(CID, null, null).getData();

        assertEquals(0, controller.cleanJobs(CID));
        assertEquals(before, controller.getJobs(CID, null, null).getData());
        assertEquals(4, count());
        assertNotNull(get(waiting.getId()));
        assertNotNull(get(notYetExpired.getId()));
    }

    @Test
    void cleanJobsRemovesOnlyWhatIsDoneWith() throws Exception {
        configure("options.max_retries", 2, "options.completed_retention", 10_000, "options.failed_retention", 1_000);
        JobV1 oldCompleted = add("old-completed", 0L);
        complete(oldCompleted.getId());
        JobV1 expired = add("expired", 5000L);
        JobV1 exhausted = add("exhausted", 0L);
        controller.startJobById(CID, exhausted.getId(), 100);
        clock.advanceMillis(100);
        controller.startJobById(CID, exhausted.getId(), 100);
        JobV1 runningExpired = add("running-expired", 1000L);
        controller.startJobById(CID, runningExpired.getId(), 60_000);
        JobV1 waiting = add("waiting", 0L);

        clock.advanceMillis(10_000);
        JobV1 youngCompleted = add("young-completed", 0L);
        complete(youngCompleted.getId());
        JobV1 runningAtMax = add("running-at-max", 0L);
        controller.startJobById(CID, runningAtMax.getId(), 100);
        clock.advanceMillis(100);
        controller.startJobById(CID, runningAtMax.getId(), 60_000);
        clock.advanceMillis(1);

        assertEquals(3, controller.cleanJobs(CID));
        assertAll(
                () -> assertNull(get(oldCompleted.getId()), "completed older than the retention"),
                () -> assertNull(get(expired.getId()), "expired"),
                () -> assertNull(get(exhausted.getId()), "retries used up"),
                () -> assertNotNull(get(runningExpired.getId()), "running, lock holds"),
                () -> assertNotNull(get(runningAtMax.getId()), "running at max retries, lock holds"),
                () -> assertNotNull(get(youngCompleted.getId()), "completed within the retention"),
                () -> assertNotNull(get(waiting.getId()), "waiting"));
        assertEquals(0, controller.cleanJobs(CID), "a second run finds nothing more");
    }

    // ---------------------------------------------------------------- the timer

    @Test
    void theTimerCleansEveryCleanInterval() throws Exception {
        configure("options.clean_interval", 50, "options.failed_retention", 0);
        Set<Thread> before = cleanerThreads();
        controller.open(CID);
        assertTrue(controller.isOpen());
        Set<Thread> timer = newCleanerThreads(before);
        assertEquals(1, timer.size(), "open starts one cleaner thread");

        JobV1 doomed = add("user-1", 1000L);
        JobV1 kept = add("user-2", 0L);
        clock.advanceMillis(1001);

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (get(doomed.getId()) != null && System.nanoTime() < deadline)
            Thread.sleep(15);
        assertNull(get(doomed.getId()), "the timer removed the expired job within 5 s");
        assertNotNull(get(kept.getId()));

        assertTimeout(Duration.ofSeconds(2), () -> controller.close(CID), "close returns promptly");
        assertFalse(controller.isOpen());
        for (Thread thread : timer) {
            thread.join(2000);
            assertFalse(thread.isAlive(), "close stops the cleaner thread");
        }
    }

    @Test
    void openTwiceStartsOneTimer() throws Exception {
        configure("options.clean_interval", 60_000);
        Set<Thread> before = cleanerThreads();
        controller.open(CID);
        controller.open(CID);
        Set<Thread> timer = newCleanerThreads(before);
        assertEquals(1, timer.size());

        controller.close(CID);
        controller.close(CID);
        for (Thread thread : timer) {
            thread.join(2000);
            assertFalse(thread.isAlive());
        }
    }

    @Test
    void isOpenFollowsOpenAndClose() throws Exception {
        assertFalse(controller.isOpen());
        controller.open(CID);
        assertTrue(controller.isOpen());
        controller.close(CID);
        assertFalse(controller.isOpen());
    }

    @Test
    void cleanIntervalZeroOpensWithoutATimerThread() throws Exception {
        configure("options.clean_interval", 0, "options.failed_retention", 0);
        Set<Thread> before = cleanerThreads();
        controller.open(CID);
        assertTrue(controller.isOpen());
        assertEquals(Set.of(), newCleanerThreads(before), "clean_interval 0: no timer");

        JobV1 job = add("user-1", 1000L);
        clock.advanceMillis(1001);
        assertEquals(1, controller.cleanJobs(CID), "cleanJobs still runs on demand");
        assertNull(get(job.getId()));
    }

    @Test
    void isOpenFollowsOpenAndCloseWhenCleanIntervalIsZero() throws Exception {
        configure("options.clean_interval", 0);
        boolean beforeOpen = controller.isOpen();
        controller.open(CID);
        boolean afterOpen = controller.isOpen();
        controller.close(CID);
        boolean afterClose = controller.isOpen();

        assertAll(
                () -> assertFalse(beforeOpen, "not open before open()"),
                () -> assertTrue(afterOpen, "open after open()"),
                () -> assertFalse(afterClose, "not open after close()"));
    }
}
