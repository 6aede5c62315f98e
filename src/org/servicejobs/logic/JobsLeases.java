package org.servicejobs.logic;

import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobAbort;
import org.servicejobs.persistence.JobLease;

import java.time.temporal.ChronoUnit;
import java.util.Set;

/**
 * A worker's calls on its leases, one job each: lease by id or by type (a long-poll), extend,
 * abort, complete and fail. Each checks its input ({@link JobsInput}), takes its terms from
 * {@link JobsTerms}, asks the store once, and when the store refuses says why
 * ({@link JobRefusals}). A change that may free a job wakes the long-polls of its type.
 */
final class JobsLeases {
    /** Errors recorded when an abort or a fail gives none. */
    static final String ABORTED = "aborted";
    static final String FAILED = "failed";

    private final JobsController _controller;

    JobsLeases(JobsController controller) {
        _controller = controller;
    }

    JobV1 startJobById(String correlationId, String jobId, long timeout) throws ApplicationException {
        JobsInput.checkTimeout(correlationId, timeout, maxTimeout());
        for (int attempt = 1; ; attempt++) {
            JobLease lease = terms().lease(timeout);
            JobV1 job = store().startJobById(correlationId, jobId, lease);
            if (job != null)
                return JobsView.at(job, lease.now(), maxRetries());
            Set<String> paused = store().getPausedTypes(correlationId);
            ApplicationException refusal = JobRefusals.ofLease(correlationId, jobId,
                    store().getOneById(correlationId, jobId), lease.now(), lease.maxRetries(), paused);
            if (refusal != null)
                throw refusal;
            if (attempt == JobRefusals.MAX_ATTEMPTS)
                throw JobRefusals.changedMeanwhile(correlationId, jobId);
        }
    }

    JobV1 startJobByType(String correlationId, String type, long timeout, long wait)
            throws ApplicationException {
        JobsInput.checkTimeout(correlationId, timeout, maxTimeout());
        waitingRoom().checkWait(correlationId, wait);
        return waitingRoom().tryAndWait(correlationId, type, wait, () -> {
            JobLease lease = terms().lease(timeout);
            return JobsView.at(store().startJobByType(correlationId, type, lease), lease.now(), maxRetries());
        });
    }

    JobV1 extendJob(String correlationId, String jobId, long timeout, String lockToken, Object progress)
            throws ApplicationException {
        JobsInput.checkTimeout(correlationId, timeout, maxTimeout());
        JobsInput.checkSize(correlationId, "progress", progress, JobsInput.MAX_PROGRESS_SIZE, "PROGRESS_TOO_LARGE");
        return finish(correlationId, jobId, lockToken, now -> store().extendJob(correlationId, jobId, lockToken,
                now.plus(timeout, ChronoUnit.MILLIS), progress));
    }

    JobV1 abortJob(String correlationId, String jobId, String lockToken, String error, Long delay)
            throws ApplicationException {
        String text = JobsInput.error(correlationId, error, ABORTED);
        if (delay != null)
            JobsInput.checkDelay(correlationId, delay);
        JobV1 job = finish(correlationId, jobId, lockToken, now -> store().abortJob(correlationId, jobId,
                lockToken, new JobAbort(now, text, delay, maxRetries(), terms().retry())));
        waitingRoom().signal(job.getType());
        return job;
    }

    JobV1 completeJob(String correlationId, String jobId, String lockToken, Object result)
            throws ApplicationException {
        JobsInput.checkSize(correlationId, "result", result, JobsInput.MAX_RESULT_SIZE, "RESULT_TOO_LARGE");
        return finish(correlationId, jobId, lockToken,
                now -> store().completeJob(correlationId, jobId, lockToken, now, result));
    }

    JobV1 failJob(String correlationId, String jobId, String lockToken, String error)
            throws ApplicationException {
        String text = JobsInput.error(correlationId, error, FAILED);
        return finish(correlationId, jobId, lockToken,
                now -> store().failJob(correlationId, jobId, lockToken, now, text));
    }

    /** A change of the holder of a lease, with its refusal explained (see {@link JobRefusals#ofFinish}). */
    private JobV1 finish(String correlationId, String jobId, String lockToken, JobRefusals.Change change)
            throws ApplicationException {
        return JobRefusals.changeOrExplain(correlationId, jobId, store(), terms(), change,
                (job, now) -> JobRefusals.ofFinish(correlationId, jobId, job, lockToken));
    }


    private IJobsPersistence store() {
        return _controller.persistence();
    }

    private JobsTerms terms() {
        return _controller.terms();
    }

    private JobsWaitingRoom waitingRoom() {
        return _controller.waitingRoom();
    }

    private int maxRetries() {
        return _controller.options().maxRetries();
    }

    private long maxTimeout() {
        return _controller.options().maxTimeout();
    }
}
