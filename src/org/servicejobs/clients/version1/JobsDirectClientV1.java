package org.servicejobs.clients.version1;

import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.refer.Descriptor;
import org.pipservices3.rpc.clients.DirectClient;
import org.pipservices3.rpc.services.InstrumentTiming;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.JobsBatchV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.logic.IJobsController;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/**
 * The jobs client for a service in the same process (an embedded container): calls the
 * controller directly.
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>dependencies.controller: override for the controller dependency</li>
 * </ul>
 * <p>
 * ### References ###
 * <ul>
 * <li>pip-services-jobs:controller:*:*:1.0 the jobs controller</li>
 * <li>*:logger:*:*:1.0, *:counters:*:*:1.0, *:tracer:*:*:1.0 (optional) logging, counters, traces</li>
 * </ul>
 */
public class JobsDirectClientV1 extends DirectClient<IJobsController> implements IJobsClientV1 {
    public JobsDirectClientV1() {
        _dependencyResolver.put("controller", new Descriptor("pip-services-jobs", "controller", "*", "*", "1.0"));
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws ApplicationException;
    }

    private <T> T call(String correlationId, String name, Call<T> call) throws ApplicationException {
        InstrumentTiming timing = instrument(correlationId, "jobs." + name);
        try {
            return call.run();
        } catch (ApplicationException | RuntimeException ex) {
            timing.endFailure(ex);
            throw ex;
        } finally {
            timing.endTiming();
        }
    }

    @Override
    public DataPage<JobV1> getJobs(String correlationId, FilterParams filter, PagingParams paging)
            throws ApplicationException {
        return call(correlationId, "get_jobs", () -> _controller.getJobs(correlationId, filter, paging));
    }

    @Override
    public JobV1 getJobById(String correlationId, String jobId) throws ApplicationException {
        return call(correlationId, "get_job_by_id", () -> _controller.getJobById(correlationId, jobId));
    }

    @Override
    public JobV1 addJob(String correlationId, NewJobV1 newJob) throws ApplicationException {
        return call(correlationId, "add_job", () -> _controller.addJob(correlationId, newJob));
    }

    @Override
    public List<JobV1> addJobs(String correlationId, List<NewJobV1> newJobs) throws ApplicationException {
        return call(correlationId, "add_jobs", () -> _controller.addJobs(correlationId, newJobs).data());
    }

    @Override
    public JobV1 addUniqJob(String correlationId, NewJobV1 newJob) throws ApplicationException {
        return call(correlationId, "add_uniq_job", () -> _controller.addUniqJob(correlationId, newJob));
    }

    @Override
    public JobV1 startJobById(String correlationId, String jobId, long timeout) throws ApplicationException {
        return call(correlationId, "start_job_by_id", () -> _controller.startJobById(correlationId, jobId, timeout));
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, long timeout, long wait) throws ApplicationException {
        return call(correlationId, "start_job_by_type",
                () -> _controller.startJobByType(correlationId, type, timeout, wait));
    }

    @Override
    public List<JobV1> startJobsByType(String correlationId, String type, long timeout, int count, long wait)
            throws ApplicationException {
        return call(correlationId, "start_jobs_by_type",
                () -> _controller.startJobsByType(correlationId, type, timeout, count, wait).data());
    }

    @Override
    public JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken, Object progress)
            throws ApplicationException {
        return call(correlationId, "extend_job",
                () -> _controller.extendJob(correlationId, jobId, timeout, lockToken, progress));
    }

    @Override
    public JobV1 abortJob(String correlationId, String jobId, String lockToken, String error, Long delay)
            throws ApplicationException {
        return call(correlationId, "abort_job", () -> _controller.abortJob(correlationId, jobId, lockToken, error, delay));
    }

    @Override
    public JobV1 completeJob(String correlationId, String jobId, String lockToken, Object result)
            throws ApplicationException {
        return call(correlationId, "complete_job", () -> _controller.completeJob(correlationId, jobId, lockToken, result));
    }

    @Override
    public JobsBatchV1 completeJobs(String correlationId, List<JobCompletionV1> jobs) throws ApplicationException {
        return call(correlationId, "complete_jobs", () -> _controller.completeJobs(correlationId, jobs));
    }

    @Override
    public JobV1 failJob(String correlationId, String jobId, String lockToken, String error)
            throws ApplicationException {
        return call(correlationId, "fail_job", () -> _controller.failJob(correlationId, jobId, lockToken, error));
    }

    @Override
    public JobV1 cancelJob(String correlationId, String jobId) throws ApplicationException {
        return call(correlationId, "cancel_job", () -> _controller.cancelJob(correlationId, jobId));
    }

    @Override
    public JobV1 retryJob(String correlationId, String jobId) throws ApplicationException {
        return call(correlationId, "retry_job", () -> _controller.retryJob(correlationId, jobId));
    }

    @Override
    public JobV1 rescheduleJob(String correlationId, String jobId, ZonedDateTime runAt, Long delay)
            throws ApplicationException {
        return call(correlationId, "reschedule_job", () -> _controller.rescheduleJob(correlationId, jobId, runAt, delay));
    }

    @Override
    public Map<String, JobTypeStatsV1> getJobStats(String correlationId) throws ApplicationException {
        return call(correlationId, "get_job_stats", () -> _controller.getJobStats(correlationId));
    }

    @Override
    public boolean pauseJobs(String correlationId, String type) throws ApplicationException {
        return call(correlationId, "pause_jobs", () -> _controller.setPaused(correlationId, type, true));
    }

    @Override
    public boolean resumeJobs(String correlationId, String type) throws ApplicationException {
        return call(correlationId, "resume_jobs", () -> _controller.setPaused(correlationId, type, false));
    }

    @Override
    public JobV1 deleteJobById(String correlationId, String jobId) throws ApplicationException {
        return call(correlationId, "delete_job_by_id", () -> _controller.deleteJobById(correlationId, jobId));
    }

    @Override
    public void deleteJobs(String correlationId) throws ApplicationException {
        call(correlationId, "delete_jobs", () -> {
            _controller.deleteJobs(correlationId);
            return null;
        });
    }
}
