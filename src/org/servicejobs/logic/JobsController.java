package org.servicejobs.logic;

import org.pipservices3.commons.commands.CommandSet;
import org.pipservices3.commons.commands.ICommandable;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.config.IConfigurable;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.refer.DependencyResolver;
import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.commons.refer.IReferenceable;
import org.pipservices3.commons.refer.IReferences;
import org.pipservices3.commons.refer.ReferenceException;
import org.pipservices3.commons.run.INotifiable;
import org.pipservices3.commons.run.IOpenable;
import org.pipservices3.commons.run.Parameters;
import org.pipservices3.components.log.CompositeLogger;
import org.servicejobs.config.ConfigOptions;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobLease;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The business rules of the jobs service, in the order each call applies them: input checks
 * ({@link JobsInput}), the terms of a change (lease times, lock tokens), the atomic change by the
 * persistence, and, when the persistence refuses, the reason ({@link JobRefusals}). Long-polls wait
 * in {@link JobsWaitingRoom}; the cleaner runs on {@link JobsCleaner}'s timer.
 * <p>
 * Time comes from the {@link Clock} given to the constructor (the system UTC clock by default),
 * truncated to milliseconds.
 * <p>
 * When notified ({@link INotifiable}, as the process container does when it begins to stop), it
 * ends every long-poll, so that the HTTP endpoint does not wait for them.
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
public class JobsController implements IJobsController, IJobsStatistics, IConfigurable, IReferenceable, IOpenable,
        ICommandable, INotifiable {
    public static final int DEFAULT_MAX_RETRIES = 10;
    public static final long DEFAULT_MAX_TIMEOUT = 24L * 60 * 60 * 1000;
    public static final long DEFAULT_CLEAN_INTERVAL = 60_000;
    public static final long DEFAULT_COMPLETED_RETENTION = 24L * 60 * 60 * 1000;
    public static final long DEFAULT_MAX_WAIT = 30_000;
    public static final int DEFAULT_MAX_WAITERS = 1000;
    public static final long DEFAULT_WAIT_POLL_INTERVAL = 1000;

    private final Clock _clock;
    private final CompositeLogger _logger = new CompositeLogger();
    private final DependencyResolver _dependencyResolver = new DependencyResolver();
    private final JobsWaitingRoom _waitingRoom = new JobsWaitingRoom();
    private final JobsCleaner _cleaner = new JobsCleaner(_logger);
    private IJobsPersistence _persistence;
    private JobsCommandSet _commandSet;
    private int _maxRetries = DEFAULT_MAX_RETRIES;
    private long _maxTimeout = DEFAULT_MAX_TIMEOUT;
    private long _cleanInterval = DEFAULT_CLEAN_INTERVAL;
    private long _completedRetention = DEFAULT_COMPLETED_RETENTION;
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
        int maxRetries = ConfigOptions.getInt(config, "options.max_retries", _maxRetries, 1, Integer.MAX_VALUE);
        long maxTimeout = ConfigOptions.getLong(config, "options.max_timeout", _maxTimeout, 1, Long.MAX_VALUE);
        long cleanInterval = ConfigOptions.getLong(config, "options.clean_interval", _cleanInterval, 0, Long.MAX_VALUE);
        long completedRetention = ConfigOptions.getLong(config, "options.completed_retention", _completedRetention,
                0, Long.MAX_VALUE);
        long maxWait = ConfigOptions.getLong(config, "options.max_wait", DEFAULT_MAX_WAIT, 0, Long.MAX_VALUE);
        int maxWaiters = ConfigOptions.getInt(config, "options.max_waiters", DEFAULT_MAX_WAITERS, 0, Integer.MAX_VALUE);
        long pollInterval = ConfigOptions.getLong(config, "options.wait_poll_interval", DEFAULT_WAIT_POLL_INTERVAL,
                1, Long.MAX_VALUE);
        _dependencyResolver.configure(config);
        _waitingRoom.configure(maxWait, maxWaiters, pollInterval);
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
        _waitingRoom.open();
        _cleaner.start(correlationId, _cleanInterval, this::cleanJobs);
    }

    @Override
    public synchronized void close(String correlationId) {
        _opened = false;
        _waitingRoom.stopWaiting();
        _cleaner.stop(correlationId);
    }

    /** The process is stopping: every long-poll answers now (no job), and new ones do not wait. */
    @Override
    public void notify(String correlationId, Parameters args) {
        stopWaiting();
    }

    /**
     * Ends every wait of start_job_by_type (they answer no job) and refuses new ones, until the
     * controller is opened again.
     */
    public void stopWaiting() {
        _waitingRoom.stopWaiting();
    }

    /**
     * Deletes the jobs that are done with: completed more than completed_retention ago, failed
     * (retries used up) or expired. Never a running job.
     *
     * @return the number of deleted jobs.
     */
    public long cleanJobs(String correlationId) throws ApplicationException {
        ZonedDateTime now = now();
        return _persistence.cleanJobs(correlationId, now, now.minus(_completedRetention, ChronoUnit.MILLIS), _maxRetries);
    }

    @Override
    public Map<String, JobTypeStatsV1> getStats(String correlationId) throws ApplicationException {
        return _persistence.getStats(correlationId, now(), _maxRetries);
    }

    @Override
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
        JobV1 job = _persistence.create(correlationId, JobsInput.toJob(correlationId, newJob, now()));
        _waitingRoom.signal(job.getType());
        return job;
    }

    @Override
    public JobV1 addUniqJob(String correlationId, NewJobV1 newJob) throws ApplicationException {
        JobV1 job = _persistence.createUnique(correlationId, JobsInput.toJob(correlationId, newJob, now()));
        _waitingRoom.signal(job.getType());
        return job;
    }

    @Override
    public JobV1 startJobById(String correlationId, String jobId, long timeout) throws ApplicationException {
        JobsInput.checkTimeout(correlationId, timeout, _maxTimeout);
        for (int attempt = 1; ; attempt++) {
            JobLease lease = lease(timeout);
            JobV1 job = _persistence.startJobById(correlationId, jobId, lease);
            if (job != null)
                return job;
            ApplicationException refusal = JobRefusals.ofLease(correlationId, jobId,
                    _persistence.getOneById(correlationId, jobId), lease.now(), lease.maxRetries());
            if (refusal != null)
                throw refusal;
            if (attempt == JobRefusals.MAX_ATTEMPTS)
                throw JobRefusals.changedMeanwhile(correlationId, jobId);
        }
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, long timeout, long wait)
            throws ApplicationException {
        JobsInput.checkTimeout(correlationId, timeout, _maxTimeout);
        _waitingRoom.checkWait(correlationId, wait);
        return _waitingRoom.tryAndWait(correlationId, type, wait,
                () -> _persistence.startJobByType(correlationId, type, lease(timeout)));
    }

    @Override
    public JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken)
            throws ApplicationException {
        JobsInput.checkTimeout(correlationId, timeout, _maxTimeout);
        return finish(correlationId, jobId, lockToken,
                () -> _persistence.extendJob(correlationId, jobId, lockToken, now().plus(timeout, ChronoUnit.MILLIS)));
    }

    @Override
    public JobV1 abortJob(String correlationId, String jobId, String lockToken) throws ApplicationException {
        JobV1 job = finish(correlationId, jobId, lockToken, () -> _persistence.abortJob(correlationId, jobId, lockToken));
        _waitingRoom.signal(job.getType());
        return job;
    }

    @Override
    public JobV1 completeJob(String correlationId, String jobId, String lockToken) throws ApplicationException {
        return finish(correlationId, jobId, lockToken,
                () -> _persistence.completeJob(correlationId, jobId, lockToken, now()));
    }

    @Override
    public JobV1 deleteJobById(String correlationId, String jobId) throws ApplicationException {
        return _persistence.deleteById(correlationId, jobId);
    }

    @Override
    public void deleteJobs(String correlationId) throws ApplicationException {
        _persistence.deleteAll(correlationId);
    }

    /** A change of the holder of a lease, with its refusal explained (see {@link JobRefusals#ofFinish}). */
    private JobV1 finish(String correlationId, String jobId, String lockToken, JobsWaitingRoom.Attempt<JobV1> change)
            throws ApplicationException {
        for (int attempt = 1; ; attempt++) {
            JobV1 job = change.run();
            if (job != null)
                return job;
            ApplicationException refusal = JobRefusals.ofFinish(correlationId, jobId,
                    _persistence.getOneById(correlationId, jobId), lockToken);
            if (refusal != null)
                throw refusal;
            if (attempt == JobRefusals.MAX_ATTEMPTS)
                throw JobRefusals.changedMeanwhile(correlationId, jobId);
        }
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
}
