package org.servicejobs.clients.version1;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.JobsBatchV1;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The null client: nothing is stored, found or leased, and nothing fails. */
class JobsNullClientV1Test {
    private final IJobsClientV1 client = new JobsNullClientV1();

    @Test
    void returnsNullsAndEmptyPages() throws Exception {
        assertNull(client.addJob(null, TestData.NEW_JOB1));
        assertNull(client.addUniqJob(null, TestData.NEW_JOB1));
        assertNull(client.getJobById(null, "job-1"));
        assertNull(client.startJobById(null, "job-1", 1000));
        assertNull(client.startJobByType(null, "email", 1000));
        assertNull(client.startJobByType(null, "email", 1000, 5000));
        assertNull(client.extendJob(null, "job-1", 1000, "token"));
        assertNull(client.abortJob(null, "job-1", "token"));
        assertNull(client.completeJob(null, "job-1", "token"));
        assertNull(client.deleteJobById(null, "job-1"));
        assertDoesNotThrow(() -> client.deleteJobs(null));

        assertEquals(List.of(), client.addJobs(null, List.of(TestData.NEW_JOB1, TestData.NEW_JOB2)), "add_jobs");
        assertEquals(List.of(), client.startJobsByType(null, "email", 1000, 5, 0), "start_jobs_by_type");
        assertNull(client.extendJob(null, "job-1", 1000, "token", Map.of("done", 1)), "extend_job with progress");
        assertNull(client.abortJob(null, "job-1", "token", "busy", 1000L), "abort_job with error and delay");
        assertNull(client.completeJob(null, "job-1", "token", Map.of("ok", true)), "complete_job with result");
        JobsBatchV1 completed = client.completeJobs(null, List.of(new JobCompletionV1("job-1", "token", null)));
        assertTrue(completed.data().isEmpty(), "complete_jobs data");
        assertTrue(completed.errors() == null || completed.errors().isEmpty(), "complete_jobs errors");
        assertNull(client.failJob(null, "job-1", "token", "broken"), "fail_job");
        assertNull(client.cancelJob(null, "job-1"), "cancel_job");
        assertNull(client.retryJob(null, "job-1"), "retry_job");
        assertNull(client.rescheduleJob(null, "job-1", null, 1000L), "reschedule_job");
        assertEquals(Map.of(), client.getJobStats(null), "get_job_stats");
        assertTrue(client.pauseJobs(null, "email"), "pause_jobs answers paused");
        assertFalse(client.resumeJobs(null, "email"), "resume_jobs answers not paused");
        for (Executable call : JobsClientV1Fixture.everyOperation(client))
            assertDoesNotThrow(call);

        DataPage<JobV1> page = client.getJobs(null, FilterParams.fromTuples("type", "email"), null);
        assertTrue(page.getData().isEmpty());
        assertNull(page.getTotal());
        DataPage<JobV1> counted = client.getJobs(null, null, new PagingParams(0, 10, true));
        assertTrue(counted.getData().isEmpty());
        assertEquals(0L, counted.getTotal());
    }
}
