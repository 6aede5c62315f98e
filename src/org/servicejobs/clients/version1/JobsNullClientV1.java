package org.servicejobs.clients.version1;

import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;

import java.util.List;

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
    public JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken) {
        return null;
    }

    @Override
    public JobV1 abortJob(String correlationId, String jobId, String lockToken) {
        return null;
    }

    @Override
    public JobV1 completeJob(String correlationId, String jobId, String lockToken) {
        return null;
    }

    @Override
    public JobV1 deleteJobById(String correlationId, String jobId) {
        return null;
    }

    @Override
    public void deleteJobs(String correlationId) {
    }
}
