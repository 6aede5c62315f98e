package org.servicejobs.persistence;

import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
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
 * <li><code>probe folder</code>: tries to open the store and prints <code>OPENED</code> (and closes
 * it) or <code>FAILED code</code>.</li>
 * </ul>
 * The process stops by itself when its standard input ends (the test that started it is gone)
 * or after {@link #MAX_LIFE_MILLIS}.
 */
public final class FileStoreCrashChild {
    static final String TYPE = "crash";
    static final String READY = "READY";
    private static final String CID = "file-store-crash-child";
    private static final int THREADS = 4;
    private static final long MAX_LIFE_MILLIS = 120_000;
    private static final OutputStream OUT = new FileOutputStream(FileDescriptor.out);

    private FileStoreCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "run" -> run(args[1], args[2], Long.parseLong(args[3]), Long.parseLong(args[4]), args[5]);
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

    private static void run(String folder, String sync, long compactSize, long seed, String runId) throws Exception {
        watchParent();
        JobsFilePersistence store = store(folder, sync, compactSize);
        store.open(CID);
        emit(READY);
        for (int t = 0; t < THREADS; t++) {
            Random random = new Random(seed * 31 + t);
            String prefix = runId + "-" + t;
            Thread worker = new Thread(() -> work(store, random, prefix), "crash-worker-" + t);
            worker.start();
        }
    }

    /** Adds, leases and completes jobs forever; prints each acknowledged change. */
    private static void work(JobsFilePersistence store, Random random, String prefix) {
        List<String[]> held = new ArrayList<>(); // {id, token} of this thread's leases
        try {
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
                    JobV1 completed = store.completeJob(CID, lease[0], lease[1], date(now));
                    if (completed != null)
                        emit("COMPLETE " + completed.getId());
                }
            }
        } catch (Throwable ex) {
            try {
                emit("ERROR " + ex.toString().replace('\n', ' '));
            } catch (IOException ignored) {
                // the parent is gone
            } finally {
                Runtime.getRuntime().halt(2);
            }
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
