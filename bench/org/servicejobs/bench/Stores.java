package org.servicejobs.bench;

import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobMoment;
import org.servicejobs.persistence.JobsFilePersistence;
import org.servicejobs.persistence.JobsMemoryPersistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Comparator;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/** Stores for the benchmarks, filled with jobs. */
final class Stores {
    static final String TYPE = "bench";
    static final ZonedDateTime START = ZonedDateTime.ofInstant(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    /** The moment of the reads: a day after the start, 10 retries. */
    static final JobMoment MOMENT = new JobMoment(START.plusDays(1), 10);

    private Stores() {
    }

    static JobV1 job(String type, long n) {
        JobV1 job = new JobV1(null, type, "ref-" + n, null);
        job.setCreated(START.plusNanos(n * 1000));
        return job;
    }

    /** A memory store, or a file store (sync batch) in a new temporary folder, holding <code>jobs</code> jobs. */
    static IJobsPersistence open(String kind, int jobs, String[] ids) throws ApplicationException, IOException {
        return open(kind, jobs, ids, n -> job(TYPE, n));
    }

    /**
     * A store holding the jobs <code>maker</code> makes for 0 to <code>jobs - 1</code>: memory,
     * file (sync batch) or file-nosync (sync none).
     */
    static IJobsPersistence open(String kind, int jobs, String[] ids, LongFunction<JobV1> maker)
            throws ApplicationException, IOException {
        if (kind.equals("memory")) {
            JobsMemoryPersistence store = new JobsMemoryPersistence();
            store.open(null);
            fill(store, jobs, ids, maker);
            return store;
        }
        Path folder = Files.createTempDirectory("jobs-bench");
        JobsFilePersistence filling = file(folder, "none");
        fill(filling, jobs, ids, maker);
        filling.close(null);
        return file(folder, kind.equals("file-nosync") ? "none" : "batch");
    }

    /**
     * A job of the lifecycle benchmark: params with a text to search; every tenth completed, every
     * tenth (shifted) failed, every tenth (shifted again) scheduled for after {@link #MOMENT}.
     */
    static JobV1 lifecycleJob(long n) {
        JobV1 job = new JobV1(null, TYPE, "ref-" + n, Map.of("user", "user-" + n, "text", "Hello World " + n));
        job.setCreated(START.plusNanos(n * 1000));
        switch ((int) (n % 10)) {
            case 0 -> {
                job.setStarted(START.plusHours(1));
                job.setCompleted(START.plusHours(2));
                job.setRetries(1);
            }
            case 1 -> {
                job.setStarted(START.plusHours(1));
                job.setFailed(START.plusHours(2));
                job.setRetries(1);
            }
            case 2 -> job.setRunAt(START.plusDays(10));
            default -> {
            }
        }
        return job;
    }

    static JobsFilePersistence file(Path folder, String sync) throws ApplicationException {
        JobsFilePersistence store = new JobsFilePersistence(folder.toString());
        store.configure(ConfigParams.fromTuples("options.sync", sync));
        store.open(null);
        return store;
    }

    static void fill(IJobsPersistence store, int jobs, String[] ids, LongFunction<JobV1> maker)
            throws ApplicationException {
        for (int i = 0; i < jobs; i++) {
            String id = store.create(null, maker.apply(i)).getId();
            if (ids != null)
                ids[i] = id;
        }
    }

    static void close(IJobsPersistence store) throws Exception {
        if (store instanceof JobsFilePersistence file) {
            Path folder = Path.of(file.getPath());
            file.close(null);
            try (Stream<Path> files = Files.walk(folder)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        } else {
            ((JobsMemoryPersistence) store).close(null);
        }
    }
}
