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
import static org.junit.jupiter.api.Assertions.fail;
import static org.servicejobs.TestData.at;

/**
 * The MongoDB notation of the state rules ({@link JobsMongoDbStates}) says what the classifier
 * ({@link JobState#of}) says: jobs in every corner of the state space (locks, ttls and schedules
 * that end just before, at and just after the moment; retries below, at and above the limit, the
 * default's or their own; every mix of completed, failed and cancelled, with a lock or without)
 * are stored, and what MongoDB selects for each state,
 * for a lease, for the cleaner, for the holder of a lease and in the statistics is compared with
 * the classifier, job by job.
 */
class JobsMongoDbStatesTest {
    private static final String CID = "mongo-states-test";
    private static final long NOW = 100_000;
    private static final int MAX_RETRIES = 3;
    private static final Long[] TIMES = {null, NOW - 1, NOW, NOW + 1};
    private static final int[] RETRIES = {0, MAX_RETRIES - 1, MAX_RETRIES, MAX_RETRIES + 1};
    /** No limit of its own (an earlier version's job), the default's, a larger one. */
    private static final Integer[] OWN_MAX_RETRIES = {null, MAX_RETRIES, MAX_RETRIES + 2};

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
        for (int finals = 0; finals < 8; finals++)
            for (Long lockedUntil : TIMES)
                for (int retries : RETRIES)
                    for (Long executeUntil : TIMES)
                        for (Long runAt : TIMES)
                            for (Integer maxRetries : OWN_MAX_RETRIES) {
                                JobV1 job = TestData.job("corner", "ref-" + n++, at(n));
                                job.setStarted(lockedUntil != null || (finals & 2) != 0 ? at(NOW - 10) : null);
                                job.setLockedUntil(lockedUntil == null ? null : at(lockedUntil));
                                job.setLockToken(lockedUntil == null ? null : "token-" + n);
                                job.setCancelled((finals & 1) != 0 ? at(NOW - 3) : null);
                                job.setCompleted((finals & 2) != 0 ? at(NOW - 5) : null);
                                job.setFailed((finals & 4) != 0 ? at(NOW - 7) : null);
                                job.setRetries(retries);
                                job.setMaxRetries(maxRetries);
                                job.setExecuteUntil(executeUntil == null ? null : at(executeUntil));
                                job.setRunAt(runAt == null ? null : at(runAt));
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
                    assertSameJobs(classified(state, at(now), maxRetries), selected,
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
        assertSameJobs(classified(JobState.WAITING, at(NOW), MAX_RETRIES), ids(JobsMongoDbStates.leasable(now, MAX_RETRIES)),
                "leasable");

        for (long completedBefore : new long[]{NOW - 5, NOW - 4})
            for (long failedBefore : new long[]{NOW - 7, NOW - 2, NOW, NOW + 2}) {
                Set<String> cleanable = new TreeSet<>();
                for (Bson part : JobsMongoDbStates.cleanable(now, date(completedBefore), date(failedBefore), MAX_RETRIES))
                    cleanable.addAll(ids(part));
                Set<String> expected = new TreeSet<>();
                for (JobV1 job : jobs) {
                    JobState state = JobState.of(job, at(NOW), MAX_RETRIES);
                    long end = switch (state) {
                        case COMPLETED -> JobState.millis(job.getCompleted());
                        case CANCELLED -> JobState.millis(job.getCancelled());
                        case FAILED -> JobState.failedAt(JobState.millis(job.getFailed()),
                                JobState.millis(job.getLockedUntil()), JobState.millis(job.getExecuteUntil()),
                                JobState.millis(job.getCreated()), job.getRetries(),
                                JobState.maxRetries(job.getMaxRetries(), MAX_RETRIES));
                        default -> Long.MAX_VALUE;
                    };
                    long cutoff = state == JobState.COMPLETED ? JobState.millis(at(completedBefore))
                            : JobState.millis(at(failedBefore));
                    if (end < cutoff)
                        expected.add(job.getId());
                }
                assertSameJobs(expected, cleanable, "completed before " + completedBefore + ", failed before "
                        + failedBefore);
            }
    }

    @Test
    void theHolderQuerySelectsWhatTheClassifierSays() {
        for (JobV1 job : jobs) {
            for (String token : new String[]{null, job.getLockToken(), "another-token"}) {
                boolean holds = JobState.holdsLease(JobState.millis(job.getStarted()), JobState.millis(job.getCompleted()),
                        JobState.millis(job.getFailed()), JobState.millis(job.getCancelled()), job.getLockToken(), token);
                assertEquals(holds ? Set.of(job.getId()) : Set.of(), ids(JobsMongoDbStates.heldBy(job.getId(), token)),
                        job + " with token " + token);
            }
        }
    }

    @Test
    void theStatisticsCountWhatTheClassifierSays() throws Exception {
        for (long now : new long[]{NOW - 1, NOW, NOW + 1}) {
            Map<String, JobTypeStatsV1> stats = store.getStats(CID, new JobMoment(at(now), MAX_RETRIES));
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
        for (JobV1 job : jobs.subList(0, jobs.size() / 4)) {
            JobV1 leased = store.startJobById(CID, job.getId(), new JobLease(at(NOW), at(NOW + 1_000), MAX_RETRIES, "lease"));
            assertEquals(waiting.contains(job.getId()), leased != null, job.toString());
        }
    }

    /** Equal sets of ids; else the first differences, with the jobs. */
    private void assertSameJobs(Set<String> expected, Set<String> actual, String what) {
        if (expected.equals(actual))
            return;
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(actual);
        List<String> extra = new ArrayList<>(actual);
        extra.removeAll(expected);
        StringBuilder text = new StringBuilder(what + ": " + missing.size() + " missing, " + extra.size() + " extra");
        for (String id : missing.subList(0, Math.min(3, missing.size())))
            text.append("\n  missing ").append(job(id));
        for (String id : extra.subList(0, Math.min(3, extra.size())))
            text.append("\n  extra ").append(job(id));
        fail(text.toString());
    }

    private JobV1 job(String id) {
        return jobs.stream().filter(job -> job.getId().equals(id)).findFirst().orElse(null);
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
