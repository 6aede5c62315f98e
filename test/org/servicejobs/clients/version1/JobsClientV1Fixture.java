package org.servicejobs.clients.version1;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.errors.NotFoundException;
import org.servicejobs.TestData;
import org.servicejobs.TestService;
import org.servicejobs.persistence.ObservedJobsPersistence;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of {@link IJobsClientV1}: each client has a test class that extends this one and
 * adds itself to the service, so it inherits every test here and in the contracts it implements
 * ({@link JobsClientV1LifecycleContract}, {@link JobsClientV1ManagementContract}). Each test runs
 * on a fresh service (memory store, system clock, no cleaner, a wait poll interval of a minute so
 * that only an add or a resume can wake a long-poll) whose store is observed, so a long-poll can
 * be caught while it waits.
 */
public abstract class JobsClientV1Fixture implements JobsClientV1LifecycleContract, JobsClientV1ManagementContract {
    static final String CORRELATION_ID = "client-fixture";
    private static final long LEASE = 30_000;

    protected ObservedJobsPersistence store;
    protected TestService service;
    protected IJobsClientV1 client;

    /** Adds the client under test to the service, which is not open yet, and returns it. */
    protected abstract IJobsClientV1 addClient(TestService service) throws Exception;

    @Override
    public IJobsClientV1 client() {
        return client;
    }

    @Override
    public TestService service() {
        return service;
    }

    @Override
    public ObservedJobsPersistence store() {
        return store;
    }

    @BeforeEach
    void openService() throws Exception {
        store = new ObservedJobsPersistence();
        service = TestService.on(store).controller("options.wait_poll_interval", 60_000);
        client = addClient(service);
        service.open();
    }

    @AfterEach
    void closeService() throws Exception {
        store.releaseAll();
        service.close();
    }

    @Test
    void crudOperations() throws Exception {
        JobV1 job1 = client.addJob(CORRELATION_ID, TestData.NEW_JOB1);
        JobV1 job2 = client.addJob(CORRELATION_ID, TestData.NEW_JOB2);
        JobV1 job3 = client.addJob(CORRELATION_ID, TestData.NEW_JOB3);
        assertAdded(TestData.NEW_JOB1, job1);
        assertAdded(TestData.NEW_JOB2, job2);
        assertAdded(TestData.NEW_JOB3, job3);
        assertEquals(3, List.of(job1.getId(), job2.getId(), job3.getId()).stream().distinct().count());

        assertEquals(job2, client.getJobById(CORRELATION_ID, job2.getId()));

        DataPage<JobV1> all = client.getJobs(CORRELATION_ID, null, null);
        assertEquals(List.of(job1, job2, job3), all.getData());
        assertNull(all.getTotal());

        DataPage<JobV1> emails = client.getJobs(CORRELATION_ID, FilterParams.fromTuples("type", "email"),
                new PagingParams(0, 10, true));
        assertEquals(List.of(job1, job2), emails.getData());
        assertEquals(2L, emails.getTotal());

        DataPage<JobV1> second = client.getJobs(CORRELATION_ID, null, new PagingParams(1, 1, true));
        assertEquals(List.of(job2), second.getData());
        assertEquals(3L, second.getTotal());

        DataPage<JobV1> noTotal = client.getJobs(CORRELATION_ID, FilterParams.fromTuples("ref_id", "order-3"),
                new PagingParams(0, 5, false));
        assertEquals(List.of(job3), noTotal.getData());
        assertNull(noTotal.getTotal());

        assertEquals(job1, client.deleteJobById(CORRELATION_ID, job1.getId()));
        assertNull(client.getJobById(CORRELATION_ID, job1.getId()));
        assertNull(client.deleteJobById(CORRELATION_ID, job1.getId()));
        assertEquals(List.of(job2, job3), client.getJobs(CORRELATION_ID, null, null).getData());

        client.deleteJobs(CORRELATION_ID);
        DataPage<JobV1> none = client.getJobs(CORRELATION_ID, null, new PagingParams(0, 10, true));
        assertTrue(none.getData().isEmpty());
        assertEquals(0L, none.getTotal());
    }

