package org.servicejobs.logic;

import org.pipservices3.commons.commands.CommandSet;
import org.pipservices3.commons.commands.ICommandable;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.config.IConfigurable;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.commons.errors.InvalidStateException;
import org.pipservices3.commons.errors.NotFoundException;
import org.pipservices3.commons.refer.DependencyResolver;
import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.commons.refer.IReferenceable;
import org.pipservices3.commons.refer.IReferences;
import org.pipservices3.commons.refer.ReferenceException;
import org.pipservices3.commons.run.IOpenable;
import org.pipservices3.components.log.CompositeLogger;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobLease;
import org.servicejobs.persistence.JobTypeStats;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The business rules of the jobs service: input checks, lease terms, state checks with specific
 * errors, and the cleaner. Every atomic state change is made by the persistence; this class
 * decides its terms and explains a refusal.
 * <p>
 * Time comes from the {@link Clock} given to the constructor (the system UTC clock by default),
 * truncated to milliseconds.
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>options:
 * <ul>
 * <li>max_retries: leases a job may have; the cleaner deletes a job that used them up (default 10)</li>
 * <li>max_timeout: the longest lease in ms a caller may ask for (default 86400000, 24 h)</li>
 * <li>clean_interval: ms between runs of the cleaner, 0 = never (default 60000)</li>
 * <li>completed_retention: ms a completed job is kept before the cleaner deletes it (default 86400000, 24 h)</li>
 * <li>max_wait: the longest wait in ms a start_job_by_type may ask for (default 30000)</li>
 * <li>max_waiters: start_job_by_type calls that may wait at once; more are refused with 503
 * <code>TOO_MANY_WAITERS</code> (default 1000)</li>
 * <li>wait_poll_interval: ms after which a waiting call tries again without a signal: it sees
 * jobs freed by an expired lease or added by another instance (default 1000)</li>
 * </ul>
 * </li>
 * </ul>
 * <p>
 * ### References ###
 * <ul>
 * <li>pip-services-jobs:persistence:*:*:1.0 the IJobsPersistence</li>
 * <li>*:logger:*:*:1.0 (optional) ILogger components to pass log messages</li>
 * </ul>
 */
public class JobsController implements IJobsController, IConfigurable, IReferenceable, IOpenable, ICommandable {
    public static final int DEFAULT_MAX_RETRIES = 10;
    public static final long DEFAULT_MAX_TIMEOUT = 24L * 60 * 60 * 1000;
    public static final long DEFAULT_CLEAN_INTERVAL = 60_000;
    public static final long DEFAULT_COMPLETED_RETENTION = 24L * 60 * 60 * 1000;
    /** The longest ttl accepted: 100 years, in ms. */
    public static final long MAX_TTL = 36525L * 24 * 60 * 60 * 1000;
    public static final int MAX_TYPE_LENGTH = 256;
    public static final int MAX_REF_ID_LENGTH = 1024;
    public static final long DEFAULT_MAX_WAIT = 30_000;
    public static final int DEFAULT_MAX_WAITERS = 1000;
    public static final long DEFAULT_WAIT_POLL_INTERVAL = 1000;
    private static final int MAX_ATTEMPTS = 3;

    private final Clock _clock;
    private final CompositeLogger _logger = new CompositeLogger();
    private final DependencyResolver _dependencyResolver = new DependencyResolver();
    private IJobsPersistence _persistence;
    private JobsCommandSet _commandSet;
    private int _maxRetries = DEFAULT_MAX_RETRIES;
    private long _maxTimeout = DEFAULT_MAX_TIMEOUT;
    private long _cleanInterval = DEFAULT_CLEAN_INTERVAL;
    private long _completedRetention = DEFAULT_COMPLETED_RETENTION;
    private long _maxWait = DEFAULT_MAX_WAIT;
    private int _maxWaiters = DEFAULT_MAX_WAITERS;
    private long _waitPollInterval = DEFAULT_WAIT_POLL_INTERVAL;
    private final JobSignals _signals = new JobSignals();
    private volatile Semaphore _waiters = new Semaphore(DEFAULT_MAX_WAITERS);
    private volatile boolean _stopWaiting;
    private ScheduledExecutorService _cleaner;
    private volatile boolean _opened;

    public JobsController() {
        this(Clock.systemUTC());
    }

    public JobsController(Clock clock) {
        _clock = clock;
        _dependencyResolver.put("persistence", new Descriptor("pip-services-jobs", "persistence", "*", "*", "1.0"));
    }

