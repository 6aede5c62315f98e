package org.servicejobs.persistence;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.servicejobs.data.version1.JobState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

import static org.servicejobs.persistence.JobsMongoDbDocuments.CANCELLED;
import static org.servicejobs.persistence.JobsMongoDbDocuments.COMPLETED;
import static org.servicejobs.persistence.JobsMongoDbDocuments.CREATED;
import static org.servicejobs.persistence.JobsMongoDbDocuments.EXECUTE_UNTIL;
import static org.servicejobs.persistence.JobsMongoDbDocuments.FAILED;
import static org.servicejobs.persistence.JobsMongoDbDocuments.ID;
import static org.servicejobs.persistence.JobsMongoDbDocuments.LOCKED_UNTIL;
import static org.servicejobs.persistence.JobsMongoDbDocuments.LOCK_TOKEN;
import static org.servicejobs.persistence.JobsMongoDbDocuments.ORDER_AT;
import static org.servicejobs.persistence.JobsMongoDbDocuments.RETRIES;
import static org.servicejobs.persistence.JobsMongoDbDocuments.MAX_RETRIES;
import static org.servicejobs.persistence.JobsMongoDbDocuments.RUN_AT;
import static org.servicejobs.persistence.JobsMongoDbDocuments.STARTED;
import static org.servicejobs.persistence.JobsMongoDbDocuments.TYPE;

/**
 * The rules of {@link JobState} in MongoDB's notation: a query for the jobs in each state, the
 * lease rule and the holder of a lease as queries, the cleaner's queries, and the state of every
 * job as an aggregation expression. They say what {@link JobState#of} says, in the two notations a
 * server can evaluate; a test compares them with the classifier on jobs in every corner of the
 * state space.
 * <p>
 * A job's retries are used up when its retries reached its <code>max_retries</code>, or the
 * caller's default for a document without its own limit (<code>$expr</code> compares the two
 * fields; it filters what the index found, it is not an index bound).
 * A missing field and a null one are the same here (<code>{field: null}</code> matches both), and
 * in an aggregation a missing or null date compares below every date.
 */
final class JobsMongoDbStates {
    /** Fields and values of the rows of {@link #statsPipeline}. */
    static final String STATS_STATE = "state";
    static final String STATS_COUNT = "count";
    static final String STATS_OLDEST = "oldest";

    private JobsMongoDbStates() {
    }

    /** The jobs in a state at <code>now</code>, with the retry limit <code>maxRetries</code> for jobs without one. */
    static Bson inState(JobState state, Date now, int maxRetries) {
        return switch (state) {
            case CANCELLED -> Filters.ne(CANCELLED, null);
            case COMPLETED -> Filters.and(Filters.eq(CANCELLED, null), Filters.ne(COMPLETED, null));
            case FAILED -> Filters.or(
                    Filters.and(Filters.eq(CANCELLED, null), Filters.eq(COMPLETED, null), Filters.ne(FAILED, null)),
                    Filters.and(notFinal(), unlocked(now), Filters.or(Filters.lte(EXECUTE_UNTIL, now),
                            retriesUsedUp(maxRetries))));
            case RUNNING -> Filters.and(notFinal(), Filters.gt(LOCKED_UNTIL, now));
            case SCHEDULED -> Filters.and(free(now, maxRetries), Filters.gt(RUN_AT, now));
            case WAITING -> Filters.and(free(now, maxRetries), Filters.or(Filters.eq(RUN_AT, null),
                    Filters.lte(RUN_AT, now)));
        };
    }

    /**
     * The jobs a lease may take at <code>now</code>: the waiting ones, and (what the rule implies)
     * only those whose order_at has come, so that the lease index skips the scheduled ones.
     */
    static Bson leasable(Date now, int maxRetries) {
        return Filters.and(Filters.lte(ORDER_AT, now), inState(JobState.WAITING, now, maxRetries));
    }

    /** The job <code>id</code> when its lease is open and, when a token is given, held by it. */
    static Bson heldBy(String id, String lockToken) {
        List<Bson> conditions = new ArrayList<>(List.of(Filters.eq(ID, id), Filters.ne(STARTED, null), notFinal()));
        if (lockToken != null)
            conditions.add(Filters.eq(LOCK_TOKEN, lockToken));
        return Filters.and(conditions);
    }