    @Test
    void addUniqJob() throws Exception {
        JobV1 first = client.addUniqJob(CORRELATION_ID, new NewJobV1("email", "user-1", null, "p1"));
        JobV1 same = client.addUniqJob(CORRELATION_ID, new NewJobV1("email", "user-1", null, "p2"));
        JobV1 other = client.addUniqJob(CORRELATION_ID, new NewJobV1("email", "user-2", null, "p3"));

        assertEquals(first, same);
        assertEquals("p1", same.getParams());
        assertNotEquals(first.getId(), other.getId());
        assertEquals(2, client.getJobs(CORRELATION_ID, null, null).getData().size());
    }

    @Test
    void leaseExtendAndComplete() throws Exception {
        JobV1 added = client.addJob(CORRELATION_ID, new NewJobV1("report", "order-1", null, null));

        JobV1 started = client.startJobByType(CORRELATION_ID, "report", LEASE);
        assertEquals(added.getId(), started.getId());
        assertNotNull(started.getStarted());
        assertFalse(started.getStarted().isBefore(added.getCreated()));
        assertEquals(started.getStarted().plus(LEASE, ChronoUnit.MILLIS).toInstant(), started.getLockedUntil().toInstant());
        assertEquals(1, started.getRetries());
        assertNotNull(started.getLockToken());
        assertEquals(started, client.getJobById(CORRELATION_ID, added.getId()));
        assertNull(client.startJobByType(CORRELATION_ID, "report", LEASE), "a leased job was leased again");

        JobV1 extended = client.extendJob(CORRELATION_ID, added.getId(), 2 * LEASE, started.getLockToken());
        assertTrue(extended.getLockedUntil().isAfter(started.getLockedUntil()));
        assertEquals(started.getLockToken(), extended.getLockToken());
        assertEquals(started.getStarted().toInstant(), extended.getStarted().toInstant());

        JobV1 completed = client.completeJob(CORRELATION_ID, added.getId(), started.getLockToken());
        assertNotNull(completed.getCompleted());
        assertFalse(completed.getCompleted().isBefore(started.getStarted()));
        assertNull(completed.getLockedUntil());
        assertNull(completed.getLockToken());
        assertEquals(1, completed.getRetries());
        assertEquals(completed, client.getJobById(CORRELATION_ID, added.getId()));
    }

    @Test
    void abortAndLeaseAgain() throws Exception {
        JobV1 added = client.addJob(CORRELATION_ID, new NewJobV1("email", "user-1", null, null));
        JobV1 first = client.startJobByType(CORRELATION_ID, "email", LEASE);

        JobV1 aborted = client.abortJob(CORRELATION_ID, added.getId(), first.getLockToken());
        assertNull(aborted.getStarted());
        assertNull(aborted.getLockedUntil());
        assertNull(aborted.getLockToken());
        assertEquals(1, aborted.getRetries());

        JobV1 again = client.startJobByType(CORRELATION_ID, "email", LEASE);
        assertEquals(added.getId(), again.getId());
        assertEquals(2, again.getRetries());
        assertNotEquals(first.getLockToken(), again.getLockToken());

        String stale = first.getLockToken();
        assertError(ConflictException.class, 409, "JOB_LOCK_LOST", () -> client.abortJob(CORRELATION_ID, added.getId(), stale));
        assertError(ConflictException.class, 409, "JOB_LOCK_LOST",
                () -> client.extendJob(CORRELATION_ID, added.getId(), LEASE, stale));
        assertError(ConflictException.class, 409, "JOB_LOCK_LOST", () -> client.completeJob(CORRELATION_ID, added.getId(), stale));
        assertEquals(again, client.getJobById(CORRELATION_ID, added.getId()), "a refused call changed the job");
    }

