package org.servicejobs.persistence;

import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobBackoffV1;
import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobV1;

import java.io.IOException;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How jobs are stored in MongoDB, and the filter of a <code>get_jobs</code> query (the state
 * rules are in {@link JobsMongoDbStates}).
 * <p>
 * A document: <code>_id</code>, <code>type</code>, <code>ref_id</code>, <code>params</code>,
 * <code>progress</code> and <code>result</code> (their JSON text: any JSON, any key, exactly as
 * given), the dates as BSON dates, <code>retries</code>, <code>max_retries</code>,
 * <code>priority</code>, <code>order_at</code> (run_at, or created: the lease order within a
 * priority), <code>lock_token</code>, <code>backoff</code>, <code>errors</code> (an array of
 * <code>{attempt, at, error}</code>), and <code>uniq_key</code>, present only on a job added by
 * <code>add_uniq_job</code> while it is not final, under a unique index. A document of an earlier
 * version, without max_retries, priority and order_at, is read with the
 * controller's retry limit, priority 0 and its created time; the store adds the last two on open.
 */
final class JobsMongoDbDocuments {
    static final String ID = "_id";
    static final String TYPE = "type";
    static final String REF_ID = "ref_id";
    static final String PARAMS = "params";
    static final String CREATED = "created";
    static final String RUN_AT = "run_at";
    static final String ORDER_AT = "order_at";
    static final String STARTED = "started";
    static final String LOCKED_UNTIL = "locked_until";
    static final String EXECUTE_UNTIL = "execute_until";
    static final String COMPLETED = "completed";
    static final String FAILED = "failed";
    static final String CANCELLED = "cancelled";
    static final String RETRIES = "retries";
    static final String MAX_RETRIES = "max_retries";
    static final String PRIORITY = "priority";
    static final String LOCK_TOKEN = "lock_token";
    static final String BACKOFF = "backoff";
    static final String PROGRESS = "progress";
    static final String RESULT = "result";
    static final String ERRORS = "errors";
    static final String UNIQ_KEY = "uniq_key";
    static final String ATTEMPT = "attempt";
    static final String AT = "at";
    static final String ERROR = "error";

    private JobsMongoDbDocuments() {
    }

    static Document toDocument(String correlationId, JobV1 job, String id, boolean unique) throws ApplicationException {
        Document document = new Document(ID, id)
                .append(TYPE, job.getType())
                .append(REF_ID, job.getRefId())
                .append(PARAMS, JobJson.toText(correlationId, job.getParams()))
                .append(CREATED, date(job.getCreated()))
                .append(RUN_AT, date(job.getRunAt()))
                .append(STARTED, date(job.getStarted()))
                .append(LOCKED_UNTIL, date(job.getLockedUntil()))
                .append(EXECUTE_UNTIL, date(job.getExecuteUntil()))
                .append(COMPLETED, date(job.getCompleted()))
                .append(FAILED, date(job.getFailed()))
                .append(CANCELLED, date(job.getCancelled()))
                .append(RETRIES, job.getRetries())
                .append(PRIORITY, job.getPriority())
                .append(LOCK_TOKEN, job.getLockToken())
                .append(BACKOFF, backoff(job.getBackoff()))
                .append(PROGRESS, JobJson.toText(correlationId, job.getProgress()))
                .append(RESULT, JobJson.toText(correlationId, job.getResult()))
                .append(ERRORS, errors(job.getErrors()));
        if (job.getMaxRetries() != null)
            document.append(MAX_RETRIES, job.getMaxRetries());
        boolean ended = job.getCompleted() != null || job.getFailed() != null || job.getCancelled() != null;
        if (!ended)
            document.append(ORDER_AT, date(job.getRunAt() != null ? job.getRunAt() : job.getCreated()));
        if (unique && !ended)
            document.append(UNIQ_KEY, uniqKey(job.getType(), job.getRefId()));
        return document;
    }

