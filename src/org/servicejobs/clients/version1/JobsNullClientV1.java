package org.servicejobs.clients.version1;

import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.JobsBatchV1;
import org.servicejobs.data.version1.NewJobV1;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/**
 * A jobs client that does nothing: no job is stored, found or leased. For tests and for
 * configurations that turn the jobs service off.
 */
public class JobsNullClientV1 implements IJobsClientV1 {
    @Override
    public DataPage<JobV1> getJobs(String correlationId, FilterParams filter, PagingParams paging) {
        return new DataPage<>(List.of(), paging != null && paging.hasTotal() ? 0L : null);
    }

    @Override
    public JobV1 getJobById(String correlationId, String jobId) {
        return null;
    }

    @Override
    public JobV1 addJob(String correlationId, NewJobV1 newJob) {
        return null;
    }

    @Override
    public List<JobV1> addJobs(String correlationId, List<NewJobV1> newJobs) {
        return List.of();
    }

    @Override
    public JobV1 addUniqJob(String correlationId, NewJobV1 newJob) {
        return null;
    }

    @Override
    public JobV1 startJobById(String correlationId, String jobId, long timeout) {
        return null;
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, long timeout, long wait) {
        return null;
    }

    @Override
    public List<JobV1> startJobsByType(String correlationId, String type, long timeout, int count, long wait) {
        return List.of();
    }

    @Override
    public JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken, Object progress) {
        return null;
    }

    @Override
    public JobV1 abortJob(String correlationId, String jobId, String lockToken, String error, Long delay) {
        return null;
    }

    @Override
    public JobV1 completeJob(String correlationId, String jobId, String lockToken, Object result) {
        return null;
    }

    @Override
    public JobsBatchV1 completeJobs(String correlationId, List<JobCompletionV1> jobs) {
        return JobsBatchV1.of(List.of());
    }

    @Override
    public JobV1 failJob(String correlationId, String jobId, String lockToken, String error) {
        return null;
    }

    @Override
    public JobV1 cancelJob(String correlationId, String jobId) {
        return null;
    }

    @Override
    public JobV1 retryJob(String correlationId, String jobId) {
        return null;
    }

    @Override
    public JobV1 rescheduleJob(String correlationId, String jobId, ZonedDateTime runAt, Long delay) {
        return null;
    }

    @Override
    public Map<String, JobTypeStatsV1> getJobStats(String correlationId) {
        return Map.of();
    }

    @Override
    public boolean pauseJobs(String correlationId, String type) {
        return true;
    }

    @Override
    public boolean resumeJobs(String correlationId, String type) {
        return false;
    }

    @Override
    public JobV1 deleteJobById(String correlationId, String jobId) {
        return null;
    }

    @Override
    public void deleteJobs(String correlationId) {
    }
}
