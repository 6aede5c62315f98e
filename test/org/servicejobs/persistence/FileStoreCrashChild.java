package org.servicejobs.persistence;

import org.servicejobs.TestData;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobV1;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A separate JVM for the durability tests of {@link JobsFilePersistence}; not a test itself.
 * <ul>
 * <li><code>run folder sync compactSize seed runId</code>: opens the store, prints <code>READY</code>,
 * then 4 threads add, lease and complete jobs of type <code>crash</code> until the process is
 * killed. After each call returns it prints one line describing the acknowledged change:
 * <code>ADD id</code>, <code>LEASE id token retries</code>, <code>COMPLETE id</code>; a failure
 * prints <code>ERROR ...</code> and stops the process.</li>
 * <li><code>batches folder sync compactSize seed runId</code>: the same with batches of jobs of
 * type <code>crash-batch</code>: each thread adds {@link #BATCH_SIZE} jobs in one createMany
 * (batch <code>key</code> = <code>runId-thread-aN</code>, the N-th add of the thread; ref_ids
 * {@link #batchRef}), or leases up to {@link #BATCH_SIZE} in one startJobsByType (lease
 * <code>i</code> with the token <code>key-i</code>) and completes them in one completeJobs (each
 * with the result <code>{batch: key, size: n}</code>). It prints <code>ADDED key id...</code>,
 * <code>LEASED key id...</code> (in lease order) and <code>COMPLETED key</code>.</li>
 * <li><code>probe folder</code>: tries to open the store and prints <code>OPENED</code> (and closes
 * it) or <code>FAILED code</code>.</li>
 * </ul>
 * The process stops by itself when its standard input ends (the test that started it is gone)
 * or after {@link #MAX_LIFE_MILLIS}.
 */
public final class FileStoreCrashChild {
    static final String TYPE = "crash";
    static final String READY = "READY";
    static final String BATCH_TYPE = "crash-batch";
    static final int BATCH_SIZE = 100;
    private static final String CID = "file-store-crash-child";
    static final int THREADS = 4;
    private static final long MAX_LIFE_MILLIS = 120_000;
    private static final OutputStream OUT = new FileOutputStream(FileDescriptor.out);

    private FileStoreCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "run", "batches" -> run(args[1], args[2], Long.parseLong(args[3]), Long.parseLong(args[4]), args[5],
                    args[0].equals("batches"));
            case "probe" -> probe(args[1]);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** Starts this class in a new JVM (the running one's java and class path), stderr to a file. */
    static Process start(File stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:-UsePerfData");
        command.add(FileStoreCrashChild.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(stderr).start();
    }

    /** Runs the probe in a new JVM and returns its one line of output (bounded wait). */
    static String probeInChild(Path folder, File stderr) throws IOException, InterruptedException {
        Process process = start(stderr, "probe", folder.toString());
        try {
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS))
                throw new IllegalStateException("the probe did not end within 60 s");
            try (InputStream in = process.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
        } finally {
            process.destroyForcibly();
        }
    }

    private static JobsFilePersistence store(String folder, String sync, long compactSize) throws ApplicationException {
        JobsFilePersistence store = new JobsFilePersistence();
        store.configure(ConfigParams.fromTuples("path", folder, "options.sync", sync,
                "options.compact_size", compactSize));
        return store;
    }

    private static void probe(String folder) throws IOException {
        JobsFilePersistence store = new JobsFilePersistence();
        try {
            store.configure(ConfigParams.fromTuples("path", folder));
            store.open(CID);
            emit("OPENED");
            store.close(CID);
        } catch (ApplicationException ex) {
            emit("FAILED " + ex.getCode());
        }
    }

    private static void run(String folder, String sync, long compactSize, long seed, String runId, boolean batches)
            throws Exception {
        watchParent();
        JobsFilePersistence store = store(folder, sync, compactSize);
        store.open(CID);
        emit(READY);
        for (int t = 0; t < THREADS; t++) {
            Random random = new Random(seed * 31 + t);
            String prefix = runId + "-" + t;
            Thread worker = new Thread(() -> {
                try {
                    if (batches)
                        workInBatches(store, random, prefix);
                    else
                        work(store, random, prefix);
                } catch (Throwable ex) {
                    reportAndHalt(ex);
                }
            }, "crash-worker-" + t);
            worker.start();
        }
    }

    /** Adds, leases and completes jobs forever; prints each acknowledged change. */
    private static void work(JobsFilePersistence store, Random random, String prefix) throws Exception {
        List<String[]> held = new ArrayList<>(); // {id, token} of this thread's leases
        for (long n = 0; ; n++) {
            int op = random.nextInt(100);
            long now = System.currentTimeMillis();
            if (op < 35) {
                JobV1 job = new JobV1(null, TYPE, prefix + "-" + n, Map.of("n", n, "by", prefix));
                job.setCreated(date(now));
                JobV1 added = store.create(CID, job);
                emit("ADD " + added.getId());
            } else if (op < 75) {
                String token = prefix + "-" + n;
                long lockMillis = 50 + random.nextInt(5_000);
                JobV1 leased = store.startJobByType(CID, TYPE,
                        new JobLease(date(now), date(now + lockMillis), 1_000_000, token));
                if (leased != null) {
                    emit("LEASE " + leased.getId() + " " + leased.getLockToken() + " " + leased.getRetries());
                    held.add(new String[]{leased.getId(), token});
                }
            } else if (!held.isEmpty()) {
                String[] lease = held.remove(random.nextInt(held.size()));
                JobV1 completed = store.completeJob(CID, lease[0], lease[1], date(now), null);
                if (completed != null)
                    emit("COMPLETE " + completed.getId());
            }
        }
    }

    /**
     * Adds, leases and completes jobs in batches forever; prints each acknowledged batch. Leases
     * hold 10 minutes: no other lease takes their jobs while the test runs.
     */
    private static void workInBatches(JobsFilePersistence store, Random random, String prefix) throws Exception {
        int adds = 0;
        for (long n = 0; ; n++) {
            long now = System.currentTimeMillis();
            if (random.nextBoolean()) {
                String key = prefix + "-a" + adds++;
                List<JobV1> jobs = new ArrayList<>(BATCH_SIZE);
                for (int k = 0; k < BATCH_SIZE; k++) {
                    JobV1 job = new JobV1(null, BATCH_TYPE, batchRef(key, k), Map.of("batch", key, "k", k));
                    job.setCreated(date(now));
                    jobs.add(job);
                }
                emit("ADDED " + key + idsOf(store.createMany(CID, jobs)));
            } else {
                String key = prefix + "-c" + n;
                List<JobLease> leases = new ArrayList<>();
                for (int i = 1 + random.nextInt(BATCH_SIZE); i > 0; i--)
                    leases.add(new JobLease(date(now), date(now + 600_000), 1_000_000, key + "-" + leases.size()));
                List<JobV1> leased = store.startJobsByType(CID, BATCH_TYPE, leases);
                if (leased.isEmpty())
                    continue;
                emit("LEASED " + key + idsOf(leased));
                List<JobCompletionV1> completions = new ArrayList<>();
                for (int i = 0; i < leased.size(); i++)
                    completions.add(new JobCompletionV1(leased.get(i).getId(), key + "-" + i,
                            Map.of("batch", key, "size", leased.size())));
                List<JobV1> done = store.completeJobs(CID, completions, date(System.currentTimeMillis()));
                if (done.contains(null))
                    throw new IllegalStateException("batch " + key + " not completed in full: " + done);
                emit("COMPLETED " + key);
            }
        }
    }

    /** The ref_id of job <code>k</code> of a batch: a search for <code>&lt;key&gt;</code> finds that batch only. */
    static String batchRef(String key, int k) {
        return "<" + key + ">" + k;
    }

    private static String idsOf(List<JobV1> jobs) {
        StringBuilder ids = new StringBuilder();
        for (JobV1 job : jobs)
            ids.append(' ').append(job.getId());
        return ids.toString();
    }

    /** Prints the failure and stops the process. */
    private static void reportAndHalt(Throwable ex) {
        try {
            emit("ERROR " + ex.toString().replace('\n', ' '));
        } catch (IOException ignored) {
            // the parent is gone
        } finally {
            Runtime.getRuntime().halt(2);
        }
    }

    /** Stops this process when the parent closes our stdin or dies, or after the longest life. */
    private static void watchParent() {
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent never writes; wait for the end
                }
            } catch (IOException ignored) {
                // the parent is gone
            }
            Runtime.getRuntime().halt(3);
        }, "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
        Thread timer = new Thread(() -> {
            try {
                Thread.sleep(MAX_LIFE_MILLIS);
            } catch (InterruptedException ignored) {
                // stop anyway
            }
            Runtime.getRuntime().halt(4);
        }, "max-life");
        timer.setDaemon(true);
        timer.start();
    }

    /** One whole line in one write to the pipe, so that lines of threads never mix. */
    private static void emit(String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (OUT) {
            OUT.write(bytes);
            OUT.flush();
        }
    }

    private static ZonedDateTime date(long millis) {
        return ZonedDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
}