    static JobV1 toJob(Document document) {
        if (document == null)
            return null;
        JobV1 job = new JobV1(document.getString(ID), document.getString(TYPE), document.getString(REF_ID),
                json(document.getString(PARAMS)));
        job.setCreated(date(document.getDate(CREATED)));
        job.setRunAt(date(document.getDate(RUN_AT)));
        job.setStarted(date(document.getDate(STARTED)));
        job.setLockedUntil(date(document.getDate(LOCKED_UNTIL)));
        job.setExecuteUntil(date(document.getDate(EXECUTE_UNTIL)));
        job.setCompleted(date(document.getDate(COMPLETED)));
        job.setFailed(date(document.getDate(FAILED)));
        job.setCancelled(date(document.getDate(CANCELLED)));
        job.setRetries(number(document, RETRIES, 0));
        Number maxRetries = document.get(MAX_RETRIES, Number.class);
        job.setMaxRetries(maxRetries == null ? null : maxRetries.intValue());
        job.setPriority(number(document, PRIORITY, 0));
        job.setLockToken(document.getString(LOCK_TOKEN));
        Document backoff = document.get(BACKOFF, Document.class);
        if (backoff != null) {
            Number maxDelay = backoff.get("max_delay", Number.class);
            job.setBackoff(new JobBackoffV1(backoff.getString("type"), backoff.get("delay", Number.class).longValue(),
                    maxDelay == null ? null : maxDelay.longValue()));
        }
        job.setProgress(json(document.getString(PROGRESS)));
        job.setResult(json(document.getString(RESULT)));
        List<JobErrorV1> errors = new ArrayList<>();
        List<?> stored = document.get(ERRORS, List.class);
        if (stored != null) {
            for (Object item : stored) {
                Document error = (Document) item;
                errors.add(new JobErrorV1(number(error, ATTEMPT, 0), date(error.getDate(AT)), error.getString(ERROR)));
            }
        }
        job.setErrors(errors);
        return job;
    }

    /** An error as it is stored in <code>errors</code>. */
    static Document error(JobErrorV1 error) {
        return new Document(ATTEMPT, error.attempt()).append(AT, date(error.at())).append(ERROR, error.error());
    }

    /** A key that is the same for two jobs exactly when their type and ref_id are. */
    static String uniqKey(String type, String refId) {
        return type.length() + ":" + type + refId;
    }

    /** The filter of a <code>get_jobs</code> query, its states taken at <code>now</code>. */
    static Bson filter(JobsQuery query, Date now, int maxRetries) {
        List<Bson> conditions = new ArrayList<>();
        if (query.id != null)
            conditions.add(Filters.eq(ID, query.id));
        if (query.type != null)
            conditions.add(Filters.eq(TYPE, query.type));
        if (query.refId != null)
            conditions.add(Filters.eq(REF_ID, query.refId));
        if (query.retries != null)
            conditions.add(Filters.eq(RETRIES, query.retries));
        if (query.minRetries != null)
            conditions.add(Filters.gte(RETRIES, query.minRetries));
        if (query.priority != null)
            conditions.add(query.priority == 0 ? Filters.in(PRIORITY, 0, null) : Filters.eq(PRIORITY, query.priority));
        for (JobsQuery.Range range : query.ranges) {
            conditions.add(Filters.ne(range.field().column, null));
            if (range.from() > Long.MIN_VALUE + 1)
                conditions.add(Filters.gte(range.field().column, new Date(range.from())));
            if (range.to() < Long.MAX_VALUE)
                conditions.add(Filters.lte(range.field().column, new Date(range.to())));
        }
        if (query.states != null)
            conditions.add(Filters.or(query.states.stream().map(state -> JobsMongoDbStates.inState(state, now, maxRetries))
                    .toList()));
        if (query.search != null) {
            Pattern text = Pattern.compile(Pattern.quote(query.search.text()), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            conditions.add(Filters.or(Filters.regex(REF_ID, text), Filters.regex(PARAMS, text)));
        }
        return conditions.isEmpty() ? new Document() : Filters.and(conditions);
    }

    static Date date(ZonedDateTime value) {
        return value == null ? null : Date.from(value.toInstant());
    }

    static ZonedDateTime date(Date value) {
        return value == null ? null : JobDates.date(value.getTime());
    }

    private static int number(Document document, String key, int defaultValue) {
        Number value = document.get(key, Number.class);
        return value == null ? defaultValue : value.intValue();
    }

    private static Document backoff(JobBackoffV1 backoff) {
        return backoff == null ? null : new Document("type", backoff.type()).append("delay", backoff.delay())
                .append("max_delay", backoff.maxDelay());
    }

    private static List<Document> errors(List<JobErrorV1> errors) {
        List<Document> documents = new ArrayList<>(errors.size());
        for (JobErrorV1 error : errors)
            documents.add(error(error));
        return documents;
    }

    private static Object json(String text) {
        try {
            return JobJson.parse(text);
        } catch (IOException ex) {
            throw new IllegalStateException("A stored JSON value is not valid JSON", ex);
        }
    }
}
