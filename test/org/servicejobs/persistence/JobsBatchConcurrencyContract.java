package org.servicejobs.persistence;

import org.junit.jupiter.api.Test;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobV1;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.servicejobs.TestData.at;

/**
 * The contract of the batch leases under concurrency on every store (through
 * {@link JobsBatchContract}, which extends it).
 */
interface JobsBatchConcurrencyContract extends JobsStoreContract {
    /** The time of every lease of the concurrent test, from {@link TestData#START} in milliseconds. */
    long BATCH_PARALLEL_NOW = 100_000;

    /**
     * 32 threads lease 10 jobs at a time from one backlog, all at one time, until none is free:
     * every job is leased exactly once, each with the terms of its own lease, in lease order.
     */
    @Test
    default void concurrentStartJobsByTypeNeverLeasesAJobTwice() throws Exception {
        IJobsPersistence store = store();
        // A quarter of the single-lease test's backlog: each call here leases ten.
        int jobCount = ((JobsPersistenceFixture) this).concurrentJobCount() / 4;
        List<JobV1> chunk = new ArrayList<>();
        for (int i = 0; i < jobCount; i++) {
            chunk.add(TestData.job("batch-parallel", "ref-" + i, at(i)));
            if (chunk.size() == 1000 || i == jobCount - 1) {
                store.createMany(CID, chunk);
                chunk = new ArrayList<>();
            }
        }

        int threads = 32;
        Set<String> leased = ConcurrentHashMap.newKeySet();
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicInteger problemCount = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int total = 0;
        try {
            List<Future<Integer>> workers = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int worker = w;
                workers.add(pool.submit(() -> batchLeaseUntilEmpty(store, worker, start, leased, problems,
                        problemCount)));
            }
            for (Future<Integer> worker : workers)
                total += worker.get(10, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }

        assertEquals(0, problemCount.get(), () -> problemCount.get() + " problems, first: " + problems);
        assertEquals(jobCount, total, "leases");
        assertEquals(jobCount, leased.size(), "jobs leased");
        assertEquals(Long.valueOf(jobCount), store.getPageByFilter(CID,
                FilterParams.fromTuples("type", "batch-parallel", "retries", "1"), new PagingParams(0, 1, true),
                TestData.MOMENT).getTotal(), "each job leased once");
        assertEquals(List.of(), store.startJobsByType(CID, "batch-parallel",
                List.of(new JobLease(at(BATCH_PARALLEL_NOW), at(BATCH_PARALLEL_NOW + 1_000), 1_000, "after"))),
                "none is left free while the leases hold");
    }

    private static int batchLeaseUntilEmpty(IJobsPersistence store, int worker, CyclicBarrier start,
                                            Set<String> leased, Queue<String> problems, AtomicInteger problemCount)
            throws Exception {
        start.await();
        int count = 0;
        long last = -1;
        for (int call = 0; ; call++) {
            // Long locks and many retries: only the atomic lease keeps a job from a second worker.
            List<JobLease> leases = new ArrayList<>();
            for (int i = 0; i < 10; i++)
                leases.add(new JobLease(at(BATCH_PARALLEL_NOW), at(BATCH_PARALLEL_NOW + 3_600_000 + i), 1_000,
                        "worker-" + worker + "-" + call + "-" + i));
            List<JobV1> jobs = store.startJobsByType(CID, "batch-parallel", leases);
            if (jobs.isEmpty())
                return count;
            if (jobs.size() > leases.size())
                batchProblem(problems, problemCount, jobs.size() + " jobs for " + leases.size() + " leases");
            for (int i = 0; i < jobs.size() && i < leases.size(); i++) {
                JobV1 job = jobs.get(i);
                JobLease lease = leases.get(i);
                count++;
                if (!leased.add(job.getId()))
                    batchProblem(problems, problemCount, "leased twice: " + job);
                if (!lease.lockToken().equals(job.getLockToken()) || job.getRetries() != 1
                        || !lease.lockedUntil().toInstant().equals(job.getLockedUntil().toInstant()))
                    batchProblem(problems, problemCount, "not the terms of lease " + lease + ": " + job);
                long created = job.getCreated().toInstant().toEpochMilli();
                if (created <= last)
                    batchProblem(problems, problemCount, "worker " + worker + " got " + job + " after a job created at "
                            + last);
                last = created;
            }
        }
    }

    private static void batchProblem(Queue<String> problems, AtomicInteger problemCount, String problem) {
        if (problemCount.getAndIncrement() < 10)
            problems.add(problem);
    }
}
