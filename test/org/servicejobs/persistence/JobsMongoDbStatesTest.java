package org.servicejobs.persistence;

import com.mongodb.MongoClient;
import com.mongodb.MongoClientURI;
import com.mongodb.client.MongoCollection;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.servicejobs.TestData.at;

/**
 * The MongoDB notation of the state rules ({@link JobsMongoDbStates}) says what the classifier
 * ({@link JobState#of}) says: jobs in every corner of the state space (locks that end just before,
 * at and just after the moment, retries below, at and above the limit, ttl at the boundary,
 * completed jobs that still carry a lock) are stored, and what MongoDB selects for each state,
 * for a lease, for the cleaner, for the holder of a lease and in the statistics is compared with
 * the classifier, job by job.
 */
class JobsMongoDbStatesTest {
    private static final String CID = "mongo-states-test";
    private static final long NOW = 100_000;
    private static final int MAX_RETRIES = 3;
    private static final Long[] TIMES = {null, NOW - 1, NOW, NOW + 1};
    private static final int[] RETRIES = {0, MAX_RETRIES - 1, MAX_RETRIES, MAX_RETRIES + 1};

    @RegisterExtension
    static final MongoTestServer mongo = new MongoTestServer();

    private JobsMongoDbPersistence store;
    private MongoClient client;
    private MongoCollection<Document> collection;
    private final List<JobV1> jobs = new ArrayList<>();

    @BeforeEach
    void storeEveryCorner() throws Exception {
        String uri = mongo.newDatabaseUri();
        store = MongoTestServer.storeOn(uri);
        store.open(CID);
        client = new MongoClient(new MongoClientURI(uri));
        collection = client.getDatabase(new MongoClientURI(uri).getDatabase()).getCollection("jobs");
        int n = 0;
        for (boolean completed : new boolean[]{false, true})
            for (Long lockedUntil : TIMES)
                for (int retries : RETRIES)
                    for (Long executeUntil : TIMES) {
                        JobV1 job = TestData.job("corner", "ref-" + n++, at(n));
                        job.setStarted(lockedUntil != null || completed ? at(NOW - 10) : null);
                        job.setLockedUntil(lockedUntil == null ? null : at(lockedUntil));
                        job.setLockToken(lockedUntil == null ? null : "token-" + n);
                        job.setCompleted(completed ? at(NOW - 5) : null);
                        job.setRetries(retries);
                        job.setExecuteUntil(executeUntil == null ? null : at(executeUntil));
                        jobs.add(store.create(CID, job));
                    }
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        store.deleteAll(CID);
        store.close(CID);
    }

    @Test
    void everyStateQuerySelectsWhatTheClassifierSays() {
        for (long now : new long[]{NOW - 1, NOW, NOW + 1}) {
            for (int maxRetries : new int[]{MAX_RETRIES, MAX_RETRIES + 2}) {
                Set<String> seen = new HashSet<>();
                for (JobState state : JobState.values()) {
                    Set<String> selected = ids(JobsMongoDbStates.inState(state, date(now), maxRetries));
                    assertEquals(classified(state, at(now), maxRetries), selected,
                            state + " at " + now + " with " + maxRetries + " retries");
                    for (String id : selected)
                        assertTrue(seen.add(id), "job " + id + " in two states");
                }
                assertEquals(jobs.size(), seen.size(), "every job in one state");
            }
        }
    }

    @Test
    void theLeaseAndCleanerQueriesSelectWhatTheClassifierSays() {
        Date now = date(NOW);
        assertEquals(classified(JobState.WAITING, at(NOW), MAX_RETRIES), ids(JobsMongoDbStates.leasable(now, MAX_RETRIES)));

        Set<String> cleanable = new TreeSet<>();
        for (Bson part : JobsMongoDbStates.cleanable(now, date(NOW - 4), MAX_RETRIES))
            cleanable.addAll(ids(part));
        Set<String> expected = new TreeSet<>(classified(JobState.FAILED, at(NOW), MAX_RETRIES));
        expected.addAll(classified(JobState.EXPIRED, at(NOW), MAX_RETRIES));
        expected.addAll(classified(JobState.COMPLETED, at(NOW), MAX_RETRIES));
        assertEquals(expected, cleanable, "failed, expired, and completed before the retention");
        assertEquals(Set.of(), ids(JobsMongoDbStates.cleanable(now, date(NOW - 6), MAX_RETRIES).get(0)),
                "completed after the retention's start: kept");
    }

    @Test
    void theHolderQuerySelectsWhatTheClassifierSays() {
        for (JobV1 job : jobs) {
            for (String token : new String[]{null, job.getLockToken(), "another-token"}) {
                boolean holds = JobState.holdsLease(JobState.millis(job.getStarted()), JobState.millis(job.getCompleted()),
                        job.getLockToken(), token);
                assertEquals(holds ? Set.of(job.getId()) : Set.of(), ids(JobsMongoDbStates.heldBy(job.getId(), token)),
                        job + " with token " + token);
            }
        }
    }

    @Test
    void theStatisticsCountWhatTheClassifierSays() throws Exception {
        for (long now : new long[]{NOW - 1, NOW, NOW + 1}) {
            Map<String, JobTypeStatsV1> stats = store.getStats(CID, at(now), MAX_RETRIES);
            JobTypeStatsV1 corner = stats.get("corner");
            assertNotNull(corner, stats::toString);
            Map<JobState, Long> expected = new EnumMap<>(JobState.class);
            ZonedDateTime oldest = null;
            for (JobV1 job : jobs) {
                JobState state = JobState.of(job, at(now), MAX_RETRIES);
                expected.merge(state, 1L, Long::sum);
                if (state == JobState.WAITING && (oldest == null || job.getCreated().isBefore(oldest)))
                    oldest = job.getCreated();
            }
            for (JobState state : JobState.values())
                assertEquals(expected.getOrDefault(state, 0L), corner.count(state), state + " at " + now);
            if (oldest == null)
                assertNull(corner.getOldestWaiting());
            else
                assertEquals(oldest.toInstant(), corner.getOldestWaiting().toInstant(), "oldest waiting at " + now);
        }
    }

    /** A lease by id wins exactly on the jobs the classifier says are waiting. */
    @Test
    void aLeaseByIdWinsExactlyOnWaitingJobs() throws Exception {
        Set<String> waiting = classified(JobState.WAITING, at(NOW), MAX_RETRIES);
        for (JobV1 job : jobs) {
            JobV1 leased = store.startJobById(CID, job.getId(), new JobLease(at(NOW), at(NOW + 1_000), MAX_RETRIES, "lease"));
            assertEquals(waiting.contains(job.getId()), leased != null, job.toString());
        }
    }

    private Set<String> classified(JobState state, ZonedDateTime now, int maxRetries) {
        Set<String> ids = new TreeSet<>();
        for (JobV1 job : jobs) {
            if (JobState.of(job, now, maxRetries) == state)
                ids.add(job.getId());
        }
        return ids;
    }

    private Set<String> ids(Bson filter) {
        Set<String> ids = new TreeSet<>();
        for (Document document : collection.find(filter))
            ids.add(document.getString("_id"));
        return ids;
    }

    private static Date date(long millis) {
        return new Date(at(millis).toInstant().toEpochMilli());
    }
}
