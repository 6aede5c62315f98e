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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.IJobsPersistence;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** add_job at 16 concurrent callers: the memory store, and the file store with sync batch (group commit). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Xms6g"})
public class ConcurrentAddBenchmark {
    @Param({"memory", "file"})
    public String store;

    private IJobsPersistence persistence;
    private final AtomicLong added = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        persistence = Stores.open(store, 10_000, null);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Stores.close(persistence);
    }

    @Benchmark
    public JobV1 add() throws Exception {
        return persistence.create(null, Stores.job("added", added.incrementAndGet()));
    }
}
