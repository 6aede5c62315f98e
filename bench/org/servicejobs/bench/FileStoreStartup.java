package org.servicejobs.bench;

import org.pipservices3.commons.data.PagingParams;
import org.servicejobs.persistence.JobLease;
import org.servicejobs.persistence.JobsFilePersistence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Start-up of the file store with 1,000,000 jobs: half of them in a snapshot, the other half and
 * 100,000 leases in the journal after it. Prints the sizes per job and the time to open.
 */
public final class FileStoreStartup {
    private static final int JOBS = 1_000_000;

    private FileStoreStartup() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Files.createTempDirectory("jobs-startup");
        JobsFilePersistence store = Stores.file(folder, "none");
        for (int i = 0; i < JOBS / 2; i++)
            store.create(null, Stores.job(Stores.TYPE, i));
        store.compact(null);
        long snapshotBytes = size(folder, "snapshot-");
        long journalBefore = size(folder, "journal-");
        for (int i = JOBS / 2; i < JOBS; i++)
            store.create(null, Stores.job(Stores.TYPE, i));
        long journalAdds = size(folder, "journal-") - journalBefore;
        for (int i = 0; i < 100_000; i++)
            store.startJobByType(null, Stores.TYPE, new JobLease(Stores.START.plusDays(1), Stores.START.plusDays(2), 10, "t" + i));
        long journalLeases = size(folder, "journal-") - journalBefore - journalAdds;
        store.close(null);

        long started = System.nanoTime();
        JobsFilePersistence reopened = Stores.file(folder, "batch");
        long openMillis = (System.nanoTime() - started) / 1_000_000;
        long total = reopened.getPageByFilter(null, null, new PagingParams(0, 1, true), Stores.MOMENT).getTotal();
        Stores.close(reopened);

        System.out.printf("file store start-up with %,d jobs (%,d in the snapshot, %,d adds and 100,000 leases in the journal): %,d ms%n",
                total, JOBS / 2, JOBS / 2, openMillis);
        System.out.printf("snapshot: %d bytes per job; journal: %d bytes per add, %d bytes per lease%n",
                snapshotBytes / (JOBS / 2), journalAdds / (JOBS / 2), journalLeases / 100_000);
    }

    private static long size(Path folder, String prefix) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().startsWith(prefix))
                    .mapToLong(file -> file.toFile().length()).sum();
        }
    }
}
