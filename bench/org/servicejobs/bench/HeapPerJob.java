package org.servicejobs.bench;

import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.JobsMemoryPersistence;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Map;

/**
 * The heap a job takes in the memory store (the file store holds the same in memory), measured
 * after full garbage collections: 1,000,000 jobs of 10 types, ref_id "order-&lt;n&gt;", without
 * params, then again with small params.
 */
public final class HeapPerJob {
    private static final int JOBS = 1_000_000;

    private HeapPerJob() {
    }

    public static void main(String[] args) throws Exception {
        System.out.printf("heap per job, %,d jobs, no params: %d bytes%n", JOBS, measure(false));
        System.out.printf("heap per job, %,d jobs, params {\"to\": \"user-<n>@example.com\", \"attempt\": <n>}: %d bytes%n",
                JOBS, measure(true));
    }

    private static long measure(boolean withParams) throws Exception {
        long before = usedAfterGc();
        JobsMemoryPersistence store = new JobsMemoryPersistence();
        store.open(null);
        for (int i = 0; i < JOBS; i++) {
            Object params = withParams ? Map.of("to", "user-" + i + "@example.com", "attempt", i) : null;
            JobV1 job = new JobV1(null, "type-" + (i % 10), "order-" + i, params);
            job.setCreated(Stores.START.plusNanos(i * 1000L));
            store.create(null, job);
        }
        long after = usedAfterGc();
        long perJob = (after - before) / JOBS;
        if (store.getOneById(null, "none") != null)
            throw new IllegalStateException();
        store.close(null);
        return perJob;
    }

    private static long usedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
