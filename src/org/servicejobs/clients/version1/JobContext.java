package org.servicejobs.clients.version1;

import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobV1;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A job that a {@link JobsWorker} gives to its handler, with the state of its lease and what the
 * handler decides about it.
 * <p>
 * How the job ends is the handler's choice: return normally to complete it (with
 * {@link #setResult}), throw to abort it (the exception's message becomes the attempt's error; it
 * is leased again after the retry backoff while it has retries left), {@link #retryAfter} to give
 * it back with a delay of its own, or {@link #fail} to fail it for good. {@link #reportProgress}
 * records progress on the job while it runs.
 * <p>
 * A handler that runs long checks {@link #isLockLost()} between its steps: once the lease is
 * lost (it ran out and another worker took the job, the job was cancelled, completed or deleted
 * meanwhile), the worker neither extends nor finishes the job, and what the handler does next
 * may be done twice. {@link #isCancelled()} says the job was cancelled. {@link #isStopping()}
 * says that the worker is stopping: the handler should end within the worker's grace period,
 * after which its thread is interrupted and its job aborted.
 */
public final class JobContext {
    /** How the handler wants the job to end, when it returns. */
    enum Outcome { COMPLETE, RETRY, FAIL }

    private final JobV1 _job;
    private final BooleanSupplier _stopping;
    private final JobsWorker _worker;
    private final AtomicBoolean _ended = new AtomicBoolean();
    private volatile boolean _lockLost;
    private volatile boolean _cancelled;
    private volatile Future<?> _heartbeat;
    private volatile Outcome _outcome = Outcome.COMPLETE;
    private volatile Object _result;
    private volatile String _error;
    private volatile Duration _retryDelay;

    JobContext(JobV1 job, BooleanSupplier stopping, JobsWorker worker) {
        _job = job;
        _stopping = stopping;
        _worker = worker;
    }

    /** The leased job: id, type, ref_id, params, retries (this lease included), lock_token, errors. */
    public JobV1 getJob() {
        return _job;
    }

    /** True once the service said the lease is lost; the worker will not finish the job. */
    public boolean isLockLost() {
        return _lockLost;
    }

    /** True once the service said the job was cancelled; the lease is lost too. */
    public boolean isCancelled() {
        return _cancelled;
    }

    /** True once the worker is stopping: end soon, within its grace period. */
    public boolean isStopping() {
        return _stopping.getAsBoolean();
    }

    /** Completes the job with this result (any JSON value, at most 64 KiB) when the handler returns. */
    public void setResult(Object result) {
        _result = result;
    }

    /**
     * Records progress on the job now (any JSON value, at most 4 KiB), extending its lease.
     *
     * @return false when the lease is lost (the progress is not recorded).
     * @throws ApplicationException when the service refuses the progress or cannot be reached.
     */
    public boolean reportProgress(Object progress) throws ApplicationException {
        return !isEnded() && _worker.extend(this, progress);
    }

    /** Fails the job for good when the handler returns: it is not leased again. */
    public void fail(String error) {
        _outcome = Outcome.FAIL;
        _error = error;
    }

    /** Gives the job back when the handler returns, to be leased again after <code>delay</code> (while it has retries left). */
    public void retryAfter(Duration delay, String error) {
        _outcome = Outcome.RETRY;
        _retryDelay = delay;
        _error = error;
    }

    Outcome outcome() {
        return _outcome;
    }

    Object result() {
        return _result;
    }

    String error() {
        return _error;
    }

    Duration retryDelay() {
        return _retryDelay;
    }

    void markLockLost(boolean cancelled) {
        _lockLost = true;
        _cancelled |= cancelled;
    }

    /** Sets the heartbeat of the lease; it is cancelled at once when the lease ended already. */
    void setHeartbeat(Future<?> heartbeat) {
        _heartbeat = heartbeat;
        if (_ended.get())
            heartbeat.cancel(false);
    }

    boolean isEnded() {
        return _ended.get();
    }

    /**
     * Claims the end of the lease (completion, abort or loss) and stops its heartbeat.
     *
     * @return true for the one caller that claimed it, false when it had ended already.
     */
    boolean end() {
        if (!_ended.compareAndSet(false, true))
            return false;
        Future<?> heartbeat = _heartbeat;
        if (heartbeat != null)
            heartbeat.cancel(false);
        return true;
    }
}
