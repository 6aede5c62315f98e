package org.servicejobs.logic;

import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobBatchErrorV1;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.JobsBatchV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.persistence.JobLease;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The batch calls of the controller: many jobs per call, each on the rules of its single call.
 * An add is all or none (every job checked first); a lease takes up to its count, each job with
 * its own lock token; a complete completes each job it can and says why it could not for the
 * others, by index.
 */
final class JobsBatches {
    private final JobsController _controller;

    JobsBatches(JobsController controller) {
        _controller = controller;
    }

    JobsBatchV1 addJobs(String correlationId, List<NewJobV1> newJobs) throws ApplicationException {
        JobsInput.checkBatch(correlationId, "new_jobs", newJobs, JobsInput.MAX_BATCH);
        ZonedDateTime now = _controller.terms().now();
        int maxRetries = _controller.options().maxRetries();
        List<JobV1> jobs = new ArrayList<>(newJobs.size());
        for (int i = 0; i < newJobs.size(); i++) {
            NewJobV1 newJob = newJobs.get(i);
            jobs.add(JobsInput.atIndex(correlationId, "new_jobs", i,
                    () -> JobsInput.toJob(correlationId, newJob, now, maxRetries)));
        }
        List<JobV1> added = _controller.persistence().createMany(correlationId, jobs);
        added.stream().map(JobV1::getType).distinct().forEach(_controller.waitingRoom()::signal);
        return JobsBatchV1.of(JobsView.at(added, now, maxRetries));
    }

    JobsBatchV1 startJobsByType(String correlationId, String type, long timeout, int count, long wait)
            throws ApplicationException {
        JobsInput.checkTimeout(correlationId, timeout, _controller.options().maxTimeout());
        JobsInput.checkCount(correlationId, count, JobsInput.MAX_LEASE_BATCH);
        _controller.waitingRoom().checkWait(correlationId, wait);
        List<JobV1> jobs = _controller.waitingRoom().tryAndWait(correlationId, type, wait, () -> {
            List<JobLease> leases = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
                leases.add(_controller.terms().lease(timeout));
            List<JobV1> leased = _controller.persistence().startJobsByType(correlationId, type, leases);
            return leased.isEmpty() ? null
                    : JobsView.at(leased, leases.get(0).now(), _controller.options().maxRetries());
        });
        return JobsBatchV1.of(jobs == null ? List.of() : jobs);
    }

    JobsBatchV1 completeJobs(String correlationId, List<JobCompletionV1> jobs) throws ApplicationException {
        JobsInput.checkBatch(correlationId, "jobs", jobs, JobsInput.MAX_BATCH);
        for (int i = 0; i < jobs.size(); i++) {
            JobCompletionV1 job = jobs.get(i);
            JobsInput.atIndex(correlationId, "jobs", i, () -> {
                JobsInput.checkJobId(correlationId, job.jobId());
                JobsInput.checkSize(correlationId, "result", job.result(), JobsInput.MAX_RESULT_SIZE, "RESULT_TOO_LARGE");
                return job;
            });
        }
        ZonedDateTime now = _controller.terms().now();
        List<JobV1> done = _controller.persistence().completeJobs(correlationId, jobs, now);
        List<JobBatchErrorV1> errors = new ArrayList<>();
        for (int i = 0; i < done.size(); i++) {
            if (done.get(i) != null)
                continue;
            String jobId = jobs.get(i).jobId();
            ApplicationException refusal = JobRefusals.ofFinish(correlationId, jobId,
                    _controller.persistence().getOneById(correlationId, jobId), jobs.get(i).lockToken());
            if (refusal == null)
                refusal = JobRefusals.changedMeanwhile(correlationId, jobId);
            errors.add(new JobBatchErrorV1(i, refusal.getCode(), refusal.getMessage()));
        }
        return new JobsBatchV1(JobsView.at(done, now, _controller.options().maxRetries()), errors);
    }
}
