package org.servicejobs.bench;

import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobsFilePersistence;
import org.servicejobs.persistence.JobsMemoryPersistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Comparator;
import java.util.stream.Stream;

/** Stores for the benchmarks, filled with jobs. */
final class Stores {
    static final String TYPE = "bench";
    static final ZonedDateTime START = ZonedDateTime.ofInstant(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private Stores() {
    }

    static JobV1 job(String type, long n) {
        JobV1 job = new JobV1(null, type, "ref-" + n, null);
        job.setCreated(START.plusNanos(n * 1000));
        return job;
    }

    /** A memory store, or a file store (sync batch) in a new temporary folder, holding <code>jobs</code> jobs. */
    static IJobsPersistence open(String kind, int jobs, String[] ids) throws ApplicationException, IOException {
        if (kind.equals("memory")) {
            JobsMemoryPersistence store = new JobsMemoryPersistence();
            store.open(null);
            fill(store, jobs, ids);
            return store;
        }
        Path folder = Files.createTempDirectory("jobs-bench");
        JobsFilePersistence filling = file(folder, "none");
        fill(filling, jobs, ids);
        filling.close(null);
        return file(folder, "batch");
    }

    static JobsFilePersistence file(Path folder, String sync) throws ApplicationException {
        JobsFilePersistence store = new JobsFilePersistence(folder.toString());
        store.configure(ConfigParams.fromTuples("options.sync", sync));
        store.open(null);
        return store;
    }

    static void fill(IJobsPersistence store, int jobs, String[] ids) throws ApplicationException {
        for (int i = 0; i < jobs; i++) {
            String id = store.create(null, job(TYPE, i)).getId();
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
