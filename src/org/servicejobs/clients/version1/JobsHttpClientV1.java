package org.servicejobs.clients.version1;

import com.fasterxml.jackson.databind.JavaType;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.ConnectionException;
import org.pipservices3.commons.errors.InvalidStateException;
import org.pipservices3.rpc.clients.RestClient;
import org.pipservices3.rpc.services.InstrumentTiming;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.JobsBatchV1;
import org.servicejobs.data.version1.NewJobV1;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The jobs client over the HTTP protocol v1 (<code>POST /v1/jobs/&lt;command&gt;</code>, see
 * doc/HttpProtocolV1.md), on Pip's RestClient connection handling but with its own calls:
 * <ul>
 * <li>it fails fast: a dead service gives a ConnectionException (code <code>CONNECT_FAILED</code>,
 * <code>TIMEOUT</code>, or <code>CONNECTION_LOST</code> when the connection dropped after the
 * request went out) within the configured timeouts, never Jersey's raw ProcessingException;</li>
 * <li>only the read-only commands (get_jobs, get_job_by_id) are retried, after a short pause,
 * and only on a ConnectionException; a command that changes state is sent once, as the caller
 * cannot know whether a lost call took effect;</li>
 * <li>a service error comes back as the matching typed exception (NotFoundException,
 * ConflictException, BadRequestException...) with its status, code, details and correlation id;
 * 204 is <code>null</code>;</li>
 * <li>paging is sent with its <code>total</code> flag; a long-poll's read timeout covers its wait.</li>
 * </ul>
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>base_route: base route of the service (default v1/jobs)</li>
 * <li>connection(s):
 * <ul>
 * <li>discovery_key: (optional) a key to retrieve the connection from IDiscovery</li>
 * <li>protocol: http or https</li>
 * <li>host: host name or IP address</li>
 * <li>port: port number</li>
 * <li>uri: resource URI or connection string with all parameters in it</li>
 * </ul></li>
 * <li>options:
 * <ul>
 * <li>connect_timeout: ms to open a connection (default 5000)</li>
 * <li>timeout: ms to wait for an answer (default 10000); a start_job_by_type waits its
 * <code>wait</code> on top</li>
 * <li>retries: retries of a read-only command that could not reach the service (default 1)</li>
 * <li>correlation_id_place: where the correlation id goes: query, headers or both (default query)</li>
 * </ul></li>
 * </ul>
 * <p>
 * ### References ###
 * <ul>
 * <li>*:logger:*:*:1.0 (optional) ILogger components to pass log messages</li>
 * <li>*:counters:*:*:1.0 (optional) ICounters components to pass collected measurements</li>
 * <li>*:tracer:*:*:1.0 (optional) ITracer components to record traces</li>
 * <li>*:discovery:*:*:1.0 (optional) IDiscovery services to resolve the connection</li>
 * </ul>
 */
public class JobsHttpClientV1 extends RestClient implements IJobsClientV1 {
    public static final String DEFAULT_BASE_ROUTE = "v1/jobs";
    public static final long DEFAULT_CONNECT_TIMEOUT = 5_000;
    public static final long DEFAULT_TIMEOUT = 10_000;
    public static final int DEFAULT_RETRIES = 1;
    /** The pause before a read-only command is retried, in ms. */
    public static final long RETRY_DELAY = 200;

    private static final ConfigParams DEFAULTS = ConfigParams.fromTuples(
            "options.connect_timeout", DEFAULT_CONNECT_TIMEOUT,
            "options.timeout", DEFAULT_TIMEOUT,
            "options.retries", DEFAULT_RETRIES);
    private static final JavaType JOB = JsonCommandCalls.type(JobV1.class);
    private static final JavaType JOB_PAGE = JsonCommandCalls.type(DataPage.class, JobV1.class);
    private static final JavaType BATCH = JsonCommandCalls.type(JobsBatchV1.class);
    private static final JavaType STATS = JsonCommandCalls.type(Map.class, String.class, JobTypeStatsV1.class);
    private static final JavaType PAUSED = JsonCommandCalls.type(Map.class, String.class, Object.class);
    private static final DateTimeFormatter WIRE_DATE = DateTimeFormatter.ofPattern(JobV1.DATE_PATTERN)
            .withZone(ZoneOffset.UTC);

    public JobsHttpClientV1() {
        super(DEFAULT_BASE_ROUTE);
        _connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        _timeout = DEFAULT_TIMEOUT;
        _retries = DEFAULT_RETRIES;
    }

