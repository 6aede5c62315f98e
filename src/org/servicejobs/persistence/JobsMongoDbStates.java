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

import static org.servicejobs.persistence.JobsMongoDbDocuments.COMPLETED;
import static org.servicejobs.persistence.JobsMongoDbDocuments.CREATED;
import static org.servicejobs.persistence.JobsMongoDbDocuments.EXECUTE_UNTIL;
import static org.servicejobs.persistence.JobsMongoDbDocuments.ID;
import static org.servicejobs.persistence.JobsMongoDbDocuments.LOCKED_UNTIL;
import static org.servicejobs.persistence.JobsMongoDbDocuments.LOCK_TOKEN;
import static org.servicejobs.persistence.JobsMongoDbDocuments.RETRIES;
import static org.servicejobs.persistence.JobsMongoDbDocuments.STARTED;
import static org.servicejobs.persistence.JobsMongoDbDocuments.TYPE;

/**
 * The rules of {@link JobState} in MongoDB's notation: a query for the jobs in each state, the
 * lease rule as a query, and the state of every job as an aggregation expression. They say what
 * {@link JobState#of} says, in the two notations a server can evaluate; a test compares them
 * with the classifier on jobs in every corner of the state space.
 * <p>
 * A missing field and a null one are the same here (<code>{field: null}</code> matches both),
 * and in an aggregation a missing or null date compares below every date.
 */
final class JobsMongoDbStates {
    /** Fields and values of the rows of {@link #statsPipeline}. */
    static final String STATS_STATE = "state";
    static final String STATS_COUNT = "count";
    static final String STATS_OLDEST = "oldest";

    private JobsMongoDbStates() {
    }

    /** The jobs in a state at <code>now</code>, with the retry limit <code>maxRetries</code>. */
    static Bson inState(JobState state, Date now, int maxRetries) {
        return switch (state) {
            case COMPLETED -> Filters.ne(COMPLETED, null);
            case RUNNING -> Filters.and(Filters.eq(COMPLETED, null), Filters.gt(LOCKED_UNTIL, now));
            case FAILED -> Filters.and(Filters.eq(COMPLETED, null), unlocked(now), Filters.gte(RETRIES, maxRetries));
            case EXPIRED -> Filters.and(Filters.eq(COMPLETED, null), unlocked(now), Filters.lt(RETRIES, maxRetries),
                    Filters.lte(EXECUTE_UNTIL, now));
            case WAITING -> Filters.and(Filters.eq(COMPLETED, null), unlocked(now), Filters.lt(RETRIES, maxRetries),
                    Filters.or(Filters.eq(EXECUTE_UNTIL, null), Filters.gt(EXECUTE_UNTIL, now)));
        };
    }

    /** The jobs a lease may take at <code>now</code>: the waiting ones. */
    static Bson leasable(Date now, int maxRetries) {
        return inState(JobState.WAITING, now, maxRetries);
    }

    /** The job <code>id</code> when its lease is open and, when a token is given, held by it. */
    static Bson heldBy(String id, String lockToken) {
        List<Bson> conditions = new ArrayList<>(List.of(Filters.eq(ID, id), Filters.ne(STARTED, null),
                Filters.eq(COMPLETED, null)));
        if (lockToken != null)
            conditions.add(Filters.eq(LOCK_TOKEN, lockToken));
        return Filters.and(conditions);
    }

    /**
     * The jobs the cleaner deletes: completed before <code>completedBefore</code>, failed or
     * expired at <code>now</code>; one query per part, so each can use an index.
     */
    static List<Bson> cleanable(Date now, Date completedBefore, int maxRetries) {
        return List.of(Filters.lt(COMPLETED, completedBefore), inState(JobState.FAILED, now, maxRetries),
                inState(JobState.EXPIRED, now, maxRetries));
    }

    /**
     * The aggregation of the statistics: every job's state at <code>now</code> (its wire name),
     * then one row per type and state with the count and the oldest created time.
     */
    static List<Bson> statsPipeline(Date now, int maxRetries) {
        Document expired = new Document("$and", List.of(
                new Document("$gt", Arrays.asList("$" + EXECUTE_UNTIL, null)),
                new Document("$lte", List.of("$" + EXECUTE_UNTIL, now))));
        Object state = cond(new Document("$gt", Arrays.asList("$" + COMPLETED, null)), JobState.COMPLETED,
                cond(new Document("$gt", List.of("$" + LOCKED_UNTIL, now)), JobState.RUNNING,
                        cond(new Document("$gte", List.of("$" + RETRIES, maxRetries)), JobState.FAILED,
                                cond(expired, JobState.EXPIRED, JobState.WAITING))));
        return List.of(
                Aggregates.project(new Document(TYPE, 1).append(CREATED, 1).append(STATS_STATE, state)),
                Aggregates.group(new Document(TYPE, "$" + TYPE).append(STATS_STATE, "$" + STATS_STATE),
                        Accumulators.sum(STATS_COUNT, 1), Accumulators.min(STATS_OLDEST, "$" + CREATED)));
    }

    /** The state a wire name in a row of {@link #statsPipeline} stands for. */
    static JobState stateOf(String wireName) {
        for (JobState state : JobState.values()) {
            if (state.wireName().equals(wireName))
                return state;
        }
        throw new IllegalStateException("unknown state " + wireName);
    }

    private static Bson unlocked(Date now) {
        return Filters.or(Filters.eq(LOCKED_UNTIL, null), Filters.lte(LOCKED_UNTIL, now));
    }

    private static Document cond(Object condition, JobState then, Object otherwise) {
        return new Document("$cond", Arrays.asList(condition, then.wireName(),
                otherwise instanceof JobState state ? state.wireName() : otherwise));
    }
}
