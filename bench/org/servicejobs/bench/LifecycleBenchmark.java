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
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.IJobsPersistence;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The reads of the job lifecycle at 1M jobs held (memory and file stores): get_job_stats, a page
 * of 100 by state, and a page of 100 by search (a term many jobs match, one that a single job
 * matches, so the whole store is searched, and that one within a state). The jobs: 1M of one type,
 * every tenth completed, every tenth failed, every tenth scheduled for later, the rest waiting.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Xms6g"})
public class LifecycleBenchmark {
    @Param({"1000000"})
    public int jobs;

    @Param({"memory", "file"})
    public String store;

    private IJobsPersistence persistence;
    private final PagingParams page = new PagingParams(0, 100, false);
    private final PagingParams pageWithTotal = new PagingParams(0, 100, true);
    private final FilterParams failed = FilterParams.fromTuples("state", "failed");
    private final FilterParams waitingOrScheduled = FilterParams.fromTuples("state", "waiting,scheduled");
    private final FilterParams searchMany = FilterParams.fromTuples("search", "hello world 1");
    private final FilterParams searchOne = FilterParams.fromTuples("search", "ref-987654");
    private final FilterParams searchOneFailed = FilterParams.fromTuples("search", "ref-987650", "state", "failed");

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        persistence = Stores.open(store, jobs, null, Stores::lifecycleJob);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Stores.close(persistence);
    }

    @Benchmark
    public Map<String, JobTypeStatsV1> getJobStats() throws Exception {
        return persistence.getStats(null, Stores.MOMENT);
    }

    @Benchmark
    public DataPage<JobV1> statePageFailed() throws Exception {
        return persistence.getPageByFilter(null, failed, page, Stores.MOMENT);
    }

    @Benchmark
    public DataPage<JobV1> statePageFailedWithTotal() throws Exception {
        return persistence.getPageByFilter(null, failed, pageWithTotal, Stores.MOMENT);
    }

    @Benchmark
    public DataPage<JobV1> statePageTwoStates() throws Exception {
        return persistence.getPageByFilter(null, waitingOrScheduled, page, Stores.MOMENT);
    }

    @Benchmark
    public DataPage<JobV1> searchPageManyMatch() throws Exception {
        return persistence.getPageByFilter(null, searchMany, page, Stores.MOMENT);
    }

    @Benchmark
    public DataPage<JobV1> searchPageOneMatchesWholeStore() throws Exception {
        return persistence.getPageByFilter(null, searchOne, page, Stores.MOMENT);
    }

    @Benchmark
    public DataPage<JobV1> searchPageOneMatchesWithinAState() throws Exception {
        return persistence.getPageByFilter(null, searchOneFailed, page, Stores.MOMENT);
    }
}
