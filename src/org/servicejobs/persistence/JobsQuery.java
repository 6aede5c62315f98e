package org.servicejobs.persistence;

import org.pipservices3.commons.convert.DateTimeConverter;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.BadRequestException;
import org.servicejobs.data.version1.JobState;

import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * A <code>get_jobs</code> filter, checked and parsed once: every key of the protocol, dates as
 * ISO-8601 strings, numbers as integers, <code>state</code> as one or more state names separated
 * by commas, <code>search</code> as text. An unknown key or a value that does not parse is a
 * {@link BadRequestException} <code>INVALID_FILTER</code>, never silently ignored.
 */
final class JobsQuery {
    /** A page of a query: skip, take (at most {@link IJobsPersistence#MAX_PAGE_SIZE}), total asked. */
    record Page(long skip, int take, boolean total) {
    }

    /** The time fields of a job and their filter keys: exact, from (inclusive), to (inclusive). */
    enum Field {
        CREATED("created", "created", "created_from", "created_to"),
        STARTED("started", "started", "started_from", "started_to"),
        LOCKED_UNTIL("locked_until", "locked_until", "locked_from", "locked_to"),
        EXECUTE_UNTIL("execute_until", "execute_until", "execute_from", "execute_to"),
        COMPLETED("completed", "completed", "completed_from", "completed_to");

        final String column;
        final String exactKey;
        final String fromKey;
        final String toKey;

        Field(String column, String exactKey, String fromKey, String toKey) {
            this.column = column;
            this.exactKey = exactKey;
            this.fromKey = fromKey;
            this.toKey = toKey;
        }

        long of(JobRecord job) {
            return switch (this) {
                case CREATED -> job.created;
                case STARTED -> job.started;
                case LOCKED_UNTIL -> job.lockedUntil;
                case EXECUTE_UNTIL -> job.executeUntil;
                case COMPLETED -> job.completed;
            };
        }
    }

    /** A range on one time field, in epoch milliseconds, both ends inclusive. */
    record Range(Field field, long from, long to) {
        boolean matches(long value) {
            return value != JobDates.NONE && value >= from && value <= to;
        }
    }

    private static final Set<String> OTHER_KEYS = Set.of("id", "type", "ref_id", "retries", "min_retries", "state",
            "search", "priority");

    final String id;
    final String type;
    final String refId;
    final Integer retries;
    final Integer minRetries;
    final Integer priority;
    /** The states asked for, or null for every state. */
    final Set<JobState> states;
    /** The text to find in ref_id or the params' JSON, or null. */
    final JobsSearch search;
    final Range[] ranges;

    private JobsQuery(FilterParams filter, Set<JobState> states, JobsSearch search, Integer retries,
                      Integer minRetries, Integer priority, Range[] ranges) {
        this.id = text(filter, "id");
        this.type = text(filter, "type");
        this.refId = text(filter, "ref_id");
        this.retries = retries;
        this.minRetries = minRetries;
        this.priority = priority;
        this.states = states;
        this.search = search;
        this.ranges = ranges;
    }

    static JobsQuery parse(String correlationId, FilterParams filter) throws BadRequestException {
        filter = filter != null ? filter : new FilterParams();
        for (String key : filter.keySet()) {
            if (!OTHER_KEYS.contains(key) && fieldOf(key) == null)
                throw invalid(correlationId, key, filter.get(key), "unknown filter key");
        }
        Range[] ranges = new Range[0];
        for (Field field : Field.values()) {
            Long exact = date(correlationId, filter, field.exactKey);
            Long from = date(correlationId, filter, field.fromKey);
            Long to = date(correlationId, filter, field.toKey);
            if (exact == null && from == null && to == null)
                continue;
            long low = Math.max(exact != null ? exact : Long.MIN_VALUE + 1, from != null ? from : Long.MIN_VALUE + 1);
            long high = Math.min(exact != null ? exact : Long.MAX_VALUE, to != null ? to : Long.MAX_VALUE);
            ranges = Arrays.copyOf(ranges, ranges.length + 1);
            ranges[ranges.length - 1] = new Range(field, low, high);
        }
        String search = text(filter, "search");
        return new JobsQuery(filter, states(correlationId, filter), search == null ? null : new JobsSearch(search),
                integer(correlationId, filter, "retries"), integer(correlationId, filter, "min_retries"),
                integer(correlationId, filter, "priority"), ranges);
    }

    /** The page asked for, with the defaults of the protocol. */
    static Page page(PagingParams paging) {
        paging = paging != null ? paging : new PagingParams();
        return new Page(paging.getSkip(0), (int) paging.getTake(IJobsPersistence.MAX_PAGE_SIZE), paging.hasTotal());
    }

    /** Whether a job matches every criterion; its state is taken at <code>now</code>. */
    boolean matches(JobRecord job, long now, int defaultMaxRetries) {
        if (id != null && !id.equals(job.id))
            return false;
        if (type != null && !type.equals(job.type))
            return false;
        if (refId != null && !refId.equals(job.refId))
            return false;
        if (retries != null && job.retries != retries)
            return false;
        if (minRetries != null && job.retries < minRetries)
            return false;
        if (priority != null && job.priority != priority)
            return false;
        for (Range range : ranges) {
            if (!range.matches(range.field.of(job)))
                return false;
        }
        if (states != null && !states.contains(job.state(now, defaultMaxRetries)))
            return false;
        return search == null || search.in(job.refId) || search.in(job.params);
    }

    private static Set<JobState> states(String correlationId, FilterParams filter) throws BadRequestException {
        String value = text(filter, "state");
        if (value == null)
            return null;
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        for (String name : value.split(",")) {
            JobState state = JobState.fromWireName(name.trim().toLowerCase(Locale.ROOT));
            if (state == null)
                throw invalid(correlationId, "state", value, "expected state names separated by commas: "
                        + "waiting, scheduled, running, completed, failed, cancelled");
            states.add(state);
        }
        return states;
    }

    private static Field fieldOf(String key) {
        for (Field field : Field.values()) {
            if (key.equals(field.exactKey) || key.equals(field.fromKey) || key.equals(field.toKey))
                return field;
        }
        return null;
    }

    private static String text(FilterParams filter, String key) {
        String value = filter.get(key);
        return value == null || value.isEmpty() ? null : value;
    }

    private static Long date(String correlationId, FilterParams filter, String key) throws BadRequestException {
        String value = text(filter, key);
        if (value == null)
            return null;
        ZonedDateTime date = DateTimeConverter.toNullableDateTime(value);
        if (date == null)
            throw invalid(correlationId, key, value, "expected an ISO-8601 date such as 2026-11-28T20:40:40.185Z");
        return date.toInstant().toEpochMilli();
    }

    private static Integer integer(String correlationId, FilterParams filter, String key) throws BadRequestException {
        String value = text(filter, key);
        if (value == null)
            return null;
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException ex) {
            throw invalid(correlationId, key, value, "expected an integer");
        }
    }

    private static BadRequestException invalid(String correlationId, String key, Object value, String reason) {
        return (BadRequestException) new BadRequestException(correlationId, "INVALID_FILTER",
                "Invalid filter " + key + "=" + value + ": " + reason)
                .withDetails("key", key).withDetails("value", value);
    }
}
