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
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobLease;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The stores at 10k, 100k and 1M jobs held: add, the lease+complete cycle (with one add so the
 * backlog stays the same), get by id, and get_jobs by type with a page of 100. Single caller.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Xms6g"})
public class StoreBenchmark {
    @Param({"10000", "100000", "1000000"})
    public int jobs;

    @Param({"memory", "file"})
    public String store;

    private IJobsPersistence persistence;
    private String[] ids;
    private long added;
    private final FilterParams byType = FilterParams.fromTuples("type", Stores.TYPE);
    private final PagingParams page = new PagingParams(0, 100, false);

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ids = new String[jobs];
        persistence = Stores.open(store, jobs, ids);
        added = jobs;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Stores.close(persistence);
    }

    @Benchmark
    public JobV1 add() throws Exception {
        return persistence.create(null, Stores.job("added", added++));
    }

    @Benchmark
    public JobV1 leaseComplete() throws Exception {
        JobLease lease = new JobLease(Stores.START.plusDays(1), Stores.START.plusDays(2), 10, "token");
        JobV1 job = persistence.startJobByType(null, Stores.TYPE, lease);
        persistence.completeJob(null, job.getId(), "token", Stores.START.plusDays(1), null);
        return persistence.create(null, Stores.job(Stores.TYPE, added++));
    }

    @Benchmark
    public JobV1 getById() throws Exception {
        return persistence.getOneById(null, ids[ThreadLocalRandom.current().nextInt(ids.length)]);
    }

    @Benchmark
    public DataPage<JobV1> getJobsByTypePage100() throws Exception {
        return persistence.getPageByFilter(null, byType, page, Stores.MOMENT);
    }
}
