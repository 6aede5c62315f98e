package org.servicejobs.logic;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.errors.NotFoundException;
import org.servicejobs.SettableClock;
import org.servicejobs.TestData;
import org.servicejobs.TestService;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.persistence.JobsMemoryPersistence;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The business rules of {@link JobsController} over a memory persistence, with a settable clock.
 * The cleaner and the controller's life cycle are in {@link JobsControllerCleanerTest}.
 */
class JobsControllerTest {
    static final String CID = "test-123";
    static final long DAY = 24L * 60 * 60 * 1000;

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
    }

    @AfterEach
    void tearDown() throws Exception {
        service.close();
    }

    // ---------------------------------------------------------------- helpers

    /** Asserts the exact class, code, status and correlation id of the error a call throws. */
    static <T extends ApplicationException> T assertError(Class<T> type, String code, int status,
                                                          String correlationId, Executable call) {
        ApplicationException ex = assertThrows(ApplicationException.class, call);
        assertEquals(type, ex.getClass(), () -> "error class of " + ex);
        assertEquals(code, ex.getCode(), () -> "error code of " + ex);
        assertEquals(status, ex.getStatus(), () -> "error status of " + ex);
        assertEquals(correlationId, ex.getCorrelationId(), () -> "correlation id of " + ex);
        return type.cast(ex);
    }

    static <T extends ApplicationException> T assertError(Class<T> type, String code, int status, Executable call) {
        return assertError(type, code, status, CID, call);
    }

    static void assertAt(Instant expected, ZonedDateTime actual) {
        assertNotNull(actual, () -> "expected a date at " + expected);
        assertEquals(expected, actual.toInstant());
    }

    private Instant now() {
        return clock.instant();
    }

    private void configure(Object... tuples) throws ConfigException {
        controller.configure(ConfigParams.fromTuples(tuples));
    }

    private JobV1 add(String type, String refId, Long ttl) throws ApplicationException {
        return controller.addJob(CID, new NewJobV1(type, refId, ttl, TestData.params(refId)));
    }

    private JobV1 get(String id) throws ApplicationException {
        return controller.getJobById(CID, id);
    }

    private List<JobV1> all() throws ApplicationException {
        return controller.getJobs(CID, null, new PagingParams(0, 100, true)).getData();
    }

    private long count() throws ApplicationException {
        return controller.getJobs(CID, null, new PagingParams(0, 100, true)).getTotal();
    }

    /** Asserts that a refused call threw the error and left the job exactly as it was. */
    private <T extends ApplicationException> T assertRefusedUnchanged(String jobId, Class<T> type, String code,
                                                                      int status, Executable call)
            throws ApplicationException {
        JobV1 before = get(jobId);
        List<JobV1> allBefore = all();
        T error = assertError(type, code, status, call);
        assertEquals(before, get(jobId), "a refused change must change nothing");
        assertEquals(allBefore, all(), "a refused change must change no job");
        return error;
    }

    private static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    // ---------------------------------------------------------------- add_job

    @Test
    void addJobStoresTheJobWithCreatedAndExecuteUntil() throws Exception {
        clock.advanceMillis(5);
        JobV1 job = controller.addJob(CID, new NewJobV1("email", "user-1", 60_000L, TestData.params("user-1")));

        assertNotNull(job.getId());
        assertEquals("email", job.getType());
        assertEquals("user-1", job.getRefId());
        assertEquals(TestData.params("user-1"), job.getParams());
        assertAt(now(), job.getCreated());
        assertAt(now().plusMillis(60_000), job.getExecuteUntil());
        assertNull(job.getStarted());
        assertNull(job.getLockedUntil());
        assertNull(job.getCompleted());
        assertNull(job.getLockToken());
        assertEquals(0, job.getRetries());
        assertEquals(job, get(job.getId()));
        assertEquals(1, count());
    }

    @Test
    void addJobWithZeroOrAbsentTtlNeverExpires() throws Exception {
        JobV1 zero = add("email", "zero", 0L);
        JobV1 absent = add("email", "absent", null);
        assertNull(zero.getExecuteUntil());
        assertNull(absent.getExecuteUntil());

        clock.advanceMillis(50L * 365 * DAY);
        assertEquals(zero.getId(), controller.startJobByType(CID, "email", 1000).getId());
        assertEquals(absent.getId(), controller.startJobByType(CID, "email", 1000).getId());
    }

    @Test
    void addJobRejectsNegativeTtl() throws Exception {
        assertError(BadRequestException.class, "INVALID_TTL", 400,
                () -> controller.addJob(CID, new NewJobV1("email", "user-1", -1L, null)));
        assertError(BadRequestException.class, "INVALID_TTL", 400,
                () -> controller.addJob(CID, new NewJobV1("email", "user-1", Long.MIN_VALUE, null)));
        assertEquals(0, count());
    }

    @Test
    void addJobRequiresANonEmptyType() throws Exception {
        for (String type : new String[]{null, "", "   "}) {
            assertError(BadRequestException.class, "MISSING_TYPE", 400,
                    () -> controller.addJob(CID, new NewJobV1(type, "user-1", 0L, null)));
        }
        assertEquals(0, count());
    }

    @Test
    void addJobRequiresANonEmptyRefId() throws Exception {
        for (String refId : new String[]{null, "", " \t"}) {
            assertError(BadRequestException.class, "MISSING_REF_ID", 400,
                    () -> controller.addJob(CID, new NewJobV1("email", refId, 0L, null)));
        }
        assertEquals(0, count());
    }

    @Test
    void addJobLimitsTheLengthOfTypeAndRefId() throws Exception {
        assertError(BadRequestException.class, "TYPE_TOO_LONG", 400,
                () -> controller.addJob(CID, new NewJobV1(repeat('t', 257), "user-1", 0L, null)));
        assertError(BadRequestException.class, "REF_ID_TOO_LONG", 400,
                () -> controller.addJob(CID, new NewJobV1("email", repeat('r', 1025), 0L, null)));
        assertEquals(0, count());

        JobV1 longest = controller.addJob(CID, new NewJobV1(repeat('t', 256), repeat('r', 1024), 0L, null));
        assertEquals(256, longest.getType().length());
        assertEquals(1024, longest.getRefId().length());
        assertEquals(1, count());
    }

    @Test
    void everyDateIsTruncatedToMilliseconds() throws Exception {
        Instant exact = TestData.START.plusNanos(123_456_789);
        Instant millis = exact.truncatedTo(ChronoUnit.MILLIS);
        clock.set(exact);

        JobV1 job = add("email", "user-1", 1000L);
        assertAt(millis, job.getCreated());
        assertAt(millis.plusMillis(1000), job.getExecuteUntil());

        JobV1 started = controller.startJobById(CID, job.getId(), 500);
        assertAt(millis, started.getStarted());
        assertAt(millis.plusMillis(500), started.getLockedUntil());

        clock.set(exact.plusNanos(100_999_999));
        JobV1 extended = controller.extendJob(CID, job.getId(), 500, started.getLockToken());
        assertAt(millis.plusMillis(101 + 500), extended.getLockedUntil());

        JobV1 completed = controller.completeJob(CID, job.getId(), started.getLockToken());
        assertAt(millis.plusMillis(101), completed.getCompleted());
        assertEquals(completed, get(job.getId()));
    }

    // ---------------------------------------------------------------- add_uniq_job

    @Test
    void addUniqJobReturnsTheExistingNotCompletedJob() throws Exception {
        JobV1 first = controller.addUniqJob(CID, new NewJobV1("email", "user-1", 0L, null));
        clock.advanceMillis(10);
        JobV1 again = controller.addUniqJob(CID, new NewJobV1("email", "user-1", 5000L, null));
        assertEquals(first, again);
        assertEquals(1, count());

        JobV1 running = controller.startJobById(CID, first.getId(), 1000);
        assertEquals(running, controller.addUniqJob(CID, new NewJobV1("email", "user-1", 0L, null)));
        assertEquals(1, count());

        JobV1 otherRef = controller.addUniqJob(CID, new NewJobV1("email", "user-2", 0L, null));
        JobV1 otherType = controller.addUniqJob(CID, new NewJobV1("report", "user-1", 0L, null));
        assertNotEquals(first.getId(), otherRef.getId());
        assertNotEquals(first.getId(), otherType.getId());
        assertNotEquals(otherRef.getId(), otherType.getId());
        assertEquals(3, count());
    }

    @Test
    void addUniqJobAddsANewJobOnceTheExistingOneIsCompleted() throws Exception {
        JobV1 first = controller.addUniqJob(CID, new NewJobV1("email", "user-1", 0L, null));
        JobV1 running = controller.startJobById(CID, first.getId(), 1000);
        controller.completeJob(CID, first.getId(), running.getLockToken());
        clock.advanceMillis(1);

        JobV1 second = controller.addUniqJob(CID, new NewJobV1("email", "user-1", 0L, null));
        assertNotEquals(first.getId(), second.getId());
        assertNull(second.getCompleted());
        assertAt(now(), second.getCreated());
        assertEquals(2, count());
        assertEquals(second, controller.addUniqJob(CID, new NewJobV1("email", "user-1", 0L, null)));
        assertEquals(2, count());
    }

    @Test
    void addUniqJobChecksItsInput() throws Exception {
        assertError(BadRequestException.class, "MISSING_TYPE", 400,
                () -> controller.addUniqJob(CID, new NewJobV1(" ", "user-1", 0L, null)));
        assertError(BadRequestException.class, "MISSING_REF_ID", 400,
                () -> controller.addUniqJob(CID, new NewJobV1("email", "", 0L, null)));
        assertError(BadRequestException.class, "INVALID_TTL", 400,
                () -> controller.addUniqJob(CID, new NewJobV1("email", "user-1", -5L, null)));
        assertError(BadRequestException.class, "TYPE_TOO_LONG", 400,
                () -> controller.addUniqJob(CID, new NewJobV1(repeat('t', 257), "user-1", 0L, null)));
        assertError(BadRequestException.class, "REF_ID_TOO_LONG", 400,
                () -> controller.addUniqJob(CID, new NewJobV1("email", repeat('r', 1025), 0L, null)));
        assertEquals(0, count());
    }

    @Test
    void addUniqJobIsAtomicAcrossThreads() throws Exception {
        int threads = 8;
        int callsPerThread = 50;
        List<Callable<Set<String>>> tasks = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            tasks.add(() -> {
                start.await();
                Set<String> ids = new HashSet<>();
                for (int i = 0; i < callsPerThread; i++)
                    ids.add(controller.addUniqJob(CID, new NewJobV1("email", "user-" + (i % 5), 0L, null)).getId());
                return ids;
            });
        }
        Set<String> ids = new HashSet<>();
        for (Set<String> part : runConcurrently(tasks, start))
            ids.addAll(part);

        assertEquals(5, ids.size(), "one job per ref_id, whatever the threads did");
        assertEquals(5, count());
    }

    // ---------------------------------------------------------------- start_job_by_type

    @Test
    void startJobByTypeLeasesTheOldestFreeJobOfTheType() throws Exception {
        JobV1 first = add("email", "user-1", 0L);
        clock.advanceMillis(1);
        JobV1 second = add("email", "user-2", 0L);
        clock.advanceMillis(1);
        JobV1 report = add("report", "order-3", 0L);
        clock.advanceMillis(1);
        JobV1 third = add("email", "user-3", 0L);
        clock.advanceMillis(100);

        JobV1 leased = controller.startJobByType(CID, "email", 30_000);
        assertEquals(first.getId(), leased.getId());
        assertAt(now(), leased.getStarted());
        assertAt(now().plusMillis(30_000), leased.getLockedUntil());
        assertEquals(1, leased.getRetries());
        assertNotNull(leased.getLockToken());
        assertFalse(leased.getLockToken().isBlank());
        assertNull(leased.getCompleted());
        assertEquals(first.getCreated().toInstant(), leased.getCreated().toInstant());
        assertEquals(leased, get(first.getId()));

        assertEquals(second.getId(), controller.startJobByType(CID, "email", 30_000).getId());
        assertEquals(third.getId(), controller.startJobByType(CID, "email", 30_000).getId());
        assertNull(controller.startJobByType(CID, "email", 30_000));
        assertEquals(report, get(report.getId()), "a job of another type is not touched");
    }

    @Test
    void startJobByTypeReturnsNullWhenNoJobIsFree() throws Exception {
        assertNull(controller.startJobByType(CID, "email", 1000));
        add("report", "order-1", 0L);
        assertNull(controller.startJobByType(CID, "email", 1000));
        assertEquals(1, count());
    }

    @Test
    void startJobByTypeSkipsCompletedLockedExhaustedAndExpiredJobs() throws Exception {
        configure("options.max_retries", 1);
        JobV1 completed = add("email", "completed", 0L);
        clock.advanceMillis(1);
        JobV1 locked = add("email", "locked", 0L);
        clock.advanceMillis(1);
        JobV1 exhausted = add("email", "exhausted", 0L);
        clock.advanceMillis(1);
        JobV1 expired = add("email", "expired", 100L);
        clock.advanceMillis(1);
        JobV1 free = add("email", "free", 0L);

        String token = controller.startJobById(CID, completed.getId(), 1000).getLockToken();
        controller.completeJob(CID, completed.getId(), token);
        controller.startJobById(CID, locked.getId(), 10_000);
        controller.startJobById(CID, exhausted.getId(), 10);
        clock.advanceMillis(100);
        // Now: locked still holds its lock, exhausted's lock has expired but its only retry is used,
        // expired reached its execute_until.
        List<JobV1> before = all();

        JobV1 leased = controller.startJobByType(CID, "email", 1000);
        assertEquals(free.getId(), leased.getId());
        assertNull(controller.startJobByType(CID, "email", 1000));
        for (JobV1 job : before) {
            if (!job.getId().equals(free.getId()))
                assertEquals(job, get(job.getId()), "only the free job is leased");
        }
    }

    @Test
    void startJobByTypeLeasesAJobAgainOnceItsLockExpired() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        JobV1 first = controller.startJobByType(CID, "email", 1000);

        clock.advanceMillis(999);
        assertNull(controller.startJobByType(CID, "email", 1000), "the lock holds until locked_until");

        clock.advanceMillis(1);
        JobV1 second = controller.startJobByType(CID, "email", 2000);
        assertEquals(job.getId(), second.getId());
        assertEquals(2, second.getRetries());
        assertAt(now(), second.getStarted());
        assertAt(now().plusMillis(2000), second.getLockedUntil());
        assertNotEquals(first.getLockToken(), second.getLockToken());
    }

    @Test
    void startJobByTypeDoesNotLeaseAJobAtOrAfterItsExecuteUntil() throws Exception {
        JobV1 job = add("email", "user-1", 1000L);
        clock.advanceMillis(999);
        assertEquals(job.getId(), controller.startJobByType(CID, "email", 1).getId(), "not yet expired");

        clock.advanceMillis(1);
        assertNull(controller.startJobByType(CID, "email", 1000), "expired when execute_until is not in the future");
        assertEquals(1, get(job.getId()).getRetries());
    }

    @Test
    void startJobByTypeNeverLeasesAJobTwiceAcrossThreads() throws Exception {
        int jobs = 200;
        for (int i = 0; i < jobs; i++)
            add("email", "user-" + i, 0L);

        int threads = 6;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<List<String>>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            tasks.add(() -> {
                start.await();
                List<String> ids = new ArrayList<>();
                JobV1 job;
                while ((job = controller.startJobByType(CID, "email", 60_000)) != null)
                    ids.add(job.getId());
                return ids;
            });
        }
        List<String> leased = new ArrayList<>();
        for (List<String> part : runConcurrently(tasks, start))
            leased.addAll(part);

        assertEquals(jobs, leased.size(), "every job leased exactly once");
        assertEquals(jobs, new HashSet<>(leased).size(), "no job leased twice");
        for (JobV1 job : all())
            assertEquals(1, job.getRetries());
    }

    // ---------------------------------------------------------------- start_job_by_id

    @Test
    void startJobByIdLeasesAFreeJob() throws Exception {
        JobV1 older = add("email", "user-1", 0L);
        clock.advanceMillis(1);
        JobV1 job = add("email", "user-2", 60_000L);
        clock.advanceMillis(10);

        JobV1 leased = controller.startJobById(CID, job.getId(), 5000);
        assertEquals(job.getId(), leased.getId());
        assertAt(now(), leased.getStarted());
        assertAt(now().plusMillis(5000), leased.getLockedUntil());
        assertEquals(1, leased.getRetries());
        assertNotNull(leased.getLockToken());
        assertAt(job.getExecuteUntil().toInstant(), leased.getExecuteUntil());
        assertEquals(leased, get(job.getId()));
        assertEquals(older, get(older.getId()));
    }

    @Test
    void startJobByIdOfAnUnknownJobIsNotFound() throws Exception {
        add("email", "user-1", 0L);
        List<JobV1> before = all();
        assertError(NotFoundException.class, "JOB_NOT_FOUND", 404,
                () -> controller.startJobById(CID, "no-such-job", 1000));
        assertEquals(before, all());
    }

    @Test
    void startJobByIdOfACompletedJobIsAConflict() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        String token = controller.startJobById(CID, job.getId(), 1000).getLockToken();
        controller.completeJob(CID, job.getId(), token);
        clock.advanceMillis(5000);

        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_COMPLETED", 409,
                () -> controller.startJobById(CID, job.getId(), 1000));
    }

    @Test
    void startJobByIdOfALockedJobIsAConflict() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        controller.startJobById(CID, job.getId(), 1000);
        clock.advanceMillis(999);

        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_LOCKED", 409,
                () -> controller.startJobById(CID, job.getId(), 1000));
    }

    @Test
    void startJobByIdLeasesAJobWhoseLockExpired() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        JobV1 first = controller.startJobById(CID, job.getId(), 1000);
        clock.advanceMillis(1000);

        JobV1 second = controller.startJobById(CID, job.getId(), 3000);
        assertEquals(2, second.getRetries());
        assertAt(now(), second.getStarted());
        assertAt(now().plusMillis(3000), second.getLockedUntil());
        assertNotEquals(first.getLockToken(), second.getLockToken());
    }

    @Test
    void startJobByIdOfAJobThatUsedItsRetriesIsAConflict() throws Exception {
        configure("options.max_retries", 3);
        JobV1 job = add("email", "user-1", 0L);
        for (int i = 1; i <= 3; i++) {
            assertEquals(i, controller.startJobById(CID, job.getId(), 100).getRetries());
            clock.advanceMillis(100);
        }

        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_RETRIES_EXHAUSTED", 409,
                () -> controller.startJobById(CID, job.getId(), 100));
        assertNull(controller.startJobByType(CID, "email", 100));
        assertEquals(3, get(job.getId()).getRetries());
    }

    @Test
    void abortedLeasesCountAsRetries() throws Exception {
        configure("options.max_retries", 2);
        JobV1 job = add("email", "user-1", 0L);
        for (int i = 0; i < 2; i++) {
            JobV1 leased = controller.startJobByType(CID, "email", 1000);
            controller.abortJob(CID, leased.getId(), leased.getLockToken());
        }
        assertNull(controller.startJobByType(CID, "email", 1000));
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_RETRIES_EXHAUSTED", 409,
                () -> controller.startJobById(CID, job.getId(), 1000));
    }

    @Test
    void maxRetriesDefaultsToTen() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        for (int i = 1; i <= 10; i++) {
            assertEquals(i, controller.startJobById(CID, job.getId(), 10).getRetries());
            clock.advanceMillis(10);
        }
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_RETRIES_EXHAUSTED", 409,
                () -> controller.startJobById(CID, job.getId(), 10));
    }

    @Test
    void startJobByIdOfAnExpiredJobIsAConflict() throws Exception {
        JobV1 job = add("email", "user-1", 1000L);
        clock.advanceMillis(1000);

        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_EXPIRED", 409,
                () -> controller.startJobById(CID, job.getId(), 1000));
        clock.advanceMillis(DAY);
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_EXPIRED", 409,
                () -> controller.startJobById(CID, job.getId(), 1000));
    }

    @Test
    void startJobByIdJustBeforeExecuteUntilLeases() throws Exception {
        JobV1 job = add("email", "user-1", 1000L);
        clock.advanceMillis(999);
        assertEquals(1, controller.startJobById(CID, job.getId(), 1000).getRetries());
    }

    @Test
    void startJobByIdHasOneWinnerAcrossThreads() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<String>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            tasks.add(() -> {
                start.await();
                try {
                    return controller.startJobById(CID, job.getId(), 60_000).getLockToken();
                } catch (ConflictException ex) {
                    return "refused:" + ex.getCode();
                }
            });
        }
        List<String> results = runConcurrently(tasks, start);

        List<String> winners = results.stream().filter(r -> !r.startsWith("refused:")).toList();
        assertEquals(1, winners.size(), () -> "exactly one lease: " + results);
        assertEquals(threads - 1, results.stream().filter("refused:JOB_LOCKED"::equals).count(),
                () -> "every other caller is told JOB_LOCKED: " + results);
        JobV1 stored = get(job.getId());
        assertEquals(1, stored.getRetries());
        assertEquals(winners.get(0), stored.getLockToken());
    }

    // ---------------------------------------------------------------- extend_job

    @Test
    void extendJobMovesTheLockOfARunningJob() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        JobV1 leased = controller.startJobById(CID, job.getId(), 1000);
        clock.advanceMillis(800);

        JobV1 extended = controller.extendJob(CID, job.getId(), 5000, null);
        assertAt(now().plusMillis(5000), extended.getLockedUntil());
        assertEquals(leased.getStarted().toInstant(), extended.getStarted().toInstant());
        assertEquals(1, extended.getRetries());
        assertEquals(leased.getLockToken(), extended.getLockToken());
        assertNull(extended.getCompleted());
        assertEquals(extended, get(job.getId()));

        clock.advanceMillis(4999);
        assertNull(controller.startJobByType(CID, "email", 1000), "the extended lock holds");
    }

    @Test
    void extendJobWorksForAStartedJobWhoseLockRanOut() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        JobV1 leased = controller.startJobById(CID, job.getId(), 1000);
        clock.advanceMillis(1500);

        JobV1 extended = controller.extendJob(CID, job.getId(), 1000, leased.getLockToken());
        assertAt(now().plusMillis(1000), extended.getLockedUntil());
        assertEquals(1, extended.getRetries());
    }

    @Test
    void extendJobOfAnUnknownJobIsNotFound() throws Exception {
        add("email", "user-1", 0L);
        List<JobV1> before = all();
        assertError(NotFoundException.class, "JOB_NOT_FOUND", 404,
                () -> controller.extendJob(CID, "no-such-job", 1000, null));
        assertEquals(before, all());
    }

    @Test
    void extendJobOfAWaitingJobIsAConflict() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_NOT_STARTED", 409,
                () -> controller.extendJob(CID, job.getId(), 1000, null));

        JobV1 leased = controller.startJobById(CID, job.getId(), 1000);
        controller.abortJob(CID, job.getId(), leased.getLockToken());
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_NOT_STARTED", 409,
                () -> controller.extendJob(CID, job.getId(), 1000, null));
    }

    @Test
    void extendJobOfACompletedJobIsAConflict() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        JobV1 leased = controller.startJobById(CID, job.getId(), 1000);
        controller.completeJob(CID, job.getId(), leased.getLockToken());

        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_COMPLETED", 409,
                () -> controller.extendJob(CID, job.getId(), 1000, null));
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_COMPLETED", 409,
                () -> controller.extendJob(CID, job.getId(), 1000, leased.getLockToken()));
    }

    // ---------------------------------------------------------------- abort_job

    @Test
    void abortJobFreesARunningJobAtOnceAndKeepsItsRetries() throws Exception {
        JobV1 job = add("email", "user-1", 60_000L);
        JobV1 leased = controller.startJobById(CID, job.getId(), 10_000);
        clock.advanceMillis(100);

        JobV1 aborted = controller.abortJob(CID, job.getId(), null);
        assertNull(aborted.getStarted());
        assertNull(aborted.getLockedUntil());
        assertNull(aborted.getLockToken());
        assertNull(aborted.getCompleted());
        assertEquals(1, aborted.getRetries());
        assertAt(job.getExecuteUntil().toInstant(), aborted.getExecuteUntil());
        assertEquals(aborted, get(job.getId()));

        JobV1 again = controller.startJobByType(CID, "email", 10_000);
        assertEquals(job.getId(), again.getId(), "free at once, with the same clock");
        assertEquals(2, again.getRetries());
        assertNotEquals(leased.getLockToken(), again.getLockToken());
    }

    @Test
    void abortJobOfAnUnknownJobIsNotFound() throws Exception {
        add("email", "user-1", 0L);
        List<JobV1> before = all();
        assertError(NotFoundException.class, "JOB_NOT_FOUND", 404,
                () -> controller.abortJob(CID, "no-such-job", null));
        assertEquals(before, all());
    }

    @Test
    void abortJobOfAWaitingJobIsAConflict() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_NOT_STARTED", 409,
                () -> controller.abortJob(CID, job.getId(), null));
    }

    @Test
    void abortJobOfACompletedJobIsAConflict() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        JobV1 leased = controller.startJobById(CID, job.getId(), 1000);
        controller.completeJob(CID, job.getId(), leased.getLockToken());

        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_COMPLETED", 409,
                () -> controller.abortJob(CID, job.getId(), null));
    }

    // ---------------------------------------------------------------- complete_job

    @Test
    void completeJobSetsCompletedAndClearsTheLock() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        JobV1 leased = controller.startJobById(CID, job.getId(), 10_000);
        clock.advanceMillis(250);

        JobV1 completed = controller.completeJob(CID, job.getId(), null);
        assertAt(now(), completed.getCompleted());
        assertNull(completed.getLockedUntil());
        assertNull(completed.getLockToken());
        assertEquals(1, completed.getRetries());
        assertEquals(leased.getStarted().toInstant(), completed.getStarted().toInstant());
        assertEquals(completed, get(job.getId()));
        assertNull(controller.startJobByType(CID, "email", 1000));
    }

    @Test
    void completeJobTwiceIsAConflict() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        JobV1 leased = controller.startJobById(CID, job.getId(), 10_000);
        JobV1 completed = controller.completeJob(CID, job.getId(), leased.getLockToken());
        clock.advanceMillis(1000);

        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_COMPLETED", 409,
                () -> controller.completeJob(CID, job.getId(), null));
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_COMPLETED", 409,
                () -> controller.completeJob(CID, job.getId(), leased.getLockToken()));
        assertEquals(completed, get(job.getId()));
    }

    @Test
    void completeJobOfAnUnknownJobIsNotFound() throws Exception {
        add("email", "user-1", 0L);
        List<JobV1> before = all();
        assertError(NotFoundException.class, "JOB_NOT_FOUND", 404,
                () -> controller.completeJob(CID, "no-such-job", null));
        assertEquals(before, all());
    }

    @Test
    void completeJobOfAWaitingJobIsAConflict() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_NOT_STARTED", 409,
                () -> controller.completeJob(CID, job.getId(), null));
    }

    // ---------------------------------------------------------------- lock_token

    @Test
    void everyLeaseGivesANewRandomLockToken() throws Exception {
        configure("options.max_retries", 1000);
        JobV1 job = add("email", "user-1", 0L);
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            JobV1 leased = i % 2 == 0
                    ? controller.startJobByType(CID, "email", 1000)
                    : controller.startJobById(CID, job.getId(), 1000);
            assertNotNull(leased.getLockToken());
            assertFalse(leased.getLockToken().isBlank());
            assertEquals(leased.getLockToken(), get(job.getId()).getLockToken());
            tokens.add(leased.getLockToken());
            if (i % 3 == 0)
                controller.abortJob(CID, job.getId(), leased.getLockToken());
            else
                clock.advanceMillis(1000);
        }
        assertEquals(100, tokens.size(), "every lease has its own token");
    }

    @Test
    void theCurrentLockTokenExtendsAbortsAndCompletes() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        JobV1 leased = controller.startJobById(CID, job.getId(), 1000);
        clock.advanceMillis(10);

        JobV1 extended = controller.extendJob(CID, job.getId(), 2000, leased.getLockToken());
        assertAt(now().plusMillis(2000), extended.getLockedUntil());

        JobV1 aborted = controller.abortJob(CID, job.getId(), leased.getLockToken());
        assertNull(aborted.getStarted());

        JobV1 again = controller.startJobById(CID, job.getId(), 1000);
        JobV1 completed = controller.completeJob(CID, job.getId(), again.getLockToken());
        assertAt(now(), completed.getCompleted());
    }

    @Test
    void extendJobWithAnotherLockTokenIsLockLost() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        controller.startJobById(CID, job.getId(), 1000);
        clock.advanceMillis(10);

        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> controller.extendJob(CID, job.getId(), 5000, "not-the-token"));
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> controller.extendJob(CID, job.getId(), 5000, ""));
    }

    @Test
    void abortJobWithAnotherLockTokenIsLockLost() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        controller.startJobById(CID, job.getId(), 1000);

        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> controller.abortJob(CID, job.getId(), "not-the-token"));
        assertNotNull(get(job.getId()).getStarted());
    }

    @Test
    void completeJobWithAnotherLockTokenIsLockLost() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        controller.startJobById(CID, job.getId(), 1000);

        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> controller.completeJob(CID, job.getId(), "not-the-token"));
        assertNull(get(job.getId()).getCompleted());
    }

    @Test
    void aWorkerWhoseLeaseWasTakenOverCannotTouchTheNewLease() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        JobV1 workerA = controller.startJobByType(CID, "email", 1000);
        clock.advanceMillis(1000);
        JobV1 workerB = controller.startJobByType(CID, "email", 1000);
        assertEquals(job.getId(), workerB.getId());
        String staleToken = workerA.getLockToken();

        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> controller.extendJob(CID, job.getId(), 5000, staleToken));
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> controller.completeJob(CID, job.getId(), staleToken));
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> controller.abortJob(CID, job.getId(), staleToken));

        JobV1 completed = controller.completeJob(CID, job.getId(), workerB.getLockToken());
        assertAt(now(), completed.getCompleted());
    }

    @Test
    void aLockTokenOfAnAbortedLeaseIsLockLost() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        JobV1 leased = controller.startJobById(CID, job.getId(), 1000);
        controller.abortJob(CID, job.getId(), null);

        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> controller.extendJob(CID, job.getId(), 1000, leased.getLockToken()));
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> controller.completeJob(CID, job.getId(), leased.getLockToken()));
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_LOCK_LOST", 409,
                () -> controller.abortJob(CID, job.getId(), leased.getLockToken()));
    }

    // ---------------------------------------------------------------- timeout

    @Test
    void timeoutMustBeFromOneMillisecondToTheDefaultMaximum() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        for (long bad : new long[]{0, -1, JobsController.DEFAULT_MAX_TIMEOUT + 1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            assertRefusedUnchanged(job.getId(), BadRequestException.class, "INVALID_TIMEOUT", 400,
                    () -> controller.startJobByType(CID, "email", bad));
            assertRefusedUnchanged(job.getId(), BadRequestException.class, "INVALID_TIMEOUT", 400,
                    () -> controller.startJobById(CID, job.getId(), bad));
        }
        assertEquals(86_400_000L, JobsController.DEFAULT_MAX_TIMEOUT);

        JobV1 leased = controller.startJobById(CID, job.getId(), 86_400_000L);
        assertAt(now().plusMillis(86_400_000L), leased.getLockedUntil());
        for (long bad : new long[]{0, -1, 86_400_001L}) {
            assertRefusedUnchanged(job.getId(), BadRequestException.class, "INVALID_TIMEOUT", 400,
                    () -> controller.extendJob(CID, job.getId(), bad, leased.getLockToken()));
        }
        JobV1 extended = controller.extendJob(CID, job.getId(), 1, leased.getLockToken());
        assertAt(now().plusMillis(1), extended.getLockedUntil());
    }

    @Test
    void theMaximumTimeoutIsConfigurable() throws Exception {
        configure("options.max_timeout", 5000);
        JobV1 job = add("email", "user-1", 0L);
        assertRefusedUnchanged(job.getId(), BadRequestException.class, "INVALID_TIMEOUT", 400,
                () -> controller.startJobByType(CID, "email", 5001));
        assertRefusedUnchanged(job.getId(), BadRequestException.class, "INVALID_TIMEOUT", 400,
                () -> controller.startJobById(CID, job.getId(), 5001));

        JobV1 leased = controller.startJobByType(CID, "email", 5000);
        assertAt(now().plusMillis(5000), leased.getLockedUntil());
        assertRefusedUnchanged(job.getId(), BadRequestException.class, "INVALID_TIMEOUT", 400,
                () -> controller.extendJob(CID, job.getId(), 5001, null));
        assertAt(now().plusMillis(5000), controller.extendJob(CID, job.getId(), 5000, null).getLockedUntil());
    }

    // ---------------------------------------------------------------- get, delete

    @Test
    void getJobsFiltersAndPages() throws Exception {
        add("email", "user-1", 0L);
        clock.advanceMillis(1);
        add("report", "order-1", 0L);
        clock.advanceMillis(1);
        JobV1 second = add("email", "user-2", 0L);

        DataPage<JobV1> page = controller.getJobs(CID, FilterParams.fromTuples("type", "email"),
                new PagingParams(1, 1, true));
        assertEquals(2, page.getTotal());
        assertEquals(List.of(second), page.getData());
        assertEquals(3, controller.getJobs(CID, null, null).getData().size());
        assertNull(controller.getJobById(CID, "no-such-job"));
    }

    @Test
    void deleteJobByIdReturnsTheDeletedJob() throws Exception {
        JobV1 job = add("email", "user-1", 0L);
        JobV1 other = add("email", "user-2", 0L);
        JobV1 leased = controller.startJobById(CID, job.getId(), 1000);

        assertEquals(leased, controller.deleteJobById(CID, job.getId()));
        assertNull(get(job.getId()));
        assertNull(controller.deleteJobById(CID, job.getId()), "null when there is none");
        assertNull(controller.deleteJobById(CID, "no-such-job"));
        assertEquals(List.of(other), all());
    }

    @Test
    void deleteJobsRemovesEveryJob() throws Exception {
        add("email", "user-1", 0L);
        add("report", "order-1", 0L);
        controller.startJobByType(CID, "email", 1000);

        controller.deleteJobs(CID);
        assertEquals(0, count());
        assertNull(controller.startJobByType(CID, "email", 1000));
        assertNotNull(add("email", "user-1", 0L));
        assertEquals(1, count());
    }

    // ---------------------------------------------------------------- configuration

    @Test
    void invalidOptionsAreConfigErrors() {
        assertAll(
                () -> assertConfigError("INVALID_MAX_RETRIES", "options.max_retries", 0),
                () -> assertConfigError("INVALID_MAX_RETRIES", "options.max_retries", -3),
                () -> assertConfigError("INVALID_MAX_TIMEOUT", "options.max_timeout", 0),
                () -> assertConfigError("INVALID_MAX_TIMEOUT", "options.max_timeout", -1),
                () -> assertConfigError("INVALID_CLEAN_INTERVAL", "options.clean_interval", -1),
                () -> assertConfigError("INVALID_COMPLETED_RETENTION", "options.completed_retention", -1));
    }

    /** A fresh controller refuses one option with a ConfigException. */
    private void assertConfigError(String code, String key, Object value) {
        JobsController fresh = new JobsController(clock);
        assertError(ConfigException.class, code, 500, null,
                () -> fresh.configure(ConfigParams.fromTuples(key, value)));
    }

    @Test
    void validOptionsAreAccepted() throws Exception {
        configure("options.max_retries", 1, "options.max_timeout", 1, "options.clean_interval", 0,
                "options.completed_retention", 0);
        JobV1 job = add("email", "user-1", 0L);
        assertEquals(1, controller.startJobById(CID, job.getId(), 1).getRetries());
        assertError(BadRequestException.class, "INVALID_TIMEOUT", 400,
                () -> controller.startJobByType(CID, "email", 2));
    }

    @Test
    void aRefusedConfigurationChangesNothing() throws Exception {
        configure("options.max_retries", 3, "options.max_timeout", 5000);
        assertError(ConfigException.class, "INVALID_MAX_TIMEOUT", 500, null,
                () -> configure("options.max_retries", 1, "options.max_timeout", 0));

        JobV1 job = add("email", "user-1", 0L);
        for (int i = 1; i <= 3; i++) {
            JobV1 leased = assertDoesNotThrow(() -> controller.startJobById(CID, job.getId(), 5000),
                    "max_retries 3 and max_timeout 5000 still hold after the refused configuration");
            assertEquals(i, leased.getRetries());
            clock.advanceMillis(5000);
        }
        assertRefusedUnchanged(job.getId(), ConflictException.class, "JOB_RETRIES_EXHAUSTED", 409,
                () -> controller.startJobById(CID, job.getId(), 5000));
        assertError(BadRequestException.class, "INVALID_TIMEOUT", 400,
                () -> controller.startJobByType(CID, "email", 5001));
    }

    // ---------------------------------------------------------------- threads

    /** Runs tasks on their own threads, released together by the latch; bounded in time. */
    static <T> List<T> runConcurrently(List<Callable<T>> tasks, CountDownLatch start) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks)
                futures.add(executor.submit(task));
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures)
                results.add(future.get(30, TimeUnit.SECONDS));
            return results;
        } finally {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
