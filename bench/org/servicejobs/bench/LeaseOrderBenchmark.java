package org.servicejobs.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobLease;

import java.util.concurrent.TimeUnit;

/**
 * The lease by type (lease, complete, and one add so the backlog stays the same) with 10,000 jobs
 * waiting, against the same with 1,000,000 more scheduled for later, and with the waiting jobs
 * spread over 10 priorities. Single caller; memory store, file store (sync batch: each change
 * waits for its fsync) and file store without fsync (sync none: the index and the journal only).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Xms6g"})
public class LeaseOrderBenchmark {
    private static final int WAITING = 10_000;
    private static final int SCHEDULED = 1_000_000;

    @Param({"10k-waiting", "10k-waiting+1M-scheduled", "10k-waiting-10-priorities"})
    public String backlog;

    @Param({"memory", "file", "file-nosync"})
    public String store;

    private IJobsPersistence persistence;
    private long added;
    private final JobLease lease = new JobLease(Stores.START.plusDays(1), Stores.START.plusDays(2), 10, "token");

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        boolean scheduled = backlog.contains("scheduled");
        int count = WAITING + (scheduled ? SCHEDULED : 0);
        persistence = Stores.open(store, count, null, n -> n < WAITING ? waiting(n) : later(n));
        added = count;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Stores.close(persistence);
    }

    @Benchmark
    public JobV1 leaseCompleteAdd() throws Exception {
        JobV1 job = persistence.startJobByType(null, Stores.TYPE, lease);
        persistence.completeJob(null, job.getId(), "token", lease.now(), null);
        return persistence.create(null, waiting(added++));
    }

    private JobV1 waiting(long n) {
        JobV1 job = Stores.job(Stores.TYPE, n);
        if (backlog.contains("priorities"))
            job.setPriority((int) (n % 10));
        return job;
    }

    /** A job scheduled ten days after the start: nine days after every lease of the benchmark. */
    private static JobV1 later(long n) {
        JobV1 job = Stores.job(Stores.TYPE, n);
        job.setRunAt(Stores.START.plusDays(10));
        return job;
    }
}
