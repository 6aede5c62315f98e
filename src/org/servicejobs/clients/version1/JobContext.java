package org.servicejobs.clients.version1;

import org.servicejobs.data.version1.JobV1;

import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A job that a {@link JobsWorker} gives to its handler, with the state of its lease.
 * <p>
 * A handler that runs long checks {@link #isLockLost()} between its steps: once the lease is
 * lost (it ran out and another worker took the job, or the job was completed or deleted
 * meanwhile), the worker neither extends nor finishes the job, and what the handler does next
 * may be done twice. {@link #isStopping()} says that the worker is stopping: the handler should
 * end within the worker's grace period, after which its thread is interrupted and its job
 * aborted.
 */
public final class JobContext {
    private final JobV1 _job;
    private final BooleanSupplier _stopping;
    private final AtomicBoolean _ended = new AtomicBoolean();
    private volatile boolean _lockLost;
    private volatile Future<?> _heartbeat;

    JobContext(JobV1 job, BooleanSupplier stopping) {
        _job = job;
        _stopping = stopping;
    }

    /** The leased job: id, type, ref_id, params, retries (this lease included), lock_token. */
    public JobV1 getJob() {
        return _job;
    }

    /** True once the service said the lease is lost; the worker will not complete the job. */
    public boolean isLockLost() {
        return _lockLost;
    }

    /** True once the worker is stopping: end soon, within its grace period. */
    public boolean isStopping() {
        return _stopping.getAsBoolean();
    }

    void markLockLost() {
        _lockLost = true;
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
