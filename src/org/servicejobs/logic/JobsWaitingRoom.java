package org.servicejobs.logic;

import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.errors.InvalidStateException;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The long-poll of <code>start_job_by_type</code>: a call that finds no free job waits here until
 * a job of its type may have become free in this process (added, aborted: see {@link #signal}),
 * or at most a poll interval (a lease that ran out, or a job added by another instance, sends no
 * signal), and tries again, until its wait runs out.
 * <p>
 * At most <code>max_waiters</code> calls wait at once; one more is refused with 503
 * <code>TOO_MANY_WAITERS</code>. {@link #stopWaiting} ends every wait (they answer no job) and
 * refuses new ones until {@link #open}: a stopping process does not keep long-polls open.
 */
final class JobsWaitingRoom {
    /** One try to lease a job. */
    @FunctionalInterface
    interface Attempt<T> {
        /** The leased job, or null when none is free. */
        T run() throws ApplicationException;
    }

    private final JobSignals _signals = new JobSignals();
    private volatile long _maxWait = JobsController.DEFAULT_MAX_WAIT;
    private volatile int _maxWaiters = JobsController.DEFAULT_MAX_WAITERS;
    private volatile long _pollInterval = JobsController.DEFAULT_WAIT_POLL_INTERVAL;
    private volatile Semaphore _waiters = new Semaphore(JobsController.DEFAULT_MAX_WAITERS);
    private volatile boolean _stopped;

    void configure(long maxWait, int maxWaiters, long pollInterval) {
        _maxWait = maxWait;
        _maxWaiters = maxWaiters;
        _pollInterval = pollInterval;
        _waiters = new Semaphore(maxWaiters);
    }

    /** Lets calls wait again after {@link #stopWaiting}. */
    void open() {
        _stopped = false;
    }

    /** Ends every wait (they answer no job) and refuses new ones until {@link #open}. */
    void stopWaiting() {
        _stopped = true;
        _signals.signalAll();
    }

    /** A job of the type may have become free: wakes the calls waiting for one. */
    void signal(String type) {
        _signals.signal(type);
    }

    /** Refuses a wait out of range with 400 <code>INVALID_WAIT</code>. */
    void checkWait(String correlationId, long wait) throws BadRequestException {
        if (wait < 0 || wait > _maxWait)
            throw (BadRequestException) new BadRequestException(correlationId, "INVALID_WAIT",
                    "wait must be a number of ms from 0 to " + _maxWait)
                    .withDetails("wait", wait).withDetails("max_wait", _maxWait);
    }

    /**
     * Tries once, and when that gives nothing, waits for a signal of the type and tries again,
     * for up to <code>wait</code> ms.
     *
     * @return what the first successful try gave, or null when the wait ran out.
     */
    <T> T tryAndWait(String correlationId, String type, long wait, Attempt<T> attempt) throws ApplicationException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
        long version = _signals.version();
        T result = attempt.run();
        if (result != null || wait == 0 || _stopped)
            return result;
        Semaphore waiters = _waiters;
        if (!waiters.tryAcquire()) {
            ApplicationException busy = new InvalidStateException(correlationId, "TOO_MANY_WAITERS",
                    "Too many calls are waiting for jobs; try again later").withDetails("max_waiters", _maxWaiters);
            busy.setStatus(503);
            throw busy;
        }
        try {
            long poll = TimeUnit.MILLISECONDS.toNanos(_pollInterval);
            while (!_stopped) {
                long left = deadline - System.nanoTime();
                if (left <= 0)
                    return null;
                _signals.await(type, version, Math.min(left, poll));
                version = _signals.version();
                result = attempt.run();
                if (result != null)
                    return result;
            }
            return null;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            waiters.release();
        }
    }
}
