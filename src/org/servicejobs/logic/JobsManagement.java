package org.servicejobs.logic;

import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;

/**
 * The calls of the controller that an operator makes rather than a worker: cancel, retry and
 * reschedule a job by its state (each refusal explained by {@link JobRefusals}), and pause or
 * resume the leases of a type. A change that may free a job wakes the long-polls of its type.
 */
final class JobsManagement {
    private final JobsController _controller;

    JobsManagement(JobsController controller) {
        _controller = controller;
    }

    JobV1 cancelJob(String correlationId, String jobId) throws ApplicationException {
        return byState(correlationId, jobId,
                now -> _controller.persistence().cancelJob(correlationId, jobId, _controller.terms().moment(now)),
                (job, now) -> JobRefusals.ofCancel(correlationId, jobId, job, now, maxRetries()));
    }

    JobV1 retryJob(String correlationId, String jobId) throws ApplicationException {
        JobV1 job = byState(correlationId, jobId,
                now -> _controller.persistence().retryJob(correlationId, jobId, _controller.terms().moment(now)),
                (found, now) -> JobRefusals.ofRetry(correlationId, jobId, found, now, maxRetries()));
        _controller.waitingRoom().signal(job.getType());
        return job;
    }

    JobV1 rescheduleJob(String correlationId, String jobId, ZonedDateTime runAt, Long delay)
            throws ApplicationException {
        JobsInput.checkSchedule(correlationId, runAt, delay);
        JobV1 job = byState(correlationId, jobId, now -> _controller.persistence().rescheduleJob(correlationId, jobId,
                        JobsInput.runAt(correlationId, runAt, delay, now), _controller.terms().moment(now)),
                (found, now) -> JobRefusals.ofReschedule(correlationId, jobId, found, now, maxRetries()));
        _controller.waitingRoom().signal(job.getType());
        return job;
    }

    boolean setPaused(String correlationId, String type, boolean paused) throws ApplicationException {
        JobsInput.checkType(correlationId, type);
        boolean result = _controller.persistence().setPaused(correlationId, type, paused);
        if (!paused)
            _controller.waitingRoom().signal(type);
        return result;
    }

    private JobV1 byState(String correlationId, String jobId, JobRefusals.Change change, JobRefusals.Refusal refusal)
            throws ApplicationException {
        return JobRefusals.changeOrExplain(correlationId, jobId, _controller.persistence(), _controller.terms(),
                change, refusal);
    }

    private int maxRetries() {
        return _controller.options().maxRetries();
    }
}