    @Override
    public void configure(ConfigParams config) {
        // RestClient's own defaults (3 retries, 10 s to connect) would apply to what config leaves out.
        super.configure(config.setDefaults(DEFAULTS));
    }

    @Override
    public void open(String correlationId) throws ApplicationException {
        if (_connectTimeout < 1 || _connectTimeout > Integer.MAX_VALUE || _timeout < 1 || _timeout > Integer.MAX_VALUE)
            throw new ConfigException(correlationId, "INVALID_TIMEOUT",
                    "options.connect_timeout and options.timeout must be from 1 to " + Integer.MAX_VALUE + " ms");
        if (_retries < 0)
            throw new ConfigException(correlationId, "INVALID_RETRIES", "options.retries must be 0 or more");
        super.open(correlationId);
    }

    @Override
    public DataPage<JobV1> getJobs(String correlationId, FilterParams filter, PagingParams paging)
            throws ApplicationException {
        Map<String, Object> pagingMap = null;
        if (paging != null) {
            // PagingParams itself serializes without its total flag.
            pagingMap = new LinkedHashMap<>();
            if (paging.getSkip() != null)
                pagingMap.put("skip", paging.getSkip());
            if (paging.getTake() != null)
                pagingMap.put("take", paging.getTake());
            pagingMap.put("total", paging.hasTotal());
        }
        return call(correlationId, "get_jobs", true, 0, JOB_PAGE,
                "filter", filter != null ? new LinkedHashMap<>(filter) : null, "paging", pagingMap);
    }

    @Override
    public JobV1 getJobById(String correlationId, String jobId) throws ApplicationException {
        return call(correlationId, "get_job_by_id", true, 0, JOB, "job_id", jobId);
    }

    @Override
    public JobV1 addJob(String correlationId, NewJobV1 newJob) throws ApplicationException {
        return call(correlationId, "add_job", false, 0, JOB, "new_job", newJob);
    }

    @Override
    public List<JobV1> addJobs(String correlationId, List<NewJobV1> newJobs) throws ApplicationException {
        return jobs(call(correlationId, "add_jobs", false, 0, BATCH, "new_jobs", newJobs));
    }

    @Override
    public JobV1 addUniqJob(String correlationId, NewJobV1 newJob) throws ApplicationException {
        return call(correlationId, "add_uniq_job", false, 0, JOB, "new_job", newJob);
    }

    @Override
    public JobV1 startJobById(String correlationId, String jobId, long timeout) throws ApplicationException {
        return call(correlationId, "start_job_by_id", false, 0, JOB, "job_id", jobId, "timeout", timeout);
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, long timeout, long wait)
            throws ApplicationException {
        return call(correlationId, "start_job_by_type", false, Math.max(0, wait), JOB,
                "type", type, "timeout", timeout, "wait", wait != 0 ? wait : null);
    }

    @Override
    public List<JobV1> startJobsByType(String correlationId, String type, long timeout, int count, long wait)
            throws ApplicationException {
        return jobs(call(correlationId, "start_jobs_by_type", false, Math.max(0, wait), BATCH,
                "type", type, "timeout", timeout, "count", count, "wait", wait != 0 ? wait : null));
    }

