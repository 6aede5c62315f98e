package org.servicejobs.clients.version1;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobV1;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

        DataPage<JobV1> page = client.getJobs(null, FilterParams.fromTuples("type", "email"), null);
        assertTrue(page.getData().isEmpty());
        assertNull(page.getTotal());
        DataPage<JobV1> counted = client.getJobs(null, null, new PagingParams(0, 10, true));
        assertTrue(counted.getData().isEmpty());
        assertEquals(0L, counted.getTotal());
    }
}
