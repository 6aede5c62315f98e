package org.servicejobs.clients.version1;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.refer.Descriptor;
import org.servicejobs.TestService;
import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.persistence.JobsMemoryPersistence;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * How a {@link JobsWorker} ends a job as its handler chose (see {@link JobContext}): with a result
 * and progress, with the exception's message as the attempt's error, failed for good, given back
 * after a delay, or not at all once the job was cancelled.
 */
class JobsWorkerOutcomesTest {
    private static final String CID = "jobs-worker-outcomes";
    private static final String TYPE = "email";
    private static final long WAIT_SECONDS = 10;

    private TestService service;
    private JobsDirectClientV1 client;
    private final JobsWorkerTest.Recorder listener = new JobsWorkerTest.Recorder();
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

    @Test
    void theResultAndTheProgressOfTheHandlerAreKept() throws Exception {
        JobV1 added = addJob("progress");
        AtomicReference<Object> progressSeen = new AtomicReference<>();
        AtomicBoolean recorded = new AtomicBoolean();
        start(context -> {
            recorded.set(context.reportProgress(Map.of("done", 50)));
            progressSeen.set(client.getJobById(CID, context.getJob().getId()).getProgress());
            context.setResult(Map.of("sent", 3));
        });

        JobV1 done = awaitJob(added.getId(), job -> job.getState() == JobState.COMPLETED, "completed");
        assertTrue(recorded.get(), "reportProgress answers true while the lease holds");
        assertEquals(Map.of("done", 50), progressSeen.get(), "the progress is on the job while it runs");
        assertEquals(Map.of("done", 50), done.getProgress(), "and stays after");
        assertEquals(Map.of("sent", 3), done.getResult(), "the result of the handler");
        assertEquals(List.of(), listener.errors);
    }

    @Test
    void theMessageOfTheHandlersExceptionIsTheAttemptsError() throws Exception {
        JobV1 withMessage = addJob("message");
        JobV1 without = addJob("no-message");
        start(context -> {
            if (context.getJob().getId().equals(withMessage.getId()))
                throw new IllegalStateException("smtp is down");
            throw new IllegalStateException();
        });

        JobV1 first = awaitJob(withMessage.getId(), job -> !job.getErrors().isEmpty(), "aborted with an error");
        JobErrorV1 error = first.getErrors().get(0);
        assertEquals("smtp is down", error.error());
        assertEquals(1, error.attempt(), "the attempt is the retries of its lease");
        assertNotNull(error.at());
        JobV1 second = awaitJob(without.getId(), job -> !job.getErrors().isEmpty(), "aborted with an error");
        assertEquals(IllegalStateException.class.getName(), second.getErrors().get(0).error(),
                "without a message, the class of the exception");
    }

    @Test
    void aHandlerFailsAJobForGood() throws Exception {
        JobV1 added = addJob("bad-address");
        CountDownLatch handled = new CountDownLatch(1);
        start(context -> {
            context.fail("the address does not exist");
            handled.countDown();
        });

        JobV1 failed = awaitJob(added.getId(), job -> job.getState() == JobState.FAILED, "failed");
        assertNotNull(failed.getFailed());
        assertEquals(1, failed.getRetries(), "one attempt, although retries were left");
        assertEquals("the address does not exist", failed.getErrors().get(failed.getErrors().size() - 1).error());
        ApplicationException refused = assertThrows(ConflictException.class,
                () -> client.startJobById(CID, added.getId(), 1000));
        assertEquals("JOB_FAILED", refused.getCode(), "a failed job is not leased again");
    }

    @Test
    void aHandlerGivesAJobBackForLater() throws Exception {
        JobV1 added = addJob("later");
        AtomicReference<ZonedDateTime> returned = new AtomicReference<>();
        start(context -> {
            context.retryAfter(Duration.ofMinutes(5), "the partner asks to wait");
            returned.set(ZonedDateTime.now());
        });

        JobV1 back = awaitJob(added.getId(), job -> job.getState() == JobState.SCHEDULED, "scheduled");
        ZonedDateTime seen = ZonedDateTime.now();
        assertNotNull(back.getRunAt());
        assertFalse(back.getRunAt().isBefore(returned.get().plusMinutes(5).minusSeconds(1)),
                "not before five minutes after the handler returned: " + back.getRunAt());
        assertFalse(back.getRunAt().isAfter(seen.plusMinutes(5)), "five minutes after the abort: " + back.getRunAt());
        assertEquals("the partner asks to wait", back.getErrors().get(0).error());
        assertNull(back.getLockToken());
    }

    @Test
    void aCancelledJobIsNeitherExtendedNorFinished() throws Exception {
        JobV1 added = addJob("cancelled");
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicBoolean progressRecorded = new AtomicBoolean(true);
        AtomicBoolean seenCancelled = new AtomicBoolean();
        CountDownLatch returned = new CountDownLatch(1);
        start(context -> {
            running.countDown();
            if (!cancelled.await(WAIT_SECONDS, TimeUnit.SECONDS))
                throw new AssertionError("the test never cancelled the job");
            progressRecorded.set(context.reportProgress(Map.of("step", 2)));
            seenCancelled.set(context.isCancelled() && context.isLockLost());
            context.setResult("must not be kept");
            returned.countDown();
        });

        assertTrue(running.await(WAIT_SECONDS, TimeUnit.SECONDS), "the handler runs");
        JobV1 cancel = client.cancelJob(CID, added.getId());
        assertEquals(JobState.CANCELLED, cancel.getState());
        cancelled.countDown();

        assertTrue(returned.await(WAIT_SECONDS, TimeUnit.SECONDS), "the handler returns");
        listener.awaitLockLost();
        assertEquals("JOB_CANCELLED", ((ApplicationException) listener.lockLost.get(0).error()).getCode());
        assertFalse(progressRecorded.get(), "reportProgress answers false once the job is cancelled");
        JobV1 after = awaitJob(added.getId(), job -> job.getState() == JobState.CANCELLED, "cancelled");
        assertNull(after.getCompleted(), "the worker did not complete it");
        assertNull(after.getResult());
        assertNull(after.getProgress(), "the progress after the cancel was refused");
        assertTrue(seenCancelled.get(), "the context says cancelled and lost");
    }

    private JobV1 addJob(String refId) throws ApplicationException {
        return client.addJob(CID, new NewJobV1(TYPE, refId, null, Map.of("ref", refId)));
    }

    private void start(JobsWorker.Handler handler) {
        JobsWorker worker = JobsWorker.builder(client, TYPE, handler).leaseTimeout(Duration.ofSeconds(30))
                .correlationId(CID).listener(listener).build();
        workers.add(worker);
        worker.start();
    }

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
}