    @Override
    public JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken, Object progress)
            throws ApplicationException {
        return call(correlationId, "extend_job", false, 0, JOB,
                "job_id", jobId, "timeout", timeout, "lock_token", lockToken, "progress", progress);
    }

    @Override
    public JobV1 abortJob(String correlationId, String jobId, String lockToken, String error, Long delay)
            throws ApplicationException {
        return call(correlationId, "abort_job", false, 0, JOB, "job_id", jobId, "lock_token", lockToken,
                "error", error, "delay", delay);
    }

    @Override
    public JobV1 completeJob(String correlationId, String jobId, String lockToken, Object result)
            throws ApplicationException {
        return call(correlationId, "complete_job", false, 0, JOB, "job_id", jobId, "lock_token", lockToken,
                "result", result);
    }

    @Override
    public JobsBatchV1 completeJobs(String correlationId, List<JobCompletionV1> jobs) throws ApplicationException {
        return call(correlationId, "complete_jobs", false, 0, BATCH, "jobs", jobs);
    }

    @Override
    public JobV1 failJob(String correlationId, String jobId, String lockToken, String error)
            throws ApplicationException {
        return call(correlationId, "fail_job", false, 0, JOB, "job_id", jobId, "lock_token", lockToken, "error", error);
    }

    @Override
    public JobV1 cancelJob(String correlationId, String jobId) throws ApplicationException {
        return call(correlationId, "cancel_job", false, 0, JOB, "job_id", jobId);
    }

    @Override
    public JobV1 retryJob(String correlationId, String jobId) throws ApplicationException {
        return call(correlationId, "retry_job", false, 0, JOB, "job_id", jobId);
    }

    @Override
    public JobV1 rescheduleJob(String correlationId, String jobId, ZonedDateTime runAt, Long delay)
            throws ApplicationException {
        return call(correlationId, "reschedule_job", false, 0, JOB, "job_id", jobId,
                "run_at", runAt == null ? null : WIRE_DATE.format(runAt), "delay", delay);
    }

    @Override
    public Map<String, JobTypeStatsV1> getJobStats(String correlationId) throws ApplicationException {
        Map<String, JobTypeStatsV1> stats = call(correlationId, "get_job_stats", true, 0, STATS);
        return stats == null ? Map.of() : stats;
    }

    @Override
    public boolean pauseJobs(String correlationId, String type) throws ApplicationException {
        return paused(call(correlationId, "pause_jobs", false, 0, PAUSED, "type", type));
    }

    @Override
    public boolean resumeJobs(String correlationId, String type) throws ApplicationException {
        return paused(call(correlationId, "resume_jobs", false, 0, PAUSED, "type", type));
    }

    @Override
    public JobV1 deleteJobById(String correlationId, String jobId) throws ApplicationException {
        return call(correlationId, "delete_job_by_id", false, 0, JOB, "job_id", jobId);
    }

    @Override
    public void deleteJobs(String correlationId) throws ApplicationException {
        call(correlationId, "delete_jobs", false, 0, JOB);
    }

    private static List<JobV1> jobs(JobsBatchV1 batch) {
        return batch == null ? List.of() : batch.data();
    }

    private static boolean paused(Map<String, Object> answer) {
        return answer != null && Boolean.TRUE.equals(answer.get("paused"));
    }

    /**
     * Calls a command with the parameters given as name, value pairs (a null value is left out).
     *
     * @param readOnly  whether the command may be retried when the service cannot be reached.
     * @param extraWait ms the service may hold the call on purpose, added to the read timeout.
     * @return the answer, or null for 204.
     */
    private <T> T call(String correlationId, String command, boolean readOnly, long extraWait, JavaType type,
                       Object... params) throws ApplicationException {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i + 1 < params.length; i += 2) {
            if (params[i + 1] != null)
                body.put((String) params[i], params[i + 1]);
        }
        InstrumentTiming timing = instrument(correlationId, "jobs." + command);
        try {
            byte[] json = JsonCommandCalls.write(correlationId, body);
            int readTimeout = (int) Math.min(Integer.MAX_VALUE, _timeout + extraWait);
            for (int attempt = 0; ; attempt++) {
                try {
                    String text = post(correlationId, command, json, readTimeout);
                    return text == null ? null : JsonCommandCalls.read(correlationId, text, type);
                } catch (ConnectionException ex) {
                    if (!readOnly || attempt >= _retries)
                        throw ex;
                    _logger.debug(correlationId, "Retrying %s after: %s", command, ex.getMessage());
                    pause(ex);
                }
            }
        } catch (ApplicationException ex) {
            timing.endFailure(ex);
            throw ex;
        } finally {
            timing.endTiming();
        }
    }

    private String post(String correlationId, String command, byte[] json, int readTimeout)
            throws ApplicationException {
        var client = _client;
        String url = _url;
        if (client == null || url == null)
            throw new InvalidStateException(correlationId, "NOT_OPENED", "The jobs client is not opened");
        boolean inQuery = !"headers".equalsIgnoreCase(_correlationIdLocation);
        boolean inHeader = "headers".equalsIgnoreCase(_correlationIdLocation)
                || "both".equalsIgnoreCase(_correlationIdLocation);
        StringBuilder uri = new StringBuilder(url);
        if (_baseRoute != null && !_baseRoute.isBlank())
            uri.append(_baseRoute.startsWith("/") ? "" : "/").append(_baseRoute);
        uri.append('/').append(command);
        if (correlationId != null && inQuery)
            uri.append("?correlation_id=").append(URLEncoder.encode(correlationId, StandardCharsets.UTF_8));
        MultivaluedMap<String, Object> headers = new MultivaluedHashMap<>(_headers);
        if (correlationId != null && inHeader)
            headers.putSingle("correlation_id", correlationId);
        return JsonCommandCalls.post(client, URI.create(uri.toString()), headers, json, (int) _connectTimeout,
                readTimeout, correlationId);
    }

    private static void pause(ConnectionException failure) throws ConnectionException {
        try {
            Thread.sleep(RETRY_DELAY);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw failure;
        }
    }
}
