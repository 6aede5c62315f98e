package org.servicejobs.persistence;

import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobV1;

import java.io.IOException;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * How jobs are stored in MongoDB, and the filter of a <code>get_jobs</code> query (the state
 * rules are in {@link JobsMongoDbStates}).
 * <p>
 * A document: <code>_id</code>, <code>type</code>, <code>ref_id</code>, <code>params</code> (the
 * JSON text of the params: any JSON, any key, exactly as added), the dates as BSON dates,
 * <code>retries</code>, <code>lock_token</code>, and <code>uniq_key</code>, present only on a not
 * completed job added by <code>add_uniq_job</code>, under a unique index.
 */
final class JobsMongoDbDocuments {
    static final String ID = "_id";
    static final String TYPE = "type";
    static final String REF_ID = "ref_id";
    static final String PARAMS = "params";
    static final String CREATED = "created";
    static final String STARTED = "started";
    static final String LOCKED_UNTIL = "locked_until";
    static final String EXECUTE_UNTIL = "execute_until";
    static final String COMPLETED = "completed";
    static final String RETRIES = "retries";
    static final String LOCK_TOKEN = "lock_token";
    static final String UNIQ_KEY = "uniq_key";
    private JobsMongoDbDocuments() {
    }

    static Document toDocument(String correlationId, JobV1 job, String id, boolean unique) throws ApplicationException {
        Document document = new Document(ID, id)
                .append(TYPE, job.getType())
                .append(REF_ID, job.getRefId())
                .append(PARAMS, JobJson.toText(correlationId, job.getParams()))
                .append(CREATED, date(job.getCreated()))
                .append(STARTED, date(job.getStarted()))
                .append(LOCKED_UNTIL, date(job.getLockedUntil()))
                .append(EXECUTE_UNTIL, date(job.getExecuteUntil()))
                .append(COMPLETED, date(job.getCompleted()))
                .append(RETRIES, job.getRetries())
                .append(LOCK_TOKEN, job.getLockToken());
        if (unique && job.getCompleted() == null)
            document.append(UNIQ_KEY, uniqKey(job.getType(), job.getRefId()));
        return document;
    }

    static JobV1 toJob(Document document) {
        if (document == null)
            return null;
        JobV1 job = new JobV1(document.getString(ID), document.getString(TYPE), document.getString(REF_ID),
                params(document.getString(PARAMS)));
        job.setCreated(date(document.getDate(CREATED)));
        job.setStarted(date(document.getDate(STARTED)));
        job.setLockedUntil(date(document.getDate(LOCKED_UNTIL)));
        job.setExecuteUntil(date(document.getDate(EXECUTE_UNTIL)));
        job.setCompleted(date(document.getDate(COMPLETED)));
        Number retries = document.get(RETRIES, Number.class);
        job.setRetries(retries == null ? 0 : retries.intValue());
        job.setLockToken(document.getString(LOCK_TOKEN));
        return job;
    }

    /** A key that is the same for two jobs exactly when their type and ref_id are. */
    static String uniqKey(String type, String refId) {
        return type.length() + ":" + type + refId;
    }

    /** The filter of a <code>get_jobs</code> query. */
    static Bson filter(JobsQuery query) {
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
        for (JobsQuery.Range range : query.ranges) {
            conditions.add(Filters.ne(range.field().column, null));
            if (range.from() > Long.MIN_VALUE + 1)
                conditions.add(Filters.gte(range.field().column, new Date(range.from())));
            if (range.to() < Long.MAX_VALUE)
                conditions.add(Filters.lte(range.field().column, new Date(range.to())));
        }
        return conditions.isEmpty() ? new Document() : Filters.and(conditions);
    }

    static Date date(ZonedDateTime value) {
        return value == null ? null : Date.from(value.toInstant());
    }

    static ZonedDateTime date(Date value) {
        return value == null ? null : JobDates.date(value.getTime());
    }

    private static Object params(String json) {
        try {
            return JobJson.parse(json);
        } catch (IOException ex) {
            throw new IllegalStateException("Stored params are not valid JSON", ex);
        }
    }
}