    @Test
    void startJobById() throws Exception {
        JobV1 added = client.addJob(CORRELATION_ID, new NewJobV1("email", "user-1", null, null));

        JobV1 started = client.startJobById(CORRELATION_ID, added.getId(), LEASE);
        assertEquals(added.getId(), started.getId());
        assertEquals(1, started.getRetries());
        assertNotNull(started.getLockToken());

        assertError(ConflictException.class, 409, "JOB_LOCKED", () -> client.startJobById(CORRELATION_ID, added.getId(), LEASE));
        assertError(NotFoundException.class, 404, "JOB_NOT_FOUND", () -> client.startJobById(CORRELATION_ID, "no-such-job", LEASE));
    }

    @Test
    void typedErrors() throws Exception {
        NotFoundException notFound = assertError(NotFoundException.class, 404, "JOB_NOT_FOUND",
                () -> client.completeJob(CORRELATION_ID, "no-such-job", null));
        assertEquals("no-such-job", notFound.getDetails().getAsString("job_id"));

        JobV1 added = client.addJob(CORRELATION_ID, new NewJobV1("email", "user-1", null, null));
        assertError(ConflictException.class, 409, "JOB_NOT_STARTED", () -> client.completeJob(CORRELATION_ID, added.getId(), null));
        JobV1 started = client.startJobById(CORRELATION_ID, added.getId(), LEASE);
        assertError(ConflictException.class, 409, "JOB_LOCK_LOST",
                () -> client.completeJob(CORRELATION_ID, added.getId(), "not-the-lock-token"));
        client.completeJob(CORRELATION_ID, added.getId(), started.getLockToken());
        ConflictException twice = assertError(ConflictException.class, 409, "JOB_COMPLETED",
                () -> client.completeJob(CORRELATION_ID, added.getId(), started.getLockToken()));
        assertEquals(added.getId(), twice.getDetails().getAsString("job_id"));

        BadRequestException badTimeout = assertError(BadRequestException.class, 400, "INVALID_TIMEOUT",
                () -> client.startJobByType(CORRELATION_ID, "email", 0));
        assertEquals("0", badTimeout.getDetails().getAsString("timeout"));
        assertError(BadRequestException.class, 400, "INVALID_TIMEOUT", () -> client.extendJob(CORRELATION_ID, added.getId(), -1, null));
        assertError(BadRequestException.class, 400, "MISSING_TYPE",
                () -> client.addJob(CORRELATION_ID, new NewJobV1("", "user-1", null, null)));
        assertError(BadRequestException.class, 400, "INVALID_WAIT", () -> client.startJobByType(CORRELATION_ID, "email", LEASE, -1));
        assertError(BadRequestException.class, 400, "INVALID_FILTER",
                () -> client.getJobs(CORRELATION_ID, FilterParams.fromTuples("no_such_key", "x"), null));
    }

    @Test
    void nullWhenNothingIsFound() throws Exception {
        assertNull(client.getJobById(CORRELATION_ID, "no-such-job"));
        assertNull(client.deleteJobById(CORRELATION_ID, "no-such-job"));
        assertNull(client.startJobByType(CORRELATION_ID, "email", LEASE));

        client.addJob(CORRELATION_ID, new NewJobV1("email", "user-1", null, null));
        assertNull(client.startJobByType(CORRELATION_ID, "no-such-type", LEASE));
        assertNotNull(client.startJobByType(CORRELATION_ID, "email", LEASE));
        assertNull(client.startJobByType(CORRELATION_ID, "email", LEASE), "no free job is left");
    }

    @Test
    void paramsRoundTrip() throws Exception {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("flag", true);
        inner.put("none", null);
        inner.put("ratio", 0.25);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("to", "a@example.com");
        params.put("count", 3);
        params.put("big", 9_007_199_254_740_993L);
        params.put("list", List.of(1, "two", List.of(3, 4), Map.of("five", 5)));
        params.put("nested", inner);
        params.put("unicode", "caf\u00e9 \u00fc \u20ac");

        JobV1 added = client.addJob(CORRELATION_ID, new NewJobV1("email", "user-1", null, params));
        assertEquals(params, added.getParams());
        assertEquals(params, client.getJobById(CORRELATION_ID, added.getId()).getParams());
        assertEquals(params, client.startJobByType(CORRELATION_ID, "email", LEASE).getParams());

        JobV1 list = client.addJob(CORRELATION_ID, TestData.NEW_JOB3);
        assertEquals(List.of(1, 2, 3), client.getJobById(CORRELATION_ID, list.getId()).getParams());
        JobV1 text = client.addJob(CORRELATION_ID, new NewJobV1("email", "user-2", null, "plain text"));
        assertEquals("plain text", client.getJobById(CORRELATION_ID, text.getId()).getParams());
        JobV1 none = client.addJob(CORRELATION_ID, new NewJobV1("email", "user-3", null, null));
        assertNull(client.getJobById(CORRELATION_ID, none.getId()).getParams());
    }

