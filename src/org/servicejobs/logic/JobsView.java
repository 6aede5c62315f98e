package org.servicejobs.logic;

import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.servicejobs.data.version1.JobState.millis;

/**
 * A job as the controller answers it, at the moment of the answer: its {@link JobState}, its
 * retry limit (its own, or the default), when it failed (also for a failure no write recorded:
 * its ttl, its last lease), and the error of a lease that ran out unfinished, which the store
 * records only when it next touches the job.
 */
final class JobsView {
    private JobsView() {
    }

    /** The job with the fields taken at <code>now</code>; the same object, or null for null. */
    static JobV1 at(JobV1 job, ZonedDateTime now, int defaultMaxRetries) {
        if (job == null)
            return null;
        int maxRetries = JobState.maxRetries(job.getMaxRetries(), defaultMaxRetries);
        JobState state = JobState.of(job, now, defaultMaxRetries);
        JobErrorV1 lost = JobState.lostLease(millis(job.getStarted()), millis(job.getCompleted()),
                millis(job.getFailed()), millis(job.getCancelled()), millis(job.getLockedUntil()), job.getRetries(),
                millis(now));
        job.setState(state);
        job.setMaxRetries(maxRetries);
        if (state == JobState.FAILED && job.getFailed() == null)
            job.setFailed(JobState.date(JobState.failedAt(JobState.NONE, millis(job.getLockedUntil()),
                    millis(job.getExecuteUntil()), millis(job.getCreated()), job.getRetries(), maxRetries)));
        if (lost != null) {
            List<JobErrorV1> errors = new ArrayList<>(job.getErrors());
            errors.add(lost);
            job.setErrors(errors.subList(Math.max(0, errors.size() - JobErrorV1.MAX_KEPT), errors.size()));
        }
        return job;
    }

    /** Every job of a list at <code>now</code> (nulls stay null). */
    static List<JobV1> at(List<JobV1> jobs, ZonedDateTime now, int defaultMaxRetries) {
        for (JobV1 job : jobs)
            at(job, now, defaultMaxRetries);
        return jobs;
    }
}
