package org.servicejobs.logic;

import org.pipservices3.commons.convert.JsonConverter;
import org.pipservices3.commons.errors.BadRequestException;
import org.servicejobs.data.version1.JobBackoffV1;
import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The checks of a caller's input that a schema cannot state, each with its own error code, and
 * the job a {@link NewJobV1} makes. Lengths of text are counted in characters (code points);
 * sizes of JSON values in the bytes of their UTF-8 JSON text.
 */
final class JobsInput {
    /** The longest ttl, delay or wait accepted: 100 years, in ms. */
    static final long MAX_TTL = 36525L * 24 * 60 * 60 * 1000;
    static final long MAX_DELAY = MAX_TTL;
    static final int MAX_TYPE_LENGTH = 256;
    static final int MAX_REF_ID_LENGTH = 1024;
    static final int MAX_MAX_RETRIES = 1000;
    static final int MAX_PRIORITY = 1000;
    /** The largest result of complete_job, in bytes of JSON. */
    static final int MAX_RESULT_SIZE = 64 * 1024;
    /** The largest progress of extend_job, in bytes of JSON. */
    static final int MAX_PROGRESS_SIZE = 4 * 1024;

    /** The most jobs of an add or a complete batch. */
    static final int MAX_BATCH = 1000;
    /** The most jobs of a batch lease. */
    static final int MAX_LEASE_BATCH = 100;

    private JobsInput() {
    }

    /** One check of the item of a batch at an index. */
    @FunctionalInterface
    interface Check<T> {
        T run() throws BadRequestException;
    }

    /**
     * Runs the check of a batch's item; its refusal names the index: in its message
     * (<code>new_jobs[3]: ...</code>) and details (<code>index</code>), with the item's own code.
     */
    static <T> T atIndex(String correlationId, String name, int index, Check<T> check) throws BadRequestException {
        try {
            return check.run();
        } catch (BadRequestException ex) {
            BadRequestException named = new BadRequestException(correlationId, ex.getCode(),
                    name + "[" + index + "]: " + ex.getMessage());
            if (ex.getDetails() != null)
                ex.getDetails().forEach(named::withDetails);
            named.withDetails("index", index);
            throw named;
        }
    }

    /** Refuses a batch that is missing, empty, or longer than <code>max</code>, with 400 <code>INVALID_BATCH_SIZE</code>. */
    static void checkBatch(String correlationId, String name, List<?> items, int max) throws BadRequestException {
        if (items == null || items.isEmpty() || items.size() > max)
            throw invalid(correlationId, "INVALID_BATCH_SIZE", name + " must hold 1 to " + max + " items, not "
                    + (items == null ? 0 : items.size()), "max_size", max);
    }

    /** Refuses a lease count out of range with 400 <code>INVALID_COUNT</code>. */
    static void checkCount(String correlationId, int count, int max) throws BadRequestException {
        if (count < 1 || count > max)
            throw invalid(correlationId, "INVALID_COUNT", "count must be from 1 to " + max, "count", count);
    }

    /** Refuses a missing job id with 400 <code>MISSING_JOB_ID</code>. */
    static void checkJobId(String correlationId, String jobId) throws BadRequestException {
        if (jobId == null || jobId.isEmpty())
            throw invalid(correlationId, "MISSING_JOB_ID", "job_id must be a non-empty string", "property", "job_id");
    }