    @Test
    void dates() throws Exception {
        ZonedDateTime before = ZonedDateTime.now().truncatedTo(ChronoUnit.MILLIS);
        JobV1 expiring = client.addJob(CORRELATION_ID, TestData.NEW_JOB2);
        JobV1 forever = client.addJob(CORRELATION_ID, TestData.NEW_JOB1);
        ZonedDateTime after = ZonedDateTime.now();

        assertNotNull(expiring.getCreated());
        assertFalse(expiring.getCreated().isBefore(before));
        assertFalse(expiring.getCreated().isAfter(after));
        assertEquals(expiring.getCreated().plus(60_000, ChronoUnit.MILLIS).toInstant(), expiring.getExecuteUntil().toInstant());
        assertNull(forever.getExecuteUntil(), "ttl 0 never expires");
        assertNull(expiring.getStarted());
        assertNull(expiring.getLockedUntil());
        assertNull(expiring.getCompleted());

        JobV1 started = client.startJobById(CORRELATION_ID, expiring.getId(), LEASE);
        JobV1 completed = client.completeJob(CORRELATION_ID, expiring.getId(), started.getLockToken());
        JobV1 stored = client.getJobById(CORRELATION_ID, expiring.getId());
        for (ZonedDateTime date : List.of(stored.getCreated(), stored.getStarted(), stored.getExecuteUntil(), stored.getCompleted()))
            assertEquals(date.truncatedTo(ChronoUnit.MILLIS).toInstant(), date.toInstant(), "not at ms precision: " + date);
        assertEquals(expiring.getCreated().toInstant(), stored.getCreated().toInstant());
        assertEquals(started.getStarted().toInstant(), stored.getStarted().toInstant());
        assertEquals(completed.getCompleted().toInstant(), stored.getCompleted().toInstant());
        assertEquals(expiring.getExecuteUntil().toInstant(), stored.getExecuteUntil().toInstant());
        assertEquals(completed, stored);
        assertEquals(stored, client.getJobs(CORRELATION_ID, FilterParams.fromTuples("id", stored.getId()), null)
                .getData().get(0));
    }

