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
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.JobsBatchV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobMoment;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The business rules of the jobs service, in the order each call applies them: input checks
 * ({@link JobsInput}), the terms of a change (times, lock tokens, retry backoff), the atomic
 * change by the persistence, and, when the persistence refuses, the reason ({@link JobRefusals}).
 * Every answer is taken at its moment ({@link JobsView}). Long-polls wait in
 * {@link JobsWaitingRoom}; the cleaner runs on {@link JobsCleaner}'s timer. The batch calls are in
 * {@link JobsBatches}, a worker's calls on its leases in {@link JobsLeases}, an operator's calls
 * (cancel, retry, reschedule, pause) in {@link JobsManagement}.
 * <p>
 * Time comes from the {@link Clock} given to the constructor (the system UTC clock by default),
 * truncated to milliseconds. When notified ({@link INotifiable}, as the process container does
 * when it begins to stop), it ends every long-poll, so that the HTTP endpoint does not wait.
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>options:
 * <ul>
 * <li>max_retries: leases a job may have, kept on each job it adds without its own (default 10)</li>
 * <li>max_timeout: the longest lease in ms a caller may ask for (default 86400000, 24 h)</li>
 * <li>clean_interval: ms between runs of the cleaner, 0 = never (default 60000)</li>
 * <li>completed_retention: ms a completed job is kept (default 86400000, 24 h)</li>
 * <li>failed_retention: ms a failed or cancelled job is kept (default 604800000, 7 days)</li>
 * <li>retry_backoff: fixed or exponential (default fixed), retry_delay: ms (default 0: at once),
 * retry_max_delay: ms (default 3600000, 1 h): the wait before the next lease after an attempt
 * that ended unfinished, for jobs without their own backoff</li>
 * <li>max_wait: the longest wait in ms a start_job_by_type may ask for (default 30000)</li>
 * <li>max_waiters: start_job_by_type calls that may wait at once; more are refused with 503
 * <code>TOO_MANY_WAITERS</code> (default 1000)</li>
 * <li>wait_poll_interval: ms after which a waiting call tries again without a signal: it sees
 * jobs freed by an expired lease or a schedule, or added by another instance (default 1000)</li>
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
    public static final long DEFAULT_FAILED_RETENTION = 7L * 24 * 60 * 60 * 1000;
    public static final long DEFAULT_RETRY_MAX_DELAY = 60L * 60 * 1000;
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
    private volatile JobsOptions _options = JobsOptions.DEFAULTS;
    private final JobsTerms _terms;
    private final JobsBatches _batches = new JobsBatches(this);
    private final JobsManagement _management = new JobsManagement(this);
    private final JobsLeases _leases = new JobsLeases(this);
    private volatile boolean _opened;

    public JobsController() {
        this(Clock.systemUTC());
    }

    public JobsController(Clock clock) {
        _clock = clock;
        _terms = new JobsTerms(clock, () -> _options);
        _dependencyResolver.put("persistence", new Descriptor("pip-services-jobs", "persistence", "*", "*", "1.0"));
    }

    @Override
    public void configure(ConfigParams config) throws ConfigException {
        JobsOptions options = JobsOptions.read(config, _options);
        _dependencyResolver.configure(config);
        _waitingRoom.configure(options.maxWait(), options.maxWaiters(), options.waitPollInterval());
        _options = options;
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
        _cleaner.start(correlationId, _options.cleanInterval(), this::cleanJobs);
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

    /** Ends every wait of start_job_by_type (they answer no job) and refuses new ones, until opened again. */
    public void stopWaiting() {
        _waitingRoom.stopWaiting();
    }

    /**
     * Deletes the jobs that are done with: completed more than completed_retention ago, failed or
     * cancelled more than failed_retention ago. Never a waiting, scheduled or running job.
     *
     * @return the number of deleted jobs.
     */
    public long cleanJobs(String correlationId) throws ApplicationException {
        ZonedDateTime now = now();
        return _persistence.cleanJobs(correlationId, new JobMoment(now, _options.maxRetries()),
                now.minus(_options.completedRetention(), ChronoUnit.MILLIS), now.minus(_options.failedRetention(), ChronoUnit.MILLIS));
    }

    @Override
    public Map<String, JobTypeStatsV1> getStats(String correlationId) throws ApplicationException {
        return getJobStats(correlationId);
    }

    @Override
    public Map<String, JobTypeStatsV1> getJobStats(String correlationId) throws ApplicationException {
        return _persistence.getStats(correlationId, moment(now()));
    }

    @Override
    public Clock getClock() {
        return _clock;
    }

    @Override
    public DataPage<JobV1> getJobs(String correlationId, FilterParams filter, PagingParams paging)
            throws ApplicationException {
        ZonedDateTime now = now();
        DataPage<JobV1> page = _persistence.getPageByFilter(correlationId, filter, paging, moment(now));
        JobsView.at(page.getData(), now, _options.maxRetries());
        return page;
    }

    @Override
    public JobV1 getJobById(String correlationId, String jobId) throws ApplicationException {
        return view(_persistence.getOneById(correlationId, jobId));
    }

    @Override
    public JobV1 addJob(String correlationId, NewJobV1 newJob) throws ApplicationException {
        ZonedDateTime now = now();
        JobV1 job = _persistence.create(correlationId, JobsInput.toJob(correlationId, newJob, now, _options.maxRetries()));
        _waitingRoom.signal(job.getType());
        return JobsView.at(job, now, _options.maxRetries());
    }

    @Override
    public JobsBatchV1 addJobs(String correlationId, List<NewJobV1> newJobs) throws ApplicationException {
        return _batches.addJobs(correlationId, newJobs);
    }

    @Override
    public JobV1 addUniqJob(String correlationId, NewJobV1 newJob) throws ApplicationException {
        ZonedDateTime now = now();
        JobV1 job = _persistence.createUnique(correlationId, JobsInput.toJob(correlationId, newJob, now, _options.maxRetries()),
                moment(now));
        _waitingRoom.signal(job.getType());
        return JobsView.at(job, now, _options.maxRetries());
    }

    @Override
    public JobV1 startJobById(String correlationId, String jobId, long timeout) throws ApplicationException {
        return _leases.startJobById(correlationId, jobId, timeout);
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, long timeout, long wait)
            throws ApplicationException {
        return _leases.startJobByType(correlationId, type, timeout, wait);
    }

    @Override
    public JobsBatchV1 startJobsByType(String correlationId, String type, long timeout, int count, long wait)
            throws ApplicationException {
        return _batches.startJobsByType(correlationId, type, timeout, count, wait);
    }

    @Override
    public JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken, Object progress)
            throws ApplicationException {
        return _leases.extendJob(correlationId, jobId, timeout, lockToken, progress);
    }

    @Override
    public JobV1 abortJob(String correlationId, String jobId, String lockToken, String error, Long delay)
            throws ApplicationException {
        return _leases.abortJob(correlationId, jobId, lockToken, error, delay);
    }

    @Override
    public JobV1 completeJob(String correlationId, String jobId, String lockToken, Object result)
            throws ApplicationException {
        return _leases.completeJob(correlationId, jobId, lockToken, result);
    }

    @Override
    public JobsBatchV1 completeJobs(String correlationId, List<JobCompletionV1> jobs) throws ApplicationException {
        return _batches.completeJobs(correlationId, jobs);
    }

    @Override
    public JobV1 failJob(String correlationId, String jobId, String lockToken, String error)
            throws ApplicationException {
        return _leases.failJob(correlationId, jobId, lockToken, error);
    }

    @Override
    public JobV1 cancelJob(String correlationId, String jobId) throws ApplicationException {
        return _management.cancelJob(correlationId, jobId);
    }

    @Override
    public JobV1 retryJob(String correlationId, String jobId) throws ApplicationException {
        return _management.retryJob(correlationId, jobId);
    }

    @Override
    public JobV1 rescheduleJob(String correlationId, String jobId, ZonedDateTime runAt, Long delay)
            throws ApplicationException {
        return _management.rescheduleJob(correlationId, jobId, runAt, delay);
    }

    @Override
    public boolean setPaused(String correlationId, String type, boolean paused) throws ApplicationException {
        return _management.setPaused(correlationId, type, paused);
    }

    @Override
    public JobV1 deleteJobById(String correlationId, String jobId) throws ApplicationException {
        return view(_persistence.deleteById(correlationId, jobId));
    }

    @Override
    public void deleteJobs(String correlationId) throws ApplicationException {
        _persistence.deleteAll(correlationId);
    }

    IJobsPersistence persistence() {
        return _persistence;
    }

    JobsWaitingRoom waitingRoom() {
        return _waitingRoom;
    }

    JobsOptions options() {
        return _options;
    }

    JobsTerms terms() {
        return _terms;
    }

    private JobV1 view(JobV1 job) {
        return JobsView.at(job, now(), _options.maxRetries());
    }

    private ZonedDateTime now() {
        return _terms.now();
    }

    private JobMoment moment(ZonedDateTime now) {
        return _terms.moment(now);
    }
}
