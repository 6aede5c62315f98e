package org.servicejobs.logic;

import org.pipservices3.commons.errors.BadRequestException;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * The checks of a caller's input that a schema cannot state, each with its own error code, and
 * the job a {@link NewJobV1} makes.
 */
final class JobsInput {
    /** The longest ttl accepted: 100 years, in ms. */
    static final long MAX_TTL = 36525L * 24 * 60 * 60 * 1000;
    static final int MAX_TYPE_LENGTH = 256;
    static final int MAX_REF_ID_LENGTH = 1024;

    private JobsInput() {
    }

    /**
     * The job to store for a new job added at <code>now</code>: type and ref_id non-empty and not
     * too long, ttl from 0 (never expires) to {@link #MAX_TTL}, turned into execute_until.
     */
    static JobV1 toJob(String correlationId, NewJobV1 newJob, ZonedDateTime now) throws BadRequestException {
        if (newJob == null)
            throw new BadRequestException(correlationId, "MISSING_JOB", "new_job is required");
        String type = requireText(correlationId, "type", newJob.getType(), MAX_TYPE_LENGTH);
        String refId = requireText(correlationId, "ref_id", newJob.getRefId(), MAX_REF_ID_LENGTH);
        long ttl = newJob.getTtl() != null ? newJob.getTtl() : 0;
        if (ttl < 0 || ttl > MAX_TTL)
            throw (BadRequestException) new BadRequestException(correlationId, "INVALID_TTL",
                    "ttl must be 0 (no expiry) or a number of ms up to " + MAX_TTL).withDetails("ttl", ttl);
        JobV1 job = new JobV1(null, type, refId, newJob.getParams());
        job.setCreated(now);
        job.setExecuteUntil(ttl > 0 ? now.plus(ttl, ChronoUnit.MILLIS) : null);
        return job;
    }

    /** Refuses a lease time out of range with 400 <code>INVALID_TIMEOUT</code>. */
    static void checkTimeout(String correlationId, long timeout, long maxTimeout) throws BadRequestException {
        if (timeout < 1 || timeout > maxTimeout)
            throw (BadRequestException) new BadRequestException(correlationId, "INVALID_TIMEOUT",
                    "timeout must be a number of ms from 1 to " + maxTimeout)
                    .withDetails("timeout", timeout).withDetails("max_timeout", maxTimeout);
    }

    private static String requireText(String correlationId, String name, String value, int maxLength)
            throws BadRequestException {
        if (value == null || value.isBlank())
            throw (BadRequestException) new BadRequestException(correlationId, "MISSING_" + name.toUpperCase(),
                    name + " must be a non-empty string").withDetails("property", name);
        if (value.length() > maxLength)
            throw (BadRequestException) new BadRequestException(correlationId, name.toUpperCase() + "_TOO_LONG",
                    name + " must be at most " + maxLength + " characters")
                    .withDetails("property", name).withDetails("max_length", maxLength);
        return value;
    }
}
