package org.servicejobs.clients.version1;

import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobV1;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Runs a handler for the jobs of one type on <code>concurrency</code> threads. The threads that
 * wait for a job lease together, in one call for as many jobs as they are (see
 * {@link JobsWorkerLeases}; a long-poll: the service answers when a job is free or the wait ran
 * out). Each thread runs
 * the handler, extends the lease every half lease timeout while the handler runs, then ends the
 * job as the handler chose (see {@link JobContext}): completes it (with its result) when the
 * handler returns, aborts it with the exception's message as its error when the handler throws
 * (leased again after the retry backoff, the lease counted in its retries), gives it back after a
 * delay, or fails it for good.
 * <p>
 * Every extend, complete and abort passes the lease's <code>lock_token</code>. When the service
 * answers that the lease is lost (<code>JOB_LOCK_LOST</code>: it ran out and another worker took
 * the job; <code>JOB_CANCELLED</code>: it was cancelled; or <code>JOB_COMPLETED</code>,
 * <code>JOB_FAILED</code>, <code>JOB_NOT_FOUND</code>), the worker stops extending, marks the
 * job's context ({@link JobContext#isLockLost()}, {@link JobContext#isCancelled()}), tells the
 * listener, and does not finish the job. Any other failed call (for example a ConnectionException
 * while the service is down) is told to the listener; a failed lease is retried after a pause that
 * doubles from 100 ms up to 5 s.
 * <p>
 * {@link #stop(Duration)} leases no more jobs (a job that a lease in flight brings back is
 * aborted at once), lets running handlers end within a grace period, then aborts their jobs and
 * interrupts their threads. A lease in flight is interrupted at once with a direct client; a
 * blocking HTTP call is not, so over HTTP a stop also waits for it to answer (at most the
 * long-poll wait) within the grace period. The worker's threads are not daemon threads: a
 * started worker keeps the JVM running until it is stopped.
 * <pre>{@code
 * JobsWorker worker = JobsWorker.builder(client, "email", context -> send(context.getJob().getParams()))
 *         .concurrency(4)
 *         .leaseTimeout(Duration.ofMinutes(1))
 *         .build();
 * worker.start();
 * // ...
 * worker.stop(Duration.ofSeconds(30));
 * }</pre>
 */
public final class JobsWorker implements AutoCloseable {
    public static final int DEFAULT_CONCURRENCY = 1;
    public static final Duration DEFAULT_LEASE_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    static final long MIN_BACKOFF = 100;
    static final long MAX_BACKOFF = 5_000;
    /** The longest pause after an empty answer that came before half the wait (a service that does not wait). */
    static final long MAX_EMPTY_PAUSE = 1_000;
    /** How long stop waits for interrupted handlers to end, after the grace period. */
    static final long STOP_LINGER = 5_000;
    /** The code of a job that was cancelled while it ran. */
    static final String CANCELLED = "JOB_CANCELLED";
    private static final Set<String> LOCK_LOST_CODES =
            Set.of("JOB_LOCK_LOST", "JOB_COMPLETED", "JOB_NOT_FOUND", "JOB_NOT_STARTED", "JOB_FAILED", CANCELLED);