    @Test
    void longPollGetsAJobAddedWhileItWaits() throws Exception {
        CountDownLatch waiting = store.watchEmptyLeases("poll");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            // Only the add can wake it before its wait of 20 s ends (the poll interval is a minute).
            Future<Timed> poll = executor.submit(() -> timed(() -> client.startJobByType(CORRELATION_ID, "poll", LEASE, 20_000)));
            assertTrue(waiting.await(10, TimeUnit.SECONDS), "the long-poll never looked for a job");

            JobV1 added = client.addJob(CORRELATION_ID, new NewJobV1("poll", "p-1", null, null));

            Timed result = poll.get(30, TimeUnit.SECONDS);
            assertNotNull(result.job(), "the long-poll missed the job added while it waited");
            assertEquals(added.getId(), result.job().getId());
            assertNotNull(result.job().getLockToken());
            assertTrue(result.millis() < 20_000, "the long-poll took " + result.millis() + " ms: its whole wait");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void longPollReturnsNullAfterItsWait() throws Exception {
        Timed result = timed(() -> client.startJobByType(CORRELATION_ID, "poll", LEASE, 300));
        assertNull(result.job());
        assertTrue(result.millis() >= 290, "returned after " + result.millis() + " ms, before its wait");
        assertTrue(result.millis() < 10_000, "returned after " + result.millis() + " ms");
    }

    /**
     * Every operation with a null or missing job, in one list (for the clients that cannot reach a
     * service); the read-only ones (get_jobs, get_job_by_id, get_job_stats) first.
     */
    static List<Executable> everyOperation(IJobsClientV1 client) {
        List<Executable> calls = new ArrayList<>();
        calls.add(() -> client.getJobs(CORRELATION_ID, FilterParams.fromTuples("type", "email"), new PagingParams(0, 10, true)));
        calls.add(() -> client.getJobById(CORRELATION_ID, "job-1"));
        calls.add(() -> client.getJobStats(CORRELATION_ID));
        calls.add(() -> client.addJob(CORRELATION_ID, TestData.NEW_JOB1));
        calls.add(() -> client.addJobs(CORRELATION_ID, List.of(TestData.NEW_JOB1, TestData.NEW_JOB3)));
        calls.add(() -> client.addUniqJob(CORRELATION_ID, TestData.NEW_JOB2));
        calls.add(() -> client.startJobById(CORRELATION_ID, "job-1", LEASE));
        calls.add(() -> client.startJobByType(CORRELATION_ID, "email", LEASE));
        calls.add(() -> client.startJobByType(CORRELATION_ID, "email", LEASE, 2000));
        calls.add(() -> client.startJobsByType(CORRELATION_ID, "email", LEASE, 5, 0));
        calls.add(() -> client.extendJob(CORRELATION_ID, "job-1", LEASE, "token"));
        calls.add(() -> client.abortJob(CORRELATION_ID, "job-1", "token"));
        calls.add(() -> client.extendJob(CORRELATION_ID, "job-1", LEASE, "token", Map.of("done", 1)));
        calls.add(() -> client.abortJob(CORRELATION_ID, "job-1", "token", "busy", 1000L));
        calls.add(() -> client.completeJob(CORRELATION_ID, "job-1", "token"));
        calls.add(() -> client.completeJob(CORRELATION_ID, "job-1", "token", Map.of("ok", true)));
        calls.add(() -> client.completeJobs(CORRELATION_ID, List.of(new JobCompletionV1("job-1", "token", null))));
        calls.add(() -> client.failJob(CORRELATION_ID, "job-1", "token", "broken"));
        calls.add(() -> client.cancelJob(CORRELATION_ID, "job-1"));
        calls.add(() -> client.retryJob(CORRELATION_ID, "job-1"));
        calls.add(() -> client.rescheduleJob(CORRELATION_ID, "job-1", null, 1000L));
        calls.add(() -> client.pauseJobs(CORRELATION_ID, "email"));
        calls.add(() -> client.resumeJobs(CORRELATION_ID, "email"));
        calls.add(() -> client.deleteJobById(CORRELATION_ID, "job-1"));
        calls.add(() -> client.deleteJobs(CORRELATION_ID));
        return calls;
    }

    private static void assertAdded(NewJobV1 newJob, JobV1 job) {
        assertNotNull(job.getId());
        assertEquals(newJob.getType(), job.getType());
        assertEquals(newJob.getRefId(), job.getRefId());
        assertEquals(newJob.getParams(), job.getParams());
        assertNotNull(job.getCreated());
        assertNull(job.getStarted());
        assertNull(job.getLockedUntil());
        assertNull(job.getCompleted());
        assertNull(job.getLockToken());
        assertEquals(0, job.getRetries());
    }

    private static <T extends ApplicationException> T assertError(Class<T> type, int status, String code, Executable call) {
        T error = assertThrows(type, call);
        assertEquals(code, error.getCode(), error::toString);
        assertEquals(status, error.getStatus(), error::toString);
        assertEquals(CORRELATION_ID, error.getCorrelationId(), error::toString);
        assertNotNull(error.getMessage());
        return error;
    }

    @FunctionalInterface
    private interface Lease {
        JobV1 call() throws ApplicationException;
    }

    private record Timed(JobV1 job, long millis) {
    }

    private static Timed timed(Lease lease) throws ApplicationException {
        long start = System.nanoTime();
        JobV1 job = lease.call();
        return new Timed(job, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