    /**
     * The jobs the cleaner deletes: completed before <code>completedBefore</code>, failed or
     * cancelled before <code>failedBefore</code> (by {@link JobState#failedAt} for a failure no
     * write recorded); one query per part, so each can use an index.
     */
    static List<Bson> cleanable(Date now, Date completedBefore, Date failedBefore, int maxRetries) {
        Bson implicitlyFailed = Filters.and(notFinal(), unlocked(now));
        return List.of(
                Filters.and(Filters.eq(CANCELLED, null), Filters.lt(COMPLETED, completedBefore)),
                Filters.lt(CANCELLED, failedBefore),
                Filters.and(Filters.eq(CANCELLED, null), Filters.eq(COMPLETED, null), Filters.lt(FAILED, failedBefore)),
                // Retries used up: failed at the end of the last lease (or created, without one).
                Filters.and(implicitlyFailed, retriesUsedUp(maxRetries), Filters.or(Filters.lt(LOCKED_UNTIL, failedBefore),
                        Filters.and(Filters.eq(LOCKED_UNTIL, null), Filters.lt(CREATED, failedBefore)))),
                // The ttl passed: failed at the later of the ttl and the end of the last lease.
                Filters.and(implicitlyFailed, Filters.lte(EXECUTE_UNTIL, now), Filters.lt(EXECUTE_UNTIL, failedBefore),
                        Filters.or(Filters.eq(LOCKED_UNTIL, null), Filters.lt(LOCKED_UNTIL, failedBefore))));
    }

    /**
     * The aggregation of the statistics: every job's state at <code>now</code> (its wire name),
     * then one row per type and state with the count and the oldest created time.
     */
    static List<Bson> statsPipeline(Date now, int maxRetries) {
        Document exhausted = new Document("$gte", List.of("$" + RETRIES,
                new Document("$ifNull", List.of("$" + MAX_RETRIES, maxRetries))));
        Document expired = new Document("$and", List.of(
                new Document("$gt", Arrays.asList("$" + EXECUTE_UNTIL, null)),
                new Document("$lte", List.of("$" + EXECUTE_UNTIL, now))));
        Object state = cond(isSet(CANCELLED), JobState.CANCELLED,
                cond(isSet(COMPLETED), JobState.COMPLETED,
                        cond(isSet(FAILED), JobState.FAILED,
                                cond(new Document("$gt", List.of("$" + LOCKED_UNTIL, now)), JobState.RUNNING,
                                        cond(new Document("$or", List.of(expired, exhausted)), JobState.FAILED,
                                                cond(new Document("$gt", List.of("$" + RUN_AT, now)), JobState.SCHEDULED,
                                                        JobState.WAITING))))));
        return List.of(
                Aggregates.project(new Document(TYPE, 1).append(CREATED, 1).append(STATS_STATE, state)),
                Aggregates.group(new Document(TYPE, "$" + TYPE).append(STATS_STATE, "$" + STATS_STATE),
                        Accumulators.sum(STATS_COUNT, 1), Accumulators.min(STATS_OLDEST, "$" + CREATED)));
    }

    /** The state a wire name in a row of {@link #statsPipeline} stands for. */
    static JobState stateOf(String wireName) {
        JobState state = JobState.fromWireName(wireName);
        if (state == null)
            throw new IllegalStateException("unknown state " + wireName);
        return state;
    }

    /**
     * Jobs still in the lease index's range (they have an order_at) that can never be leased
     * again: not final by a write, their ttl passed, no lock held. Served by the execute_until index.
     */
    static Bson ttlPassed(Date now) {
        return Filters.and(Filters.lte(EXECUTE_UNTIL, now), Filters.exists(ORDER_AT), notFinal(), unlocked(now));
    }

    /** Not completed, failed or cancelled by a write. */
    static Bson notFinal() {
        return Filters.and(Filters.eq(CANCELLED, null), Filters.eq(COMPLETED, null), Filters.eq(FAILED, null));
    }

    /** Not final by a write, no lock held, ttl not passed, retries left. */
    private static Bson free(Date now, int maxRetries) {
        return Filters.and(notFinal(), unlocked(now),
                Filters.or(Filters.eq(EXECUTE_UNTIL, null), Filters.gt(EXECUTE_UNTIL, now)),
                Filters.or(Filters.and(Filters.eq(MAX_RETRIES, null), Filters.lt(RETRIES, maxRetries)),
                        Filters.and(Filters.ne(MAX_RETRIES, null), compare("$lt", RETRIES, MAX_RETRIES))));
    }

    private static Bson retriesUsedUp(int maxRetries) {
        return Filters.or(Filters.and(Filters.eq(MAX_RETRIES, null), Filters.gte(RETRIES, maxRetries)),
                Filters.and(Filters.ne(MAX_RETRIES, null), compare("$gte", RETRIES, MAX_RETRIES)));
    }

    /** <code>{$expr: {op: ["$a", "$b"]}}</code>: two fields of a document compared. */
    private static Bson compare(String operator, String a, String b) {
        return Filters.expr(new Document(operator, List.of("$" + a, "$" + b)));
    }

    private static Bson unlocked(Date now) {
        return Filters.or(Filters.eq(LOCKED_UNTIL, null), Filters.lte(LOCKED_UNTIL, now));
    }

    private static Document isSet(String field) {
        return new Document("$gt", Arrays.asList("$" + field, null));
    }

    private static Document cond(Object condition, JobState then, Object otherwise) {
        return new Document("$cond", Arrays.asList(condition, then.wireName(),
                otherwise instanceof JobState state ? state.wireName() : otherwise));
    }
}
