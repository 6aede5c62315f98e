package org.servicejobs.persistence;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobV1;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.servicejobs.TestData.at;
import static org.servicejobs.persistence.JobsSchedulingContract.lease;
import static org.servicejobs.persistence.JobsSchedulingContract.moment;

/**
 * The contract of the lease order under concurrency on every store: many threads leasing one
 * backlog of priorities and schedules at one time each get, call after call, the first free job.
 */
interface JobsSchedulingOrderContract extends JobsStoreContract {
    /** The time of every lease of the race; a third of the jobs are scheduled after it. */
    long RACE_TIME = 1_000_000;

    /**
     * 32 threads lease by type, all at {@link #RACE_TIME}, a backlog over 10 priorities in which a
     * third of the jobs are scheduled after that time (and some are due exactly then): each
     * leasable job is leased exactly once, no scheduled one, and each thread's jobs come in lease
     * order (priority non-increasing; within one, free since, then id, increasing), since every
     * call takes the first free job and no job becomes free during the race.
     */
    @Test
    default void concurrentLeasingFollowsTheLeaseOrder() throws Exception {
        IJobsPersistence store = store();
        // Half the count of the store's own race: the in-process MongoDB server scans per lease.
        int jobCount = this instanceof JobsPersistenceFixture fixture
                ? Math.min(3_000, fixture.concurrentJobCount() / 2) : 3_000;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < jobCount; i++)
            order.add(i);
        Collections.shuffle(order, new Random(5));
        Map<String, long[]> keys = new HashMap<>();
        Set<String> scheduled = new HashSet<>();
        for (int i : order) {
            JobV1 job = TestData.job("order-race", "race-" + i, at(1 + i));
            job.setPriority((i * 7) % 10 - 3);
            if (i % 3 == 0)
                job.setRunAt(at(RACE_TIME + 1 + i % 50));
            else if (i % 3 == 1)
                job.setRunAt(at(i % 2 == 0 ? RACE_TIME : RACE_TIME - 1_000 + i % 1_000));
            String id = store.create(CID, job).getId();
            keys.put(id, new long[]{job.getPriority(), freeSince(job)});
            if (i % 3 == 0)
                scheduled.add(id);
        }
        Comparator<String> leaseOrder = Comparator.<String>comparingLong(id -> -keys.get(id)[0])
                .thenComparingLong(id -> keys.get(id)[1]).thenComparing(Comparator.naturalOrder());

        int threads = 32;
        CyclicBarrier start = new CyclicBarrier(threads);
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        List<Future<List<String>>> workers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<String> leased = new ArrayList<>();
        try {
            for (int w = 0; w < threads; w++) {
                int worker = w;
                workers.add(pool.submit(() -> {
                    start.await();
                    List<String> mine = new ArrayList<>();
                    while (true) {
                        String token = "race-" + worker + "-" + mine.size();
                        JobV1 job = store.startJobByType(CID, "order-race",
                                lease(RACE_TIME, RACE_TIME + 3_600_000, token));
                        if (job == null)
                            return mine;
                        if (!token.equals(job.getLockToken()) || job.getRetries() != 1)
                            problems.add("bad lease by " + token + ": " + job);
                        String last = mine.isEmpty() ? null : mine.get(mine.size() - 1);
                        if (last != null && leaseOrder.compare(last, job.getId()) >= 0)
                            problems.add("worker " + worker + " got " + job.getId() + " (priority, free since) "
                                    + List.of(keys.get(job.getId())[0], keys.get(job.getId())[1]) + " after " + last
                                    + " " + List.of(keys.get(last)[0], keys.get(last)[1]));
                        mine.add(job.getId());
                    }
                }));
            }
            for (Future<List<String>> worker : workers)
                leased.addAll(worker.get(10, TimeUnit.MINUTES));
        } finally {
            pool.shutdownNow();
        }

        assertTrue(problems.isEmpty(), () -> problems.size() + " problems, first: "
                + problems.stream().limit(5).toList());
        Set<String> expected = new HashSet<>(keys.keySet());
        expected.removeAll(scheduled);
        assertEquals(expected.size(), leased.size(), "one lease per leasable job");
        assertEquals(expected, new HashSet<>(leased), "every leasable job, and no scheduled one, was leased");
        assertNull(store.startJobByType(CID, "order-race", lease(RACE_TIME, RACE_TIME + 1, "after")),
                "nothing free is left at the time of the race");
        assertEquals(Long.valueOf(scheduled.size()), store.getPageByFilter(CID,
                FilterParams.fromTuples("type", "order-race", "state", "scheduled", "retries", "0"),
                new PagingParams(0, 1, true), moment(RACE_TIME)).getTotal(), "the scheduled jobs were not touched");
    }

    /** Since when a job may be leased, for the lease order: its run_at, or its created time. */
    private static long freeSince(JobV1 job) {
        return (job.getRunAt() != null ? job.getRunAt() : job.getCreated()).toInstant().toEpochMilli();
    }
}
