package org.servicejobs.clients.version1;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.errors.ConnectionException;
import org.pipservices3.commons.refer.Descriptor;
import org.servicejobs.TestData;
import org.servicejobs.TestService;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.persistence.JobsMemoryPersistence;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link JobsWorker} against the in-process service (memory store, controller on the system
 * clock, direct client), with short leases. Failures of the service are simulated by a client
 * that passes calls through to the direct one except those a test intercepts.
 */
class JobsWorkerTest {
    private static final String CID = "jobs-worker-test";
    private static final String TYPE = "email";
    private static final Duration LEASE = Duration.ofMillis(500);
    /**
     * The lease of the heartbeat test: heartbeats every 1.5 s keep it, so a machine that delays
     * a heartbeat by less than that cannot fail the test.
     */
    private static final Duration HEARTBEAT_LEASE = Duration.ofSeconds(3);
    /** The bound of every wait for something that should happen. */
    private static final long WAIT_SECONDS = 10;

    private TestService service;
    private JobsDirectClientV1 client;
    private final Recorder listener = new Recorder();
    private final List<JobsWorker> workers = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        client = new JobsDirectClientV1();
        service = TestService.on(new JobsMemoryPersistence()).controller("options.wait_poll_interval", 50)
                .with(new Descriptor("pip-services-jobs", "client", "direct", "default", "1.0"), client).open();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (JobsWorker worker : workers)
            worker.stop(Duration.ZERO);
        service.close();
    }

    // ---------------------------------------------------------------- helpers

    /** What a listener was told, and semaphores to wait for it. */
    static final class Recorder implements JobsWorker.Listener {
        record Report(JobV1 job, Throwable error) {
        }

        final List<Report> errors = new CopyOnWriteArrayList<>();
        final List<Report> lockLost = new CopyOnWriteArrayList<>();
        private final Semaphore _errors = new Semaphore(0);
        private final Semaphore _lockLost = new Semaphore(0);

        @Override
        public void onError(JobV1 job, Throwable error) {
            errors.add(new Report(job, error));
            _errors.release();
        }

        @Override
        public void onLockLost(JobV1 job, ApplicationException error) {
            lockLost.add(new Report(job, error));
            _lockLost.release();
        }

        void awaitErrors(int count) throws InterruptedException {
            assertTrue(_errors.tryAcquire(count, WAIT_SECONDS, TimeUnit.SECONDS), () -> "errors told: " + errors);
        }

        void awaitLockLost() throws InterruptedException {
            assertTrue(_lockLost.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS), "no lost lock was told");
        }
    }

    /** What a test does with an intercepted call: its own answer, or <code>proceed.call()</code>. */
    @FunctionalInterface
    interface Interceptor {
        Object call(String method, Object[] args, Proceed proceed) throws Exception;
    }

    @FunctionalInterface
    interface Proceed {
        Object call(Object[] args) throws Exception;
    }

    /** A client that passes every call to <code>target</code> through <code>interceptor</code>. */
    static IJobsClientV1 intercept(IJobsClientV1 target, Interceptor interceptor) {
        return (IJobsClientV1) Proxy.newProxyInstance(IJobsClientV1.class.getClassLoader(),
                new Class<?>[]{IJobsClientV1.class}, (proxy, method, args) -> interceptor.call(method.getName(), args,
                        callArgs -> {
                            try {
                                return method.invoke(target, callArgs);
                            } catch (InvocationTargetException ex) {
                                if (ex.getCause() instanceof Error error)
                                    throw error;
                                throw (Exception) ex.getCause();
                            }
                        }));
    }

    private JobsWorker.Builder worker(IJobsClientV1 jobs, JobsWorker.Handler handler) {
        return JobsWorker.builder(jobs, TYPE, handler).leaseTimeout(LEASE).correlationId(CID).listener(listener);
    }

    private JobsWorker start(JobsWorker.Builder builder) {
        JobsWorker worker = builder.build();
        workers.add(worker);
        worker.start();
        return worker;
    }

    private JobV1 addJob(String refId) throws ApplicationException {
        return client.addJob(CID, new NewJobV1(TYPE, refId, null, Map.of("ref", refId)));
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS))
            throw new AssertionError("timed out waiting for: " + what);
    }

    /** Polls a condition until it holds, for at most WAIT_SECONDS. */
    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline)
                fail("timed out waiting for: " + what);
            Thread.sleep(5);
        }
    }

    /** Polls a job until it meets a condition, for at most WAIT_SECONDS. */
    private JobV1 awaitJob(String id, Predicate<JobV1> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        JobV1 job = client.getJobById(CID, id);
        while (!condition.test(job)) {
            if (System.nanoTime() > deadline)
                fail("job " + id + " never became " + what + ": " + job);
            Thread.sleep(10);
            job = client.getJobById(CID, id);
        }
        return job;
    }

    private static boolean isFree(JobV1 job) {
        return job.getStarted() == null && job.getLockedUntil() == null && job.getLockToken() == null
                && job.getCompleted() == null;
    }

    // ---------------------------------------------------------------- tests

    @Test
    void successCompletesTheJob() throws Exception {
        JobV1 first = addJob("user-1");
        List<JobContext> handled = new CopyOnWriteArrayList<>();
        CountDownLatch firstHandled = new CountDownLatch(1);
        CountDownLatch bothHandled = new CountDownLatch(2);
        start(worker(client, context -> {
            handled.add(context);
            firstHandled.countDown();
            bothHandled.countDown();
        }));

        await(firstHandled, "the first job");
        JobV1 done = awaitJob(first.getId(), job -> job.getCompleted() != null, "completed");
        assertEquals(1, done.getRetries());
        assertNull(done.getLockToken());
        assertNull(done.getLockedUntil());

        // A job added while the worker long-polls is handled too.
        JobV1 second = addJob("user-2");
        await(bothHandled, "the second job");
        awaitJob(second.getId(), job -> job.getCompleted() != null, "completed");

        assertEquals(2, handled.size());
        JobV1 leased = handled.get(0).getJob();
        assertEquals(first.getId(), leased.getId());
        assertEquals(Map.of("ref", "user-1"), leased.getParams());
        assertEquals(1, leased.getRetries());
        assertNotNull(leased.getLockToken());
        assertFalse(handled.get(0).isLockLost());
        assertFalse(handled.get(0).isStopping());
        assertEquals(second.getId(), handled.get(1).getJob().getId());
        assertEquals(List.of(), listener.errors);
        assertEquals(List.of(), listener.lockLost);
    }

    @Test
    void handlerFailureAbortsTheJobAndCountsTheRetry() throws Exception {
        service.controller().configure(ConfigParams.fromTuples("options.max_retries", 2));
        JobV1 failing = addJob("fails");
        List<Integer> retriesSeen = new CopyOnWriteArrayList<>();
        CountDownLatch markerHandled = new CountDownLatch(1);
        start(worker(client, context -> {
            if (!context.getJob().getId().equals(failing.getId())) {
                markerHandled.countDown();
                return;
            }
            retriesSeen.add(context.getJob().getRetries());
            throw new IllegalStateException("failure " + context.getJob().getRetries());
        }));

        // Each failure is told after the abort: the job is free, its leases counted.
        listener.awaitErrors(2);
        JobV1 aborted = client.getJobById(CID, failing.getId());
        assertTrue(isFree(aborted), aborted::toString);
        assertEquals(2, aborted.getRetries());
        assertEquals(List.of(1, 2), retriesSeen);
        for (int i = 0; i < 2; i++) {
            Recorder.Report report = listener.errors.get(i);
            assertEquals(failing.getId(), report.job().getId());
            assertInstanceOf(IllegalStateException.class, report.error());
            assertEquals("failure " + (i + 1), report.error().getMessage());
        }

        // Its retries are used up: the worker passes it over for a newer job.
        addJob("marker");
        await(markerHandled, "the newer job");
        assertEquals(List.of(1, 2), retriesSeen);
        assertEquals(2, listener.errors.size());
        ApplicationException exhausted = assertThrows(ConflictException.class,
                () -> client.startJobById(CID, failing.getId(), 1000));
        assertEquals("JOB_RETRIES_EXHAUSTED", exhausted.getCode());
    }

    @Test
    void heartbeatsKeepTheLeaseOfALongHandler() throws Exception {
        JobV1 added = addJob("long");
        AtomicReference<JobContext> running = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        start(worker(client, context -> {
            running.set(context);
            started.countDown();
            await(release, "the end of the long handler");
        }).leaseTimeout(HEARTBEAT_LEASE));
        await(started, "the long handler");
        AtomicInteger secondWorkerJobs = new AtomicInteger();
        start(worker(client, context -> secondWorkerJobs.incrementAndGet()));

        JobV1 leased = running.get().getJob();
        ZonedDateTime lastLockedUntil = leased.getLockedUntil();
        long until = System.nanoTime() + 5 * HEARTBEAT_LEASE.toNanos() / 2;
        while (System.nanoTime() < until) {
            assertNull(client.startJobByType(CID, TYPE, 1000), "the job was leased twice");
            JobV1 job = client.getJobById(CID, added.getId());
            assertEquals(leased.getLockToken(), job.getLockToken());
            assertTrue(job.getLockedUntil().isAfter(ZonedDateTime.now()), () -> "lease ran out: " + job);
            lastLockedUntil = job.getLockedUntil();
            Thread.sleep(20);
        }
        assertTrue(lastLockedUntil.isAfter(leased.getLockedUntil().plus(HEARTBEAT_LEASE)),
                "the lease was not extended twice: " + lastLockedUntil);

        release.countDown();
        JobV1 done = awaitJob(added.getId(), job -> job.getCompleted() != null, "completed");
        assertEquals(1, done.getRetries());
        assertEquals(0, secondWorkerJobs.get());
        assertFalse(running.get().isLockLost());
        assertEquals(List.of(), listener.errors);
        assertEquals(List.of(), listener.lockLost);
    }

    @Test
    void anUnextendedLeaseRunsOutAndAnotherWorkerTakesTheJob() throws Exception {
        addJob("orphan");
        JobV1 orphan = client.startJobByType(CID, TYPE, LEASE.toMillis());
        AtomicReference<JobV1> handled = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        start(worker(client, context -> {
            handled.set(context.getJob());
            done.countDown();
        }));

        await(done, "the orphan job");
        assertEquals(orphan.getId(), handled.get().getId());
        assertEquals(2, handled.get().getRetries());
        assertFalse(handled.get().getStarted().isBefore(orphan.getLockedUntil()), "taken before its lease ran out");
        JobV1 completed = awaitJob(orphan.getId(), job -> job.getCompleted() != null, "completed");
        assertEquals(2, completed.getRetries());
        ApplicationException stale = assertThrows(ConflictException.class,
                () -> client.completeJob(CID, orphan.getId(), orphan.getLockToken()));
        assertEquals("JOB_COMPLETED", stale.getCode());
    }

    @Test
    void aWorkerThatCannotHeartbeatLosesTheJobAndCannotCompleteIt() throws Exception {
        JobV1 added = addJob("partitioned");
        IJobsClientV1 partitioned = intercept(client, (method, args, proceed) -> {
            if (method.equals("extendJob"))
                throw new ConnectionException(CID, "CONNECT_FAILED", "partitioned from the service");
            return proceed.call(args);
        });
        Recorder staleListener = new Recorder();
        AtomicReference<JobContext> stale = new AtomicReference<>();
        CountDownLatch staleStarted = new CountDownLatch(1);
        CountDownLatch releaseStale = new CountDownLatch(1);
        start(worker(partitioned, context -> {
            stale.set(context);
            staleStarted.countDown();
            await(releaseStale, "the end of the stale handler");
        }).listener(staleListener));
        await(staleStarted, "the stale handler");

        AtomicReference<JobV1> taken = new AtomicReference<>();
        CountDownLatch takenOver = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        start(worker(client, context -> {
            taken.set(context.getJob());
            takenOver.countDown();
            await(releaseSecond, "the end of the second handler");
        }));
        await(takenOver, "the second worker to take the job");
        JobV1 first = stale.get().getJob();
        assertEquals(first.getId(), taken.get().getId());
        assertEquals(2, taken.get().getRetries());
        assertNotEquals(first.getLockToken(), taken.get().getLockToken());
        assertFalse(staleListener.errors.isEmpty(), "failed heartbeats were not told");
        for (Recorder.Report report : staleListener.errors) {
            assertEquals(first.getId(), report.job().getId());
            assertInstanceOf(ConnectionException.class, report.error());
        }

        // The stale handler ends: its completion under the old lock_token is refused and told.
        releaseStale.countDown();
        staleListener.awaitLockLost();
        Recorder.Report lost = staleListener.lockLost.get(0);
        assertEquals(first.getId(), lost.job().getId());
        assertEquals("JOB_LOCK_LOST", ((ApplicationException) lost.error()).getCode());
        assertTrue(stale.get().isLockLost());
        JobV1 running = client.getJobById(CID, added.getId());
        assertEquals(taken.get().getLockToken(), running.getLockToken());
        assertNull(running.getCompleted());

        releaseSecond.countDown();
        JobV1 done = awaitJob(added.getId(), job -> job.getCompleted() != null, "completed");
        assertEquals(2, done.getRetries());
        assertEquals(List.of(), listener.errors);
        assertEquals(List.of(), listener.lockLost);
    }

    @Test
    void aHeartbeatThatFindsTheLeaseLostStopsAndNeitherCompletesNorAborts() throws Exception {
        JobV1 added = addJob("healed");
        AtomicBoolean partition = new AtomicBoolean(true);
        AtomicInteger heartbeatCalls = new AtomicInteger();
        AtomicInteger finishes = new AtomicInteger();
        IJobsClientV1 flaky = intercept(client, (method, args, proceed) -> {
            if (method.equals("extendJob")) {
                heartbeatCalls.incrementAndGet();
                if (partition.get())
                    throw new ConnectionException(CID, "CONNECT_FAILED", "partitioned from the service");
            }
            if (method.equals("completeJob") || method.equals("abortJob"))
                finishes.incrementAndGet();
            return proceed.call(args);
        });
        Recorder staleListener = new Recorder();
        AtomicReference<JobContext> stale = new AtomicReference<>();
        AtomicBoolean lockLostSeenByHandler = new AtomicBoolean();
        CountDownLatch staleStarted = new CountDownLatch(1);
        CountDownLatch releaseStale = new CountDownLatch(1);
        JobsWorker staleWorker = start(worker(flaky, context -> {
            stale.set(context);
            staleStarted.countDown();
            await(releaseStale, "the end of the stale handler");
            lockLostSeenByHandler.set(context.isLockLost());
        }).listener(staleListener));
        await(staleStarted, "the stale handler");

        CountDownLatch takenOver = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        start(worker(client, context -> {
            takenOver.countDown();
            await(releaseSecond, "the end of the second handler");
        }));
        await(takenOver, "the second worker to take the job");

        // The partition heals: the next heartbeat hears JOB_LOCK_LOST and is the last one.
        partition.set(false);
        staleListener.awaitLockLost();
        Recorder.Report lost = staleListener.lockLost.get(0);
        assertEquals(added.getId(), lost.job().getId());
        assertEquals("JOB_LOCK_LOST", ((ApplicationException) lost.error()).getCode());
        assertTrue(stale.get().isLockLost());
        int heartbeats = heartbeatCalls.get();
        long until = System.nanoTime() + 3 * LEASE.toNanos() / 2;
        while (System.nanoTime() < until) {
            assertEquals(heartbeats, heartbeatCalls.get(), "a heartbeat after the lease was lost");
            Thread.sleep(20);
        }

        releaseStale.countDown();
        assertTrue(staleWorker.stop(Duration.ofSeconds(WAIT_SECONDS)));
        assertTrue(lockLostSeenByHandler.get());
        assertEquals(0, finishes.get(), "the stale worker completed or aborted the job");
        assertEquals(1, staleListener.lockLost.size());

        releaseSecond.countDown();
        JobV1 done = awaitJob(added.getId(), job -> job.getCompleted() != null, "completed");
        assertEquals(2, done.getRetries());
    }

    @Test
    void stopLetsARunningHandlerFinish() throws Exception {
        JobV1 first = addJob("first");
        List<String> handled = new CopyOnWriteArrayList<>();
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean stoppingSeen = new AtomicBoolean();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        JobsWorker worker = start(worker(client, context -> {
            handled.add(context.getJob().getId());
            running.countDown();
            try {
                await(release, "the end of the handler");
            } catch (InterruptedException ex) {
                interrupted.set(true);
                throw ex;
            }
            stoppingSeen.set(context.isStopping());
        }).concurrency(2));
        await(running, "the handler");

        AtomicBoolean stopResult = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread stopper = new Thread(() -> {
            stopResult.set(worker.stop(Duration.ofSeconds(WAIT_SECONDS)));
            stopped.countDown();
        });
        stopper.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!worker.isStopping() && System.nanoTime() < deadline)
            Thread.sleep(5);
        assertTrue(worker.isStopping());
        JobV1 late = addJob("added after the stop");
        assertEquals(1, stopped.getCount(), "stop returned while a handler ran");

        release.countDown();
        await(stopped, "the stop");
        assertTrue(stopResult.get());
        assertFalse(interrupted.get());
        assertTrue(stoppingSeen.get());
        JobV1 done = client.getJobById(CID, first.getId());
        assertNotNull(done.getCompleted());
        assertEquals(1, done.getRetries());
        assertEquals(List.of(first.getId()), handled);
        assertTrue(isFree(client.getJobById(CID, late.getId())));
        assertTrue(worker.stop(Duration.ZERO), "a second stop");
        assertEquals(List.of(), listener.errors);
    }

    @Test
    void stopEndsTheLongPollsOfAnIdleWorkerAtOnce() throws Exception {
        CountDownLatch polling = new CountDownLatch(1);
        IJobsClientV1 counted = intercept(client, (method, args, proceed) -> {
            if (method.equals("startJobsByType"))
                polling.countDown();
            return proceed.call(args);
        });
        JobsWorker worker = start(JobsWorker.builder(counted, TYPE, context -> fail("no job was added"))
                .concurrency(3).longPollWait(Duration.ofSeconds(30)).listener(listener));
        await(polling, "a long-poll");
        awaitTrue(() -> worker._leases.waiting() == 2, "the two other threads to wait for its answer");

        long begin = System.nanoTime();
        assertTrue(worker.stop(Duration.ofSeconds(WAIT_SECONDS)));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertTrue(elapsed < 2000, "stop took " + elapsed + " ms");
        assertEquals(List.of(), listener.errors);
    }

    @Test
    void stopAfterTheGraceInterruptsTheHandlerAndAbortsTheJob() throws Exception {
        JobV1 added = addJob("endless");
        List<String> abortTokens = new CopyOnWriteArrayList<>();
        IJobsClientV1 recorded = intercept(client, (method, args, proceed) -> {
            if (method.equals("abortJob"))
                abortTokens.add((String) args[2]);
            return proceed.call(args);
        });
        AtomicReference<JobContext> running = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        JobsWorker worker = start(worker(recorded, context -> {
            running.set(context);
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException ex) {
                interrupted.countDown();
                throw ex;
            }
        }));
        await(started, "the handler");

        long grace = 300;
        long begin = System.nanoTime();
        assertTrue(worker.stop(Duration.ofMillis(grace)));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertTrue(elapsed >= grace && elapsed < grace + 3000, "stop took " + elapsed + " ms");
        assertEquals(0, interrupted.getCount(), "the handler was not interrupted");
        assertEquals(List.of(running.get().getJob().getLockToken()), abortTokens);
        JobV1 aborted = client.getJobById(CID, added.getId());
        assertTrue(isFree(aborted), aborted::toString);
        assertEquals(1, aborted.getRetries());
        JobV1 again = client.startJobByType(CID, TYPE, 1000);
        assertEquals(added.getId(), again.getId());
        assertEquals(2, again.getRetries());
        assertEquals(1, listener.errors.size());
        assertInstanceOf(InterruptedException.class, listener.errors.get(0).error());
    }

    @Test
    void aJobALeaseInFlightBringsBackAfterStopBeganIsAbortedAtOnce() throws Exception {
        JobV1 added = addJob("late");
        CountDownLatch polling = new CountDownLatch(1);
        CountDownLatch stopSeen = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        List<JobV1> leased = new CopyOnWriteArrayList<>();
        List<String> abortTokens = new CopyOnWriteArrayList<>();
        // A lease call that the stop cannot interrupt (as a blocking HTTP call): it answers when the test says.
        IJobsClientV1 slow = intercept(client, (method, args, proceed) -> {
            if (method.equals("abortJob"))
                abortTokens.add((String) args[2]);
            if (!method.equals("startJobsByType"))
                return proceed.call(args);
            polling.countDown();
            while (true) {
                try {
                    await(answer, "the answer of the lease");
                    break;
                } catch (InterruptedException ex) {
                    stopSeen.countDown();
                }
            }
            Object[] noWait = args.clone();
            noWait[4] = 0L;
            @SuppressWarnings("unchecked")
            List<JobV1> jobs = (List<JobV1>) proceed.call(noWait);
            leased.addAll(jobs);
            return jobs;
        });
        AtomicInteger handled = new AtomicInteger();
        JobsWorker worker = start(worker(slow, context -> handled.incrementAndGet()));
        await(polling, "the lease call");

        AtomicBoolean stopResult = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        new Thread(() -> {
            stopResult.set(worker.stop(Duration.ofSeconds(WAIT_SECONDS)));
            stopped.countDown();
        }).start();
        await(stopSeen, "the stop to interrupt the lease call");
        answer.countDown();
        await(stopped, "the stop");

        assertTrue(stopResult.get());
        assertEquals(0, handled.get());
        assertEquals(1, leased.size());
        assertEquals(added.getId(), leased.get(0).getId());
        assertEquals(List.of(leased.get(0).getLockToken()), abortTokens);
        JobV1 aborted = client.getJobById(CID, added.getId());
        assertTrue(isFree(aborted), aborted::toString);
        assertEquals(1, aborted.getRetries());
    }

    @Test
    void eightThreadsHandleManyJobsEachExactlyOnce() throws Exception {
        int concurrency = 8;
        int count = 200;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++)
            ids.add(addJob("user-" + i).getId());
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        CountDownLatch allBusy = new CountDownLatch(concurrency);
        CountDownLatch allHandled = new CountDownLatch(count);
        AtomicInteger active = new AtomicInteger();
        AtomicInteger maxActive = new AtomicInteger();
        AtomicBoolean notParallel = new AtomicBoolean();
        start(worker(client, context -> {
            maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
            try {
                calls.computeIfAbsent(context.getJob().getId(), id -> new AtomicInteger()).incrementAndGet();
                // The first jobs wait for each other: eight handlers run at once.
                allBusy.countDown();
                if (!allBusy.await(WAIT_SECONDS, TimeUnit.SECONDS))
                    notParallel.set(true);
            } finally {
                active.decrementAndGet();
                allHandled.countDown();
            }
        }).concurrency(concurrency));

        await(allHandled, "every job to be handled");
        assertFalse(notParallel.get(), "eight handlers never ran at once");
        assertEquals(concurrency, maxActive.get());
        for (String id : ids) {
            AtomicInteger handled = calls.get(id);
            assertEquals(1, handled != null ? handled.get() : 0, "handlings of " + id);
            JobV1 done = awaitJob(id, job -> job.getCompleted() != null, "completed");
            assertEquals(1, done.getRetries());
        }
        assertEquals(count, calls.size());
        assertEquals(List.of(), listener.errors);
        assertEquals(List.of(), listener.lockLost);
    }

    /** The threads that wait while one leases are leased for together, in one call for all of them. */
    @Test
    void theThreadsThatWaitLeaseTheirJobsInOneCall() throws Exception {
        for (int i = 0; i < 8; i++)
            addJob("batch-" + i);
        List<Integer> counts = new CopyOnWriteArrayList<>();
        List<Integer> answered = new CopyOnWriteArrayList<>();
        AtomicReference<JobsWorker> started = new AtomicReference<>();
        IJobsClientV1 gated = intercept(client, (method, args, proceed) -> {
            if (!method.equals("startJobsByType"))
                return proceed.call(args);
            if (counts.isEmpty())
                awaitTrue(() -> started.get() != null && started.get()._leases.waiting() == 3,
                        "the three other threads to wait");
            counts.add((Integer) args[3]);
            List<?> jobs = (List<?>) proceed.call(args);
            answered.add(jobs.size());
            return jobs;
        });
        CountDownLatch fourRunning = new CountDownLatch(4);
        CountDownLatch allHandled = new CountDownLatch(8);
        JobsWorker worker = worker(gated, context -> {
            fourRunning.countDown();
            await(fourRunning, "four handlers at once");
            allHandled.countDown();
        }).concurrency(4).build();
        workers.add(worker);
        started.set(worker);
        worker.start();

        await(allHandled, "every job to be handled");
        assertEquals(List.of(1, 3), counts.subList(0, 2), "the first call for its thread, the next for the three that waited");
        assertEquals(List.of(1, 3), answered.subList(0, 2));
        for (int count : counts)
            assertTrue(count >= 1 && count <= 4, "a call asks for at most the free concurrency: " + counts);
        assertEquals(List.of(), listener.errors);
    }

    @Test
    void failedLeasesAreToldAndRetriedAfterGrowingPauses() throws Exception {
        JobV1 added = client.addJob(CID, TestData.NEW_JOB1);
        List<Long> calls = new CopyOnWriteArrayList<>();
        IJobsClientV1 down = intercept(client, (method, args, proceed) -> {
            if (method.equals("startJobsByType")) {
                calls.add(System.nanoTime());
                if (calls.size() <= 3)
                    throw new ConnectionException(CID, "CONNECT_FAILED", "the service is down");
            }
            return proceed.call(args);
        });
        CountDownLatch handled = new CountDownLatch(1);
        start(worker(down, context -> handled.countDown()));

        await(handled, "the job once the service is back");
        awaitJob(added.getId(), job -> job.getCompleted() != null, "completed");
        assertEquals(3, listener.errors.size());
        for (Recorder.Report report : listener.errors) {
            assertNull(report.job());
            assertInstanceOf(ConnectionException.class, report.error());
        }
        long[] pauses = {JobsWorker.MIN_BACKOFF, 2 * JobsWorker.MIN_BACKOFF, 4 * JobsWorker.MIN_BACKOFF};
        for (int i = 0; i < pauses.length; i++) {
            long pause = TimeUnit.NANOSECONDS.toMillis(calls.get(i + 1) - calls.get(i));
            assertTrue(pause >= pauses[i], "pause " + i + " was " + pause + " ms");
        }
    }

    @Test
    void builderAndLifeCycleCheckTheirUse() {
        JobsWorker.Handler handler = context -> {
        };
        assertThrows(IllegalArgumentException.class, () -> JobsWorker.builder(client, TYPE, handler).concurrency(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> JobsWorker.builder(client, TYPE, handler).leaseTimeout(Duration.ofMillis(1)).build());
        assertThrows(IllegalArgumentException.class,
                () -> JobsWorker.builder(client, TYPE, handler).longPollWait(Duration.ZERO).build());
        assertThrows(IllegalArgumentException.class,
                () -> JobsWorker.builder(client, TYPE, handler).gracePeriod(Duration.ofSeconds(-1)).build());
        assertThrows(NullPointerException.class, () -> JobsWorker.builder(client, null, handler));

        JobsWorker started = JobsWorker.builder(client, TYPE, handler).build();
        workers.add(started);
        started.start();
        assertThrows(IllegalStateException.class, started::start);

        JobsWorker neverStarted = JobsWorker.builder(client, TYPE, handler).build();
        assertTrue(neverStarted.stop());
        assertThrows(IllegalStateException.class, neverStarted::start);
    }
}
