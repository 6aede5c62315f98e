package org.servicejobs.clients.version1;

import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobV1;

import java.time.Duration;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * One thread of a {@link JobsWorker}: takes a leased job ({@link JobsWorkerLeases}), runs its handler under a heartbeat,
 * completes or aborts it, again, until the worker stops.
 * <p>
 * Its state (polling, or running a job) changes under its monitor, where {@link JobsWorker#stop}
 * looks at it: a stop interrupts a polling loop (a lease in flight, or a pause), never a handler
 * during the grace period; a loop that gets a job once the stop began aborts it at once.
 */
final class JobsWorkerLoop implements Runnable {
    /** The error of a job that a stopping worker gives back. */
    static final String STOPPED = "the worker stopped";
    /** The error of a retry the handler asked for without one. */
    static final String RETRY_ASKED = "retry asked by the handler";
    private final JobsWorker _worker;
    private final Thread _thread;
    private boolean _polling;
    private JobContext _current;

    JobsWorkerLoop(JobsWorker worker, ThreadFactory threads) {
        _worker = worker;
        _thread = threads.newThread(this);
    }

    void start() {
        _thread.start();
    }

    boolean isAlive() {
        return _thread.isAlive();
    }

    void join(long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left > 0)
            _thread.join(TimeUnit.NANOSECONDS.toMillis(left) + 1);
    }

    @Override
    public void run() {
        long backoff = 0;
        while (true) {
            Thread.interrupted(); // only a stop interrupts on purpose, and beginPoll sees it
            if (!beginPoll())
                return;
            long asked = System.nanoTime();
            JobV1 job;
            try {
                job = _worker._leases.take();
            } catch (Exception ex) {
                if (_worker.isStopping())
                    return;
                _worker.report(null, ex);
                backoff = Math.min(Math.max(2 * backoff, JobsWorker.MIN_BACKOFF), JobsWorker.MAX_BACKOFF);
                pause(backoff);
                continue;
            }
            backoff = 0;
            if (job == null) {
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
                if (waited < _worker._wait / 2)
                    pause(Math.min(_worker._wait - waited, JobsWorker.MAX_EMPTY_PAUSE));
                continue;
            }
            JobContext context = new JobContext(job, _worker::isStopping, _worker);
            if (!beginJob(context)) {
                Thread.interrupted();
                context.end();
                abort(context, STOPPED, null);
                return;
            }
            try {
                runJob(context);
            } finally {
                endJob();
            }
        }
    }

    /** Runs the handler under a heartbeat, then ends the job as the handler chose, unless its lease ended. */
    private void runJob(JobContext context) {
        long interval = Math.max(1, _worker._leaseTimeout / 2);
        context.setHeartbeat(_worker._scheduler.scheduleWithFixedDelay(() -> heartbeat(context), interval, interval,
                TimeUnit.MILLISECONDS));
        Throwable failure = null;
        try {
            _worker._handler.handle(context);
        } catch (Throwable ex) {
            failure = ex;
        }
        Thread.interrupted(); // a left-over interrupt must not fail the calls below
        if (context.end())
            finish(context, failure);
        if (failure != null)
            _worker.report(context.getJob(), failure);
    }

    private void heartbeat(JobContext context) {
        if (context.isEnded())
            return;
        try {
            _worker.extend(context, null);
        } catch (Exception ex) {
            if (!context.isEnded())
                _worker.report(context.getJob(), ex);
        }
    }

    /** Ends the job as the handler chose (a failure aborts it); the caller has ended its lease. */
    private void finish(JobContext context, Throwable failure) {
        JobV1 job = context.getJob();
        try {
            if (failure != null) {
                abort(context, errorOf(failure), null);
                return;
            }
            switch (context.outcome()) {
                case COMPLETE -> _worker._client.completeJob(_worker._correlationId, job.getId(), job.getLockToken(),
                        context.result());
                case FAIL -> _worker._client.failJob(_worker._correlationId, job.getId(), job.getLockToken(),
                        limit(context.error()));
                case RETRY -> abort(context, context.error() != null ? context.error() : RETRY_ASKED,
                        context.retryDelay());
            }
        } catch (Exception ex) {
            lostOrReport(context, ex);
        }
    }

    /** Gives the job back under its lock_token with an error, after a delay when one is given. */
    private void abort(JobContext context, String error, Duration delay) {
        JobV1 job = context.getJob();
        try {
            _worker._client.abortJob(_worker._correlationId, job.getId(), job.getLockToken(), limit(error),
                    delay == null ? null : delay.toMillis());
        } catch (Exception ex) {
            lostOrReport(context, ex);
        }
    }

    private void lostOrReport(JobContext context, Exception ex) {
        if (JobsWorker.isLockLost(ex))
            lockLost(context, (ApplicationException) ex);
        else
            _worker.report(context.getJob(), ex);
    }

    /** The error of a handler's failure: its message, or its class when it has none. */
    static String errorOf(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getName() : message;
    }

    /** An error text cut to what the service keeps. */
    private static String limit(String error) {
        if (error == null || error.codePointCount(0, error.length()) <= JobErrorV1.MAX_LENGTH)
            return error;
        return error.substring(0, error.offsetByCodePoints(0, JobErrorV1.MAX_LENGTH));
    }

    void lockLost(JobContext context, ApplicationException error) {
        context.markLockLost(JobsWorker.CANCELLED.equals(error.getCode()));
        _worker.reportLockLost(context.getJob(), error);
    }

    private synchronized boolean beginPoll() {
        _polling = !_worker.isStopping();
        return _polling;
    }

    private synchronized boolean beginJob(JobContext context) {
        _polling = false;
        if (_worker.isStopping())
            return false;
        _current = context;
        return true;
    }

    private synchronized void endJob() {
        _current = null;
    }

    /** Ends a lease in flight or a pause: the worker is stopping. */
    synchronized void interruptIfPolling() {
        if (_polling)
            _thread.interrupt();
    }

    /**
     * The grace period is over: ends the lease of the running job, interrupts its handler and
     * aborts the job. Runs in the stopping thread.
     */
    void abandon() {
        JobContext context;
        synchronized (this) {
            context = _current;
            if (context == null || !context.end())
                return;
            _thread.interrupt();
        }
        abort(context, STOPPED, null);
    }

    /** Sleeps; a stop ends it early. */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException ex) {
            // A stop: the loop sees it in beginPoll.
        }
    }
}