    /**
     * The job to store for a new job added at <code>now</code>: type and ref_id non-empty and not
     * too long, ttl from 0 (never expires) to {@link #MAX_TTL} turned into execute_until (which
     * counts from the add), max_retries from 1 to 1000 (else <code>defaultMaxRetries</code>, kept
     * on the job), run_at or delay (not both) turned into run_at, priority from -1000 to 1000,
     * and a backoff.
     */
    static JobV1 toJob(String correlationId, NewJobV1 newJob, ZonedDateTime now, int defaultMaxRetries)
            throws BadRequestException {
        if (newJob == null)
            throw new BadRequestException(correlationId, "MISSING_JOB", "new_job is required");
        String type = requireText(correlationId, "type", newJob.getType(), MAX_TYPE_LENGTH);
        String refId = requireText(correlationId, "ref_id", newJob.getRefId(), MAX_REF_ID_LENGTH);
        long ttl = newJob.getTtl() != null ? newJob.getTtl() : 0;
        if (ttl < 0 || ttl > MAX_TTL)
            throw invalid(correlationId, "INVALID_TTL", "ttl must be 0 (no expiry) or a number of ms up to " + MAX_TTL,
                    "ttl", ttl);
        Integer maxRetries = newJob.getMaxRetries();
        if (maxRetries != null && (maxRetries < 1 || maxRetries > MAX_MAX_RETRIES))
            throw invalid(correlationId, "INVALID_MAX_RETRIES", "max_retries must be from 1 to " + MAX_MAX_RETRIES,
                    "max_retries", maxRetries);
        Integer priority = newJob.getPriority();
        if (priority != null && (priority < -MAX_PRIORITY || priority > MAX_PRIORITY))
            throw invalid(correlationId, "INVALID_PRIORITY", "priority must be from " + -MAX_PRIORITY + " to "
                    + MAX_PRIORITY, "priority", priority);
        if (newJob.getRunAt() != null && newJob.getDelay() != null)
            throw invalid(correlationId, "INVALID_SCHEDULE", "give run_at or delay, not both", "delay", newJob.getDelay());
        JobV1 job = new JobV1(null, type, refId, newJob.getParams());
        job.setCreated(now);
        job.setExecuteUntil(ttl > 0 ? now.plus(ttl, ChronoUnit.MILLIS) : null);
        job.setRunAt(runAt(correlationId, newJob.getRunAt(), newJob.getDelay(), now));
        job.setMaxRetries(maxRetries != null ? maxRetries : defaultMaxRetries);
        job.setPriority(priority != null ? priority : 0);
        job.setBackoff(checkBackoff(correlationId, newJob.getBackoff()));
        return job;
    }

    /**
     * When a job may run: a run_at later than now, or now plus a delay; null (at once) for a
     * run_at in the past, a delay of 0, or neither.
     */
    static ZonedDateTime runAt(String correlationId, ZonedDateTime runAt, Long delay, ZonedDateTime now)
            throws BadRequestException {
        if (delay != null) {
            checkDelay(correlationId, delay);
            return delay == 0 ? null : now.plus(delay, ChronoUnit.MILLIS);
        }
        if (runAt == null)
            return null;
        if (runAt.isAfter(now.plus(MAX_DELAY, ChronoUnit.MILLIS)))
            throw invalid(correlationId, "INVALID_RUN_AT", "run_at must be within 100 years", "property", "run_at");
        return runAt.isAfter(now) ? runAt.truncatedTo(ChronoUnit.MILLIS) : null;
    }

    /** Refuses a reschedule without one of run_at and delay, or with both, with 400 <code>INVALID_SCHEDULE</code>. */
    static void checkSchedule(String correlationId, ZonedDateTime runAt, Long delay) throws BadRequestException {
        if ((runAt == null) == (delay == null))
            throw invalid(correlationId, "INVALID_SCHEDULE", "give run_at or delay (0: run now), one of them",
                    "delay", delay);
    }

    /** Refuses a type that is empty or too long, with the codes of new jobs. */
    static void checkType(String correlationId, String type) throws BadRequestException {
        requireText(correlationId, "type", type, MAX_TYPE_LENGTH);
    }

    /** Refuses a delay out of range with 400 <code>INVALID_DELAY</code>. */
    static void checkDelay(String correlationId, long delay) throws BadRequestException {
        if (delay < 0 || delay > MAX_DELAY)
            throw invalid(correlationId, "INVALID_DELAY", "delay must be a number of ms from 0 to " + MAX_DELAY,
                    "delay", delay);
    }