    /** The work to do for a job. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Does the work of a job: returns to complete it (or to end it as it chose on the
         * context), throws (any exception or error) to abort it, its message recorded as the
         * attempt's error: it can be leased again while it has retries left.
         *
         * @param context the job and the state of its lease.
         */
        void handle(JobContext context) throws Exception;
    }

    /** What a worker tells about failures; every method does nothing by default. */
    public interface Listener {
        /**
         * A call to the service failed, or a handler threw (also when a stop interrupted it).
         *
         * @param job   the job concerned, or null for a failed lease.
         * @param error what the client or the handler threw.
         */
        default void onError(JobV1 job, Throwable error) {
        }

        /**
         * The lease of a job was lost: an extend, complete, abort or fail was refused with
         * <code>JOB_LOCK_LOST</code>, <code>JOB_CANCELLED</code>, <code>JOB_COMPLETED</code>,
         * <code>JOB_FAILED</code> or <code>JOB_NOT_FOUND</code>. The worker neither extends nor
         * finishes the job any more.
         */
        default void onLockLost(JobV1 job, ApplicationException error) {
        }
    }

    final IJobsClientV1 _client;
    final String _type;
    final String _correlationId;
    final long _leaseTimeout;
    final long _wait;
    final Handler _handler;
    private final Listener _listener;
    private final int _concurrency;
    private final Duration _grace;
    private final List<JobsWorkerLoop> _loops = new ArrayList<>();
    final JobsWorkerLeases _leases = new JobsWorkerLeases(this);
    ScheduledExecutorService _scheduler;
    private volatile boolean _stopping;
    private boolean _started;

    private JobsWorker(Builder builder) {
        _client = builder._client;
        _type = builder._type;
        _handler = builder._handler;
        _correlationId = builder._correlationId;
        _listener = builder._listener;
        _concurrency = builder._concurrency;
        _leaseTimeout = builder._leaseTimeout.toMillis();
        _wait = builder._wait.toMillis();
        _grace = builder._grace;
    }

    /** A builder of a worker that runs <code>handler</code> for the jobs of <code>type</code>. */
    public static Builder builder(IJobsClientV1 client, String type, Handler handler) {
        return new Builder(client, type, handler);
    }

    /** Starts the worker's threads. A worker starts once, and not after a stop. */
    public synchronized void start() {
        if (_started || _stopping)
            throw new IllegalStateException("A worker starts once, and not after a stop");
        _started = true;
        _scheduler = Executors.newScheduledThreadPool(Math.min(_concurrency, 4),
                Thread.ofPlatform().daemon().name("jobs-heartbeat-" + _type + "-", 1).factory());
        ThreadFactory threads = Thread.ofPlatform().daemon(false).name("jobs-worker-" + _type + "-", 1).factory();
        for (int i = 0; i < _concurrency; i++)
            _loops.add(new JobsWorkerLoop(this, threads));
        for (JobsWorkerLoop loop : _loops)
            loop.start();
    }

    /** True once {@link #stop} was called. */
    public boolean isStopping() {
        return _stopping;
    }

    /** Stops the worker with the grace period it was built with; see {@link #stop(Duration)}. */
    public boolean stop() {
        return stop(_grace);
    }

    /**
     * Leases no more jobs, waits up to <code>grace</code> for running handlers to end, then
     * aborts their jobs, interrupts their threads and waits a few seconds more for them to end.
     * Calling it again does nothing more.
     *
     * @return true when every thread of the worker ended.
     */
    public synchronized boolean stop(Duration grace) {
        boolean interrupted = false;
        if (!_stopping && _started) {
            _stopping = true;
            for (JobsWorkerLoop loop : _loops)
                loop.interruptIfPolling();
            interrupted = !joinAll(System.nanoTime() + grace.toNanos());
            _leases.giveBackReady();
            for (JobsWorkerLoop loop : _loops)
                loop.abandon();
            interrupted |= !joinAll(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_LINGER));
            _scheduler.shutdownNow();
        }
        _stopping = true;
        if (interrupted)
            Thread.currentThread().interrupt();
        return _loops.stream().noneMatch(JobsWorkerLoop::isAlive);
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** Waits for every loop to end until the deadline; false when the caller was interrupted. */
    private boolean joinAll(long deadline) {
        try {
            for (JobsWorkerLoop loop : _loops)
                loop.join(deadline);
            return true;
        } catch (InterruptedException ex) {
            return false;
        }
    }

    /** Leases up to <code>count</code> jobs in one call, waiting the long-poll wait when none is free. */
    List<JobV1> lease(int count) throws ApplicationException {
        return _client.startJobsByType(_correlationId, _type, _leaseTimeout, count, _wait);
    }

    /** Aborts a job the worker leased but did not run, as it is stopping. */
    void giveBack(JobV1 job) {
        try {
            _client.abortJob(_correlationId, job.getId(), job.getLockToken(), JobsWorkerLoop.STOPPED, null);
        } catch (Exception ex) {
            if (!isLockLost(ex))
                report(job, ex);
        }
    }

    /**
     * Extends the lease of a job, with progress when given.
     *
     * @return false when the lease is lost: the context is ended and marked, the listener told.
     * @throws ApplicationException any other refusal or failure of the call.
     */
    boolean extend(JobContext context, Object progress) throws ApplicationException {
        JobV1 job = context.getJob();
        try {
            _client.extendJob(_correlationId, job.getId(), _leaseTimeout, job.getLockToken(), progress);
            return true;
        } catch (ApplicationException ex) {
            if (!isLockLost(ex))
                throw ex;
            if (context.end()) {
                context.markLockLost(CANCELLED.equals(ex.getCode()));
                reportLockLost(job, ex);
            }
            return false;
        }
    }

    void reportLockLost(JobV1 job, ApplicationException error) {
        try {
            _listener.onLockLost(job, error);
        } catch (RuntimeException ignored) {
            // A listener's failure must not stop the worker.
        }
    }

    void report(JobV1 job, Throwable error) {
        try {
            _listener.onError(job, error);
        } catch (RuntimeException ignored) {
            // A listener's failure must not stop the worker.
        }
    }

    static boolean isLockLost(Exception ex) {
        return ex instanceof ApplicationException error && LOCK_LOST_CODES.contains(error.getCode());
    }

    /** The settings of a worker; {@link #build} checks them. */
    public static final class Builder {
        private final IJobsClientV1 _client;
        private final String _type;
        private final Handler _handler;
        private int _concurrency = DEFAULT_CONCURRENCY;
        private Duration _leaseTimeout = DEFAULT_LEASE_TIMEOUT;
        private Duration _wait = DEFAULT_WAIT;
        private Duration _grace = DEFAULT_GRACE;
        private String _correlationId;
        private Listener _listener = new Listener() {
        };

        private Builder(IJobsClientV1 client, String type, Handler handler) {
            _client = Objects.requireNonNull(client, "client");
            _type = Objects.requireNonNull(type, "type");
            _handler = Objects.requireNonNull(handler, "handler");
        }

        /** Jobs run at once, each on its own thread (default 1). */
        public Builder concurrency(int concurrency) {
            _concurrency = concurrency;
            return this;
        }

        /** The lease of a job (default 60 s); it is extended every half of it. */
        public Builder leaseTimeout(Duration leaseTimeout) {
            _leaseTimeout = Objects.requireNonNull(leaseTimeout, "leaseTimeout");
            return this;
        }

        /**
         * How long one lease call waits for a free job (default 20 s). The service refuses a wait
         * over its <code>max_wait</code> (30 s by default) with 400 <code>INVALID_WAIT</code>,
         * which the worker reports to its listener on every lease.
         */
        public Builder longPollWait(Duration wait) {
            _wait = Objects.requireNonNull(wait, "wait");
            return this;
        }

        /** How long {@link #stop()} lets running handlers end (default 30 s). */
        public Builder gracePeriod(Duration grace) {
            _grace = Objects.requireNonNull(grace, "grace");
            return this;
        }

        /** The correlation id of every call to the service (default none). */
        public Builder correlationId(String correlationId) {
            _correlationId = correlationId;
            return this;
        }

        /** Who is told about failures and lost leases (default nobody). */
        public Builder listener(Listener listener) {
            _listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public JobsWorker build() {
            if (_concurrency < 1)
                throw new IllegalArgumentException("concurrency must be at least 1");
            if (_leaseTimeout.toMillis() < 2)
                throw new IllegalArgumentException("leaseTimeout must be at least 2 ms");
            if (_wait.toMillis() < 1)
                throw new IllegalArgumentException("longPollWait must be at least 1 ms");
            if (_grace.isNegative())
                throw new IllegalArgumentException("gracePeriod must not be negative");
            return new JobsWorker(this);
        }
    }
}
