package org.servicejobs.clients.version1;

import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobV1;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * One thread of a {@link JobsWorker}: leases a job, runs its handler under a heartbeat,
 * completes or aborts it, again, until the worker stops.
 * <p>
 * Its state (polling, or running a job) changes under its monitor, where {@link JobsWorker#stop}
 * looks at it: a stop interrupts a polling loop (a lease in flight, or a pause), never a handler
 * during the grace period; a loop that gets a job once the stop began aborts it at once.
 */
final class JobsWorkerLoop implements Runnable {
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
                job = _worker.lease();
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
            JobContext context = new JobContext(job, _worker::isStopping);
            if (!beginJob(context)) {
                Thread.interrupted();
                context.end();
                finish(context, false);
                return;
            }
            try {
                runJob(context);
            } finally {
                endJob();
            }
        }
    }

    /** Runs the handler under a heartbeat, then completes or aborts the job unless its lease ended. */
    private void runJob(JobContext context) {
        long interval = Math.max(1, _worker._leaseTimeout / 2);
        context.setHeartbeat(_worker._scheduler.scheduleWithFixedDelay(() -> extend(context), interval, interval,
                TimeUnit.MILLISECONDS));
        Throwable failure = null;
        try {
            _worker._handler.handle(context);
        } catch (Throwable ex) {
            failure = ex;
        }
        Thread.interrupted(); // a left-over interrupt must not fail the calls below
        if (context.end())
            finish(context, failure == null);
        if (failure != null)
            _worker.report(context.getJob(), failure);
    }

    private void extend(JobContext context) {
        if (context.isEnded())
            return;
        JobV1 job = context.getJob();
        try {
            _worker._client.extendJob(_worker._correlationId, job.getId(), _worker._leaseTimeout, job.getLockToken());
        } catch (Exception ex) {
            if (JobsWorker.isLockLost(ex)) {
                if (context.end())
                    lockLost(context, (ApplicationException) ex);
            } else if (!context.isEnded()) {
                _worker.report(job, ex);
            }
        }
    }

    /** Completes or aborts the job under its lock_token; the caller has ended its lease. */
    private void finish(JobContext context, boolean complete) {
        JobV1 job = context.getJob();
        try {
            if (complete)
                _worker._client.completeJob(_worker._correlationId, job.getId(), job.getLockToken());
            else
                _worker._client.abortJob(_worker._correlationId, job.getId(), job.getLockToken());
        } catch (Exception ex) {
            if (JobsWorker.isLockLost(ex))
                lockLost(context, (ApplicationException) ex);
            else
                _worker.report(job, ex);
        }
    }

    private void lockLost(JobContext context, ApplicationException error) {
        context.markLockLost();
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
        finish(context, false);
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
