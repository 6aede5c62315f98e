package org.servicejobs.logic;

import org.pipservices3.commons.convert.DateTimeConverter;
import org.pipservices3.commons.data.AnyValueMap;
import org.pipservices3.commons.errors.BadRequestException;
import org.servicejobs.data.version1.JobBackoffV1;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.NewJobV1;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parameters of the commands, as the HTTP service passes them (maps, JSON numbers and
 * strings), turned into the controller's types. A value of the wrong JSON type is refused with
 * 400 and a code that names the parameter (<code>INVALID_TIMEOUT</code>, <code>INVALID_RUN_AT</code>,
 * ...): never coerced, never ignored.
 */
final class JobsCommandArgs {
    private JobsCommandArgs() {
    }

    /** The new job of <code>name</code> (a map). */
    static NewJobV1 newJob(String correlationId, AnyValueMap args, String name) throws BadRequestException {
        Object value = args.get(name);
        if (!(value instanceof Map<?, ?>))
            throw invalid(correlationId, name, value, "must be an object");
        return newJob(correlationId, AnyValueMap.fromValue(value));
    }

    /** The new jobs of <code>name</code> (an array of maps); a bad item is refused with its index. */
    static List<NewJobV1> newJobs(String correlationId, AnyValueMap args, String name) throws BadRequestException {
        List<?> items = array(correlationId, args, name);
        JobsInput.checkBatch(correlationId, name, items, JobsInput.MAX_BATCH);
        List<NewJobV1> jobs = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            jobs.add(JobsInput.atIndex(correlationId, name, i, () -> {
                if (!(item instanceof Map<?, ?>))
                    throw invalid(correlationId, name, item, "items must be objects");
                return newJob(correlationId, AnyValueMap.fromValue(item));
            }));
        }
        return jobs;
    }

    /** The jobs to complete of <code>name</code> (an array of {job_id, lock_token, result}). */
    static List<JobCompletionV1> completions(String correlationId, AnyValueMap args, String name)
            throws BadRequestException {
        List<?> items = array(correlationId, args, name);
        JobsInput.checkBatch(correlationId, name, items, JobsInput.MAX_BATCH);
        List<JobCompletionV1> jobs = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            jobs.add(JobsInput.atIndex(correlationId, name, i, () -> {
                if (!(item instanceof Map<?, ?>))
                    throw invalid(correlationId, name, item, "items must be objects");
                AnyValueMap job = AnyValueMap.fromValue(item);
                return new JobCompletionV1(text(correlationId, job, "job_id"), text(correlationId, job, "lock_token"),
                        job.get("result"));
            }));
        }
        return jobs;
    }

    /** A new job from its map. */
    static NewJobV1 newJob(String correlationId, AnyValueMap job) throws BadRequestException {
        NewJobV1 newJob = new NewJobV1(text(correlationId, job, "type"), text(correlationId, job, "ref_id"),
                optionalLong(correlationId, job, "ttl"), job.get("params"));
        newJob.setMaxRetries(optionalInt(correlationId, job, "max_retries"));
        newJob.setPriority(optionalInt(correlationId, job, "priority"));
        newJob.setRunAt(date(correlationId, job, "run_at"));
        newJob.setDelay(optionalLong(correlationId, job, "delay"));
        newJob.setBackoff(backoff(correlationId, job.get("backoff")));
        return newJob;
    }

    /**
     * A whole number, of any JSON number type (1, 1.0, 1e3). Pip's Long type lets 1.5 through and
     * stops a string with a generic error: this check gives both the parameter's code.
     */
    static long integer(String correlationId, AnyValueMap args, String name) throws BadRequestException {
        Object value = args.get(name);
        boolean whole = value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof BigInteger big && big.bitLength() < 64
                || (value instanceof Double || value instanceof Float || value instanceof BigDecimal)
                && isWhole(((Number) value).doubleValue());
        if (!whole)
            throw (BadRequestException) new BadRequestException(correlationId, "INVALID_" + name.toUpperCase(),
                    name + " must be a whole number").withDetails(name, value);
        return ((Number) value).longValue();
    }

    /** A whole number, or null when it is absent or null. */
    static Long optionalLong(String correlationId, AnyValueMap args, String name) throws BadRequestException {
        return args.get(name) == null ? null : integer(correlationId, args, name);
    }

    /**
     * The count of a batch lease; a whole number past the int range is kept out of range (the
     * controller refuses it with its range).
     */
    static int count(String correlationId, AnyValueMap args) throws BadRequestException {
        return clamp(integer(correlationId, args, "count"));
    }

    /** A string, or null when it is absent or null. */
    static String text(String correlationId, AnyValueMap args, String name) throws BadRequestException {
        Object value = args.get(name);
        if (value != null && !(value instanceof String))
            throw invalid(correlationId, name, value, "must be a string");
        return (String) value;
    }

    /** An ISO-8601 date, or null when it is absent or null. */
    static ZonedDateTime date(String correlationId, AnyValueMap args, String name) throws BadRequestException {
        Object value = args.get(name);
        if (value == null)
            return null;
        ZonedDateTime date = value instanceof String text ? DateTimeConverter.toNullableDateTime(text) : null;
        if (date == null)
            throw invalid(correlationId, name, value, "must be an ISO-8601 date such as 2026-11-28T20:40:40.185Z");
        return date;
    }

    private static Integer optionalInt(String correlationId, AnyValueMap args, String name) throws BadRequestException {
        Long value = optionalLong(correlationId, args, name);
        return value == null ? null : clamp(value);
    }

    private static int clamp(long value) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
    }

    private static List<?> array(String correlationId, AnyValueMap args, String name) throws BadRequestException {
        Object value = args.get(name);
        if (!(value instanceof List<?> items))
            throw invalid(correlationId, name, value, "must be an array");
        return items;
    }

    private static JobBackoffV1 backoff(String correlationId, Object value) throws BadRequestException {
        if (value == null)
            return null;
        if (!(value instanceof Map<?, ?>))
            throw invalid(correlationId, "backoff", value, "must be an object {type, delay, max_delay}");
        AnyValueMap backoff = AnyValueMap.fromValue(value);
        try {
            Long delay = optionalLong(correlationId, backoff, "delay");
            return new JobBackoffV1(text(correlationId, backoff, "type"), delay == null ? -1 : delay,
                    optionalLong(correlationId, backoff, "max_delay"));
        } catch (BadRequestException ex) {
            // A field of the backoff: the code is the backoff's, the message names the field.
            throw (BadRequestException) new BadRequestException(correlationId, "INVALID_BACKOFF",
                    "backoff." + ex.getMessage()).withDetails("property", "backoff");
        }
    }

    private static BadRequestException invalid(String correlationId, String name, Object value, String rule) {
        return (BadRequestException) new BadRequestException(correlationId, "INVALID_" + name.toUpperCase(),
                name + " " + rule).withDetails("property", name);
    }

    private static boolean isWhole(double value) {
        return value == Math.rint(value) && Math.abs(value) < 9.0e15;
    }
}