    /** Refuses a backoff that is not fixed or exponential, or a negative delay, with 400 <code>INVALID_BACKOFF</code>. */
    static JobBackoffV1 checkBackoff(String correlationId, JobBackoffV1 backoff) throws BadRequestException {
        if (backoff == null)
            return null;
        boolean known = JobBackoffV1.FIXED.equals(backoff.type()) || JobBackoffV1.EXPONENTIAL.equals(backoff.type());
        if (!known || backoff.delay() < 0 || backoff.delay() > MAX_DELAY
                || backoff.maxDelay() != null && (backoff.maxDelay() < 0 || backoff.maxDelay() > MAX_DELAY))
            throw invalid(correlationId, "INVALID_BACKOFF", "backoff needs a type (fixed or exponential), a delay and"
                    + " an optional max_delay in ms from 0 to " + MAX_DELAY, "property", "backoff");
        return backoff;
    }

    /** Refuses a lease time out of range with 400 <code>INVALID_TIMEOUT</code>. */
    static void checkTimeout(String correlationId, long timeout, long maxTimeout) throws BadRequestException {
        if (timeout < 1 || timeout > maxTimeout)
            throw (BadRequestException) new BadRequestException(correlationId, "INVALID_TIMEOUT",
                    "timeout must be a number of ms from 1 to " + maxTimeout)
                    .withDetails("timeout", timeout).withDetails("max_timeout", maxTimeout);
    }

    /** An attempt's error text, at most {@link JobErrorV1#MAX_LENGTH} characters, or <code>otherwise</code>. */
    static String error(String correlationId, String error, String otherwise) throws BadRequestException {
        if (error == null)
            return otherwise;
        if (error.codePointCount(0, error.length()) > JobErrorV1.MAX_LENGTH)
            throw invalid(correlationId, "ERROR_TOO_LONG", "error must be at most " + JobErrorV1.MAX_LENGTH
                    + " characters", "max_length", JobErrorV1.MAX_LENGTH);
        return error;
    }

    /** Refuses a JSON value larger than <code>maxSize</code> bytes of JSON with 400 <code>code</code>. */
    static void checkSize(String correlationId, String name, Object value, int maxSize, String code)
            throws BadRequestException {
        if (value == null)
            return;
        int size = jsonSize(correlationId, value);
        if (size > maxSize)
            throw invalid(correlationId, code, name + " must be at most " + maxSize + " bytes of JSON, not " + size,
                    "max_size", maxSize);
    }

    private static String requireText(String correlationId, String name, String value, int maxLength)
            throws BadRequestException {
        if (value == null || value.isBlank())
            throw (BadRequestException) new BadRequestException(correlationId, "MISSING_" + name.toUpperCase(),
                    name + " must be a non-empty string").withDetails("property", name);
        if (value.codePointCount(0, value.length()) > maxLength)
            throw (BadRequestException) new BadRequestException(correlationId, name.toUpperCase() + "_TOO_LONG",
                    name + " must be at most " + maxLength + " characters")
                    .withDetails("property", name).withDetails("max_length", maxLength);
        return value;
    }

    private static BadRequestException invalid(String correlationId, String code, String message, String key,
                                               Object value) {
        return (BadRequestException) new BadRequestException(correlationId, code, message).withDetails(key, value);
    }

    /** The size of a value's JSON text, in bytes. */
    private static int jsonSize(String correlationId, Object value) throws BadRequestException {
        try {
            return JsonConverter.toJson(value).getBytes(StandardCharsets.UTF_8).length;
        } catch (IOException ex) {
            throw (BadRequestException) new BadRequestException(correlationId, "INVALID_JSON_VALUE",
                    "The value cannot be written as JSON").withCause(ex);
        }
    }
}