    @Override
    public void configure(ConfigParams config) throws ConfigException {
        int maxRetries = config.getAsIntegerWithDefault("options.max_retries", _maxRetries);
        long maxTimeout = config.getAsLongWithDefault("options.max_timeout", _maxTimeout);
        long cleanInterval = config.getAsLongWithDefault("options.clean_interval", _cleanInterval);
        long completedRetention = config.getAsLongWithDefault("options.completed_retention", _completedRetention);
        long maxWait = config.getAsLongWithDefault("options.max_wait", _maxWait);
        int maxWaiters = config.getAsIntegerWithDefault("options.max_waiters", _maxWaiters);
        long waitPollInterval = config.getAsLongWithDefault("options.wait_poll_interval", _waitPollInterval);
        if (maxRetries < 1)
            throw new ConfigException(null, "INVALID_MAX_RETRIES", "options.max_retries must be at least 1");
        if (maxTimeout < 1)
            throw new ConfigException(null, "INVALID_MAX_TIMEOUT", "options.max_timeout must be at least 1 ms");
        if (cleanInterval < 0)
            throw new ConfigException(null, "INVALID_CLEAN_INTERVAL", "options.clean_interval must be 0 or more");
        if (completedRetention < 0)
            throw new ConfigException(null, "INVALID_COMPLETED_RETENTION", "options.completed_retention must be 0 or more");
        if (maxWait < 0 || maxWaiters < 0 || waitPollInterval < 1)
            throw new ConfigException(null, "INVALID_WAIT_OPTIONS",
                    "options.max_wait and options.max_waiters must be 0 or more, options.wait_poll_interval at least 1");
        _dependencyResolver.configure(config);
        _maxWait = maxWait;
        _maxWaiters = maxWaiters;
        _waiters = new Semaphore(maxWaiters);
        _waitPollInterval = waitPollInterval;
        _maxRetries = maxRetries;
        _maxTimeout = maxTimeout;
        _cleanInterval = cleanInterval;
        _completedRetention = completedRetention;
    }

    @Override
    public void setReferences(IReferences references) throws ReferenceException {
        _logger.setReferences(references);
        _dependencyResolver.setReferences(references);
        _persistence = _dependencyResolver.getOneRequired(IJobsPersistence.class, "persistence");
    }

    @Override
    public CommandSet getCommandSet() {
        if (_commandSet == null)
            _commandSet = new JobsCommandSet(this);
        return _commandSet;
    }

    @Override
    public boolean isOpen() {
        return _opened;
    }

    @Override
    public synchronized void open(String correlationId) {
        _opened = true;
        _stopWaiting = false;
        if (_cleaner != null || _cleanInterval <= 0)
            return;
        _cleaner = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "jobs-cleaner");
            thread.setDaemon(true);
            return thread;
        });
        _cleaner.scheduleWithFixedDelay(() -> runCleaner(correlationId), _cleanInterval, _cleanInterval,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close(String correlationId) {
        _opened = false;
        stopWaiting();
        if (_cleaner == null)
            return;
        _cleaner.shutdownNow();
        try {
            if (!_cleaner.awaitTermination(10, TimeUnit.SECONDS))
                _logger.warn(correlationId, "The jobs cleaner did not stop within 10 s");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        _cleaner = null;
    }

    private void runCleaner(String correlationId) {
        try {
            long deleted = cleanJobs(correlationId);
            if (deleted > 0)
                _logger.debug(correlationId, "Jobs cleaner deleted %d jobs", deleted);
        } catch (Exception ex) {
            _logger.error(correlationId, ex, "Jobs cleaner failed");
        }
    }

    /**
     * Deletes the jobs that are done with: completed more than completed_retention ago, expired,
     * or with every retry used. Never a job whose lock holds.
     *
     * @return the number of deleted jobs.
     */
    public long cleanJobs(String correlationId) throws ApplicationException {
        ZonedDateTime now = now();
        return _persistence.cleanJobs(correlationId, now, now.minus(_completedRetention, ChronoUnit.MILLIS), _maxRetries);
    }

    /**
     * Counts the jobs of each type by state now, with this controller's max_retries (see
     * {@link JobTypeStats}). For metrics: not a command of the protocol. It reads every job, so
     * callers cache it (the metrics service refreshes it at most every few seconds).
     *
     * @return the statistics of every type that has jobs, by type.
     */
    public Map<String, JobTypeStats> getStats(String correlationId) throws ApplicationException {
        return _persistence.getStats(correlationId, now(), _maxRetries);
    }

    /** The clock the controller reads the time from. */
    public Clock getClock() {
        return _clock;
    }

    @Override
    public DataPage<JobV1> getJobs(String correlationId, FilterParams filter, PagingParams paging)
            throws ApplicationException {
        return _persistence.getPageByFilter(correlationId, filter, paging);
    }

    @Override
    public JobV1 getJobById(String correlationId, String jobId) throws ApplicationException {
        return _persistence.getOneById(correlationId, jobId);
    }

    @Override
    public JobV1 addJob(String correlationId, NewJobV1 newJob) throws ApplicationException {
        JobV1 job = _persistence.create(correlationId, toJob(correlationId, newJob));
        _signals.signal(job.getType());
        return job;
    }

    @Override
    public JobV1 addUniqJob(String correlationId, NewJobV1 newJob) throws ApplicationException {
        JobV1 job = _persistence.createUnique(correlationId, toJob(correlationId, newJob));
        _signals.signal(job.getType());
        return job;
    }

    @Override
    public JobV1 startJobById(String correlationId, String jobId, long timeout) throws ApplicationException {
        checkTimeout(correlationId, timeout);
        for (int attempt = 1; ; attempt++) {
            JobLease lease = lease(timeout);
            JobV1 job = _persistence.startJobById(correlationId, jobId, lease);
            if (job != null)
                return job;
            ApplicationException refusal = explainStart(correlationId, jobId, lease);
            if (refusal != null || attempt == MAX_ATTEMPTS)
                throw refusal != null ? refusal : changedMeanwhile(correlationId, jobId);
        }
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, long timeout, long wait)
            throws ApplicationException {
        checkTimeout(correlationId, timeout);
        if (wait < 0 || wait > _maxWait)
            throw (BadRequestException) new BadRequestException(correlationId, "INVALID_WAIT",
                    "wait must be a number of ms from 0 to " + _maxWait)
                    .withDetails("wait", wait).withDetails("max_wait", _maxWait);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(wait);
        long version = _signals.version();
        JobV1 job = _persistence.startJobByType(correlationId, type, lease(timeout));
        if (job != null || wait == 0 || _stopWaiting)
            return job;
        Semaphore waiters = _waiters;
        if (!waiters.tryAcquire()) {
            ApplicationException busy = new InvalidStateException(correlationId, "TOO_MANY_WAITERS",
                    "Too many calls are waiting for jobs; try again later").withDetails("max_waiters", _maxWaiters);
            busy.setStatus(503);
            throw busy;
        }
        try {
            long poll = TimeUnit.MILLISECONDS.toNanos(_waitPollInterval);
            while (!_stopWaiting) {
                long left = deadline - System.nanoTime();
                if (left <= 0)
                    return null;
                _signals.await(type, version, Math.min(left, poll));
                version = _signals.version();
                job = _persistence.startJobByType(correlationId, type, lease(timeout));
                if (job != null)
                    return job;
            }
            return null;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            waiters.release();
        }
    }

    /**
     * Ends every wait of start_job_by_type (they answer no job) and refuses new ones, until the
     * controller is opened again: a stopping process does not keep long-polls open.
     */
    public void stopWaiting() {
        _stopWaiting = true;
        _signals.signalAll();
    }

    @Override
    public JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken)
            throws ApplicationException {
        checkTimeout(correlationId, timeout);
        for (int attempt = 1; ; attempt++) {
            ZonedDateTime lockedUntil = now().plus(timeout, ChronoUnit.MILLIS);
            JobV1 job = _persistence.extendJob(correlationId, jobId, lockToken, lockedUntil);
            if (job != null)
                return job;
            checkRunning(correlationId, jobId, lockToken, attempt);
        }
    }

    @Override
    public JobV1 abortJob(String correlationId, String jobId, String lockToken) throws ApplicationException {
        for (int attempt = 1; ; attempt++) {
            JobV1 job = _persistence.abortJob(correlationId, jobId, lockToken);
            if (job != null) {
                _signals.signal(job.getType());
                return job;
            }
            checkRunning(correlationId, jobId, lockToken, attempt);
        }
    }

    @Override
    public JobV1 completeJob(String correlationId, String jobId, String lockToken) throws ApplicationException {
        for (int attempt = 1; ; attempt++) {
            JobV1 job = _persistence.completeJob(correlationId, jobId, lockToken, now());
            if (job != null)
                return job;
            checkRunning(correlationId, jobId, lockToken, attempt);
        }
    }

    @Override
    public JobV1 deleteJobById(String correlationId, String jobId) throws ApplicationException {
        return _persistence.deleteById(correlationId, jobId);
    }

    @Override
    public void deleteJobs(String correlationId) throws ApplicationException {
        _persistence.deleteAll(correlationId);
    }

    private ZonedDateTime now() {
        return ZonedDateTime.ofInstant(Instant.now(_clock).truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC);
    }

    private JobLease lease(long timeout) {
        ZonedDateTime now = now();
        return new JobLease(now, now.plus(timeout, ChronoUnit.MILLIS), _maxRetries, newLockToken());
    }

    private static String newLockToken() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return String.format("%016x%016x", random.nextLong(), random.nextLong());
    }

    private JobV1 toJob(String correlationId, NewJobV1 newJob) throws BadRequestException {
        if (newJob == null)
            throw new BadRequestException(correlationId, "MISSING_JOB", "new_job is required");
        String type = requireText(correlationId, "type", newJob.getType(), MAX_TYPE_LENGTH);
        String refId = requireText(correlationId, "ref_id", newJob.getRefId(), MAX_REF_ID_LENGTH);
        long ttl = newJob.getTtl() != null ? newJob.getTtl() : 0;
        if (ttl < 0 || ttl > MAX_TTL)
            throw (BadRequestException) new BadRequestException(correlationId, "INVALID_TTL",
                    "ttl must be 0 (no expiry) or a number of ms up to " + MAX_TTL).withDetails("ttl", ttl);

        ZonedDateTime now = now();
        JobV1 job = new JobV1(null, type, refId, newJob.getParams());
        job.setCreated(now);
        job.setExecuteUntil(ttl > 0 ? now.plus(ttl, ChronoUnit.MILLIS) : null);
        return job;
    }

    private static String requireText(String correlationId, String name, String value, int maxLength)
            throws BadRequestException {
        if (value == null || value.isBlank())
            throw (BadRequestException) new BadRequestException(correlationId, "MISSING_" + name.toUpperCase(),
                    name + " must be a non-empty string").withDetails("property", name);
        if (value.length() > maxLength)
            throw (BadRequestException) new BadRequestException(correlationId, name.toUpperCase() + "_TOO_LONG",
                    name + " must be at most " + maxLength + " characters")
                    .withDetails("property", name).withDetails("max_length", maxLength);
        return value;
    }

    private void checkTimeout(String correlationId, long timeout) throws BadRequestException {
        if (timeout < 1 || timeout > _maxTimeout)
            throw (BadRequestException) new BadRequestException(correlationId, "INVALID_TIMEOUT",
                    "timeout must be a number of ms from 1 to " + _maxTimeout)
                    .withDetails("timeout", timeout).withDetails("max_timeout", _maxTimeout);
    }

    /** Why a job could not be leased, or null when it looks free now (it changed meanwhile). */
    private ApplicationException explainStart(String correlationId, String jobId, JobLease lease)
            throws ApplicationException {
        JobV1 job = _persistence.getOneById(correlationId, jobId);
        if (job == null)
            return notFound(correlationId, jobId);
        if (job.getCompleted() != null)
            return conflict(correlationId, jobId, "JOB_COMPLETED", "is completed");
        if (job.getLockedUntil() != null && job.getLockedUntil().isAfter(lease.now()))
            return conflict(correlationId, jobId, "JOB_LOCKED", "is locked until " + job.getLockedUntil());
        if (job.getRetries() >= lease.maxRetries())
            return conflict(correlationId, jobId, "JOB_RETRIES_EXHAUSTED",
                    "has used all its " + lease.maxRetries() + " retries");
        if (job.getExecuteUntil() != null && !job.getExecuteUntil().isAfter(lease.now()))
            return conflict(correlationId, jobId, "JOB_EXPIRED", "expired at " + job.getExecuteUntil());
        return null;
    }

    /** Throws why a job is not running under the caller's lock; returns when it looks fine now. */
    private void checkRunning(String correlationId, String jobId, String lockToken, int attempt)
            throws ApplicationException {
        JobV1 job = _persistence.getOneById(correlationId, jobId);
        if (job == null)
            throw notFound(correlationId, jobId);
        if (job.getCompleted() != null)
            throw conflict(correlationId, jobId, "JOB_COMPLETED", "is completed");
        if (job.getStarted() == null)
            throw conflict(correlationId, jobId, lockToken != null ? "JOB_LOCK_LOST" : "JOB_NOT_STARTED",
                    "is not running");
        if (lockToken != null && !lockToken.equals(job.getLockToken()))
            throw conflict(correlationId, jobId, "JOB_LOCK_LOST", "is leased under another lock_token");
        if (attempt == MAX_ATTEMPTS)
            throw changedMeanwhile(correlationId, jobId);
    }

    private static NotFoundException notFound(String correlationId, String jobId) {
        return (NotFoundException) new NotFoundException(correlationId, "JOB_NOT_FOUND", "Job " + jobId + " was not found")
                .withDetails("job_id", jobId);
    }

    private static ConflictException conflict(String correlationId, String jobId, String code, String why) {
        return (ConflictException) new ConflictException(correlationId, code, "Job " + jobId + " " + why)
                .withDetails("job_id", jobId);
    }

    private static ConflictException changedMeanwhile(String correlationId, String jobId) {
        return conflict(correlationId, jobId, "JOB_CHANGED", "changed while the request ran; try again");
    }
}
