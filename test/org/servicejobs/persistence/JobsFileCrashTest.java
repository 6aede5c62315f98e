package org.servicejobs.persistence;

import org.servicejobs.TestData;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobV1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Durability of {@link JobsFilePersistence} against a real crash: a child JVM
 * ({@link FileStoreCrashChild}) adds, leases and completes jobs and reports each change once the
 * store has answered; the test kills it with SIGKILL at a random moment after its first reported
 * change (every sixth round: soon after its start, maybe while it replays the journal), then
 * checks that a store opened on the same files holds every reported change. The next round
 * starts a new child on the same folder, so the journal grows (or is compacted) across rounds
 * and each child replays what the killed one left.
 * <p>
 * Sync <code>none</code> makes the same promise against a crash of the process (written to the
 * operating system before the answer); {@link JobsFilePersistenceTest} checks it by copying the
 * files the moment each call returns, as its volume would make this test slow.
 * <p>
 * The same with batches (createMany, startJobsByType, completeJobs): every reported batch is
 * there in full, and one that was cut by the kill whole or not at all.
 * <p>
 * The rounds are random: set <code>-Dcrash.seed=...</code> to repeat the seed a failure names.
 */
class JobsFileCrashTest {
    private static final String CID = "jobs-file-crash-test";
    private static final int ROUNDS = 24;
    private static final int BATCH_ROUNDS = 8;
    private static final int EXIT_SIGKILL = 128 + 9;
    private static final String END = new String("end of the child's output");

    @TempDir
    Path temp;

    @ParameterizedTest(name = "sync {0}")
    @ValueSource(strings = {"always", "batch"})
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everyAcknowledgedChangeSurvivesSigkill(String sync) throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        Path folder = temp.resolve("data");
        Acknowledged acknowledged = new Acknowledged();
        System.out.println("JobsFileCrashTest sync " + sync + ": seed " + seed);

        int activeRounds = 0;
        for (int round = 0; round < ROUNDS; round++) {
            // Every sixth round kills the child early, maybe while it starts or replays the journal.
            boolean early = round % 6 == 5;
            // A few rounds with a small compaction threshold: a kill may then cut a compaction.
            long compactSize = random.nextInt(4) == 0 ? 48 * 1024 : JobsFilePersistence.DEFAULT_COMPACT_SIZE;
            long delay = early ? random.nextInt(700) : 100 + random.nextInt(701);
            String context = "seed " + seed + ", sync " + sync + ", round " + round + ", compact_size " + compactSize
                    + ", kill " + delay + " ms after " + (early ? "the start" : "the first acknowledged change");
            List<String> lines = runAndKill("run", folder, sync, compactSize, random.nextLong(), "r" + round, delay,
                    early, round == 0, context);
            acknowledged.addAll(lines, context);
            if (!early)
                activeRounds++;

            // Check a copy, so that the next child meets the files exactly as the killed one left them.
            Path copy = temp.resolve("check-" + round);
            copyFolder(folder, copy);
            verify(copy, sync, acknowledged, context);
            deleteFolder(copy);
        }
        assertTrue(activeRounds >= 20, "rounds killed while working: " + activeRounds);
        verify(folder, sync, acknowledged, "seed " + seed + ", sync " + sync + ", after all rounds, the data folder");

        // Not a test that passes because nothing happened.
        String totals = "seed " + seed + ": " + acknowledged;
        assertTrue(acknowledged.added.size() >= 100, totals);
        assertTrue(acknowledged.leases.size() >= 40, totals);
        assertTrue(acknowledged.completed.size() >= 20, totals);
        System.out.println("JobsFileCrashTest sync " + sync + ": " + totals);
    }

    /**
     * Batches against a real crash: the child (mode <code>batches</code>) adds 100 jobs per
     * createMany, and leases and completes up to 100 per startJobsByType and completeJobs,
     * reporting each batch once it is answered. After each SIGKILL every reported batch is there
     * in full, and a batch that was not reported (the one a thread had in flight) is there whole or
     * not at all: a batch is one journal write.
     */
    @ParameterizedTest(name = "sync {0}")
    @ValueSource(strings = {"always", "batch"})
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void everyAcknowledgedBatchSurvivesSigkillInFull(String sync) throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        Path folder = temp.resolve("batches");
        Batches batches = new Batches();
        System.out.println("JobsFileCrashTest batches, sync " + sync + ": seed " + seed);

        for (int round = 0; round < BATCH_ROUNDS; round++) {
            boolean early = round % 4 == 3;
            long compactSize = random.nextInt(4) == 0 ? 256 * 1024 : JobsFilePersistence.DEFAULT_COMPACT_SIZE;
            long delay = early ? random.nextInt(700) : 100 + random.nextInt(701);
            String runId = "b" + round;
            String context = "seed " + seed + ", batches, sync " + sync + ", round " + round + ", compact_size "
                    + compactSize + ", kill " + delay + " ms after " + (early ? "the start" : "the first batch");
            List<String> lines = runAndKill("batches", folder, sync, compactSize, random.nextLong(), runId, delay,
                    early, false, context);
            batches.addAll(runId, lines, context);

            Path copy = temp.resolve("check-batches-" + round);
            copyFolder(folder, copy);
            verifyBatches(copy, sync, batches, context);
            deleteFolder(copy);
        }
        verifyBatches(folder, sync, batches, "seed " + seed + ", batches, sync " + sync + ", the data folder");

        String totals = "seed " + seed + ": " + batches;
        assertTrue(batches.added.size() >= 20, totals);
        assertTrue(batches.completed.size() >= 10, totals);
        System.out.println("JobsFileCrashTest batches, sync " + sync + ": " + totals);
    }

    /**
     * Starts a child and kills it <code>delay</code> ms after its first acknowledged change (or,
     * when <code>early</code>, after its start); returns the complete lines of changes it reported.
     */
    private List<String> runAndKill(String mode, Path folder, String sync, long compactSize, long childSeed,
                                    String runId, long delay, boolean early, boolean probeLock, String context)
            throws Exception {
        Path stderr = temp.resolve("child-" + runId + ".err");
        Process child = FileStoreCrashChild.start(stderr.toFile(), mode, folder.toString(), sync,
                Long.toString(compactSize), Long.toString(childSeed), runId);
        try {
            ChildOutput output = new ChildOutput(child.getInputStream());
            Thread reader = new Thread(output, "crash-child-reader-" + runId);
            reader.setDaemon(true);
            reader.start();

            List<String> lines = new ArrayList<>();
            if (!early) {
                String first = output.lines.poll(60, TimeUnit.SECONDS);
                if (!FileStoreCrashChild.READY.equals(first))
                    fail(context + ": the child did not open the store (first line: " + first + ", alive "
                            + child.isAlive() + "); stderr: " + read(stderr));

                if (probeLock) {
                    // Another process holds the folder: this one cannot open it.
                    JobsFilePersistence second = store(folder, sync);
                    ApplicationException error = assertThrows(ApplicationException.class, () -> second.open(CID),
                            context + ": opened while the child has the folder open");
                    assertEquals("FOLDER_IN_USE", error.getCode(), context);
                    assertFalse(second.isOpen(), context);
                }

                String change = output.lines.poll(60, TimeUnit.SECONDS);
                if (change == null || change == END)
                    fail(context + ": the child acknowledged no change (alive " + child.isAlive() + "); stderr: "
                            + read(stderr));
                lines.add(change);
            }

            Thread.sleep(delay);
            assertTrue(child.isAlive(), () -> context + ": the child stopped by itself; stderr: " + read(stderr));
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), context + ": the child did not die");
            assertEquals(EXIT_SIGKILL, child.exitValue(), context + ": the child was not killed by SIGKILL");

            reader.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(reader.isAlive(), context + ": the child's output did not end");
            for (String line = output.lines.poll(); line != null && line != END; line = output.lines.poll()) {
                if (!FileStoreCrashChild.READY.equals(line))
                    lines.add(line);
            }
            return lines;
        } finally {
            child.destroyForcibly();
            child.getOutputStream().close();
        }
    }

    /** Opens the store on a folder and checks every acknowledged change is in it. */
    private static void verify(Path folder, String sync, Acknowledged acknowledged, String context) throws Exception {
        JobsFilePersistence store = store(folder, sync);
        try {
            store.open(CID);
        } catch (ApplicationException ex) {
            throw new AssertionError(context + ": the store does not open after the kill: " + ex, ex);
        }
        try {
            List<String> problems = new ArrayList<>();
            for (String id : acknowledged.ids()) {
                JobV1 job = store.getOneById(CID, id);
                if (job == null) {
                    problems.add("job " + id + " is missing");
                    continue;
                }
                if (!FileStoreCrashChild.TYPE.equals(job.getType()))
                    problems.add("job " + id + " has type " + job.getType());
                if (acknowledged.completed.contains(id) && job.getCompleted() == null)
                    problems.add("job " + id + " was completed, it is not: " + job);
                Lease lease = acknowledged.leases.get(id);
                if (lease != null) {
                    if (job.getRetries() < lease.retries)
                        problems.add("job " + id + " was leased with retries " + lease.retries + ", has " + job);
                    else if (job.getCompleted() == null) {
                        if (job.getStarted() == null || job.getLockToken() == null)
                            problems.add("job " + id + " was leased (" + lease + "), it is not running: " + job);
                        else if (job.getRetries() == lease.retries && !lease.token.equals(job.getLockToken()))
                            problems.add("job " + id + " lost its lease " + lease + ": " + job);
                    }
                }
                if (problems.size() >= 20)
                    break;
            }
            long total = store.getPageByFilter(CID, new FilterParams(), new PagingParams(0, 1, true), TestData.MOMENT).getTotal();
            if (total < acknowledged.ids().size())
                problems.add("the store holds " + total + " jobs, " + acknowledged.ids().size() + " were added");
            if (!problems.isEmpty())
                fail(context + ": " + problems.size() + " problems (first 20): " + problems);
        } finally {
            store.close(CID);
        }
    }

    /**
     * Opens the store on a folder and checks every reported batch is in it in full, and every
     * batch that may have been in flight whole or not at all.
     */
    private static void verifyBatches(Path folder, String sync, Batches batches, String context) throws Exception {
        JobsFilePersistence store = store(folder, sync);
        try {
            store.open(CID);
        } catch (ApplicationException ex) {
            throw new AssertionError(context + ": the store does not open after the kill: " + ex, ex);
        }
        try {
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, List<String>> add : batches.added.entrySet()) {
                String key = add.getKey();
                List<String> ids = add.getValue();
                for (int k = 0; k < ids.size(); k++) {
                    JobV1 job = store.getOneById(CID, ids.get(k));
                    if (job == null)
                        problems.add("job " + k + " of the reported add " + key + " is missing");
                    else if (!FileStoreCrashChild.BATCH_TYPE.equals(job.getType())
                            || !FileStoreCrashChild.batchRef(key, k).equals(job.getRefId()))
                        problems.add("job " + k + " of the reported add " + key + " is another: " + job);
                }
            }
            for (String key : batches.addsInFlight) {
                long found = store.getPageByFilter(CID, FilterParams.fromTuples("search", "<" + key + ">"),
                        new PagingParams(0, 1, true), TestData.MOMENT).getTotal();
                if (found != 0 && found != FileStoreCrashChild.BATCH_SIZE)
                    problems.add("the add " + key + ", not reported, has " + found + " of its "
                            + FileStoreCrashChild.BATCH_SIZE + " jobs");
            }
            for (Map.Entry<String, List<String>> lease : batches.leased.entrySet()) {
                String key = lease.getKey();
                List<String> ids = lease.getValue();
                int done = 0;
                for (int i = 0; i < ids.size(); i++) {
                    JobV1 job = store.getOneById(CID, ids.get(i));
                    if (job == null) {
                        problems.add("job " + i + " of the reported lease " + key + " is missing");
                    } else if (job.getCompleted() != null) {
                        done++;
                        if (!Map.of("batch", key, "size", ids.size()).equals(job.getResult()))
                            problems.add("job " + i + " of " + key + " has another result: " + job.getResult());
                    } else if (job.getRetries() < 1 || !(key + "-" + i).equals(job.getLockToken())) {
                        problems.add("job " + i + " of the reported lease " + key + " lost its lease: " + job);
                    }
                }
                if (batches.completed.contains(key) ? done != ids.size() : done != 0 && done != ids.size())
                    problems.add("the complete of " + key + (batches.completed.contains(key) ? ", reported," : "")
                            + " holds " + done + " of its " + ids.size() + " jobs");
            }
            if (!problems.isEmpty())
                fail(context + ": " + problems.size() + " problems (first 20): "
                        + problems.subList(0, Math.min(20, problems.size())));
        } finally {
            store.close(CID);
        }
    }

    private static JobsFilePersistence store(Path folder, String sync) throws ApplicationException {
        JobsFilePersistence store = new JobsFilePersistence();
        store.configure(ConfigParams.fromTuples("path", folder.toString(), "options.sync", sync));
        return store;
    }

    private static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(from)) {
            for (Path file : files)
                Files.copy(file, to.resolve(file.getFileName()));
        }
    }

    private static void deleteFolder(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList())
                Files.delete(file);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(none)";
        } catch (IOException ex) {
            return "(unreadable: " + ex + ")";
        }
    }

    private record Lease(int retries, String token) {
    }

    /** Every change the children reported, over all rounds. */
    private static final class Acknowledged {
        final Set<String> added = new LinkedHashSet<>();
        final Map<String, Lease> leases = new HashMap<>();
        final Set<String> completed = new HashSet<>();
        int leaseLines;

        void addAll(List<String> lines, String context) {
            for (String line : lines) {
                String[] words = line.split(" ");
                switch (words[0]) {
                    case "ADD" -> {
                        assertEquals(2, words.length, context + ": " + line);
                        added.add(words[1]);
                    }
                    case "LEASE" -> {
                        assertEquals(4, words.length, context + ": " + line);
                        Lease lease = new Lease(Integer.parseInt(words[3]), words[2]);
                        // Two leases of a job may be reported out of order: the later one has more retries.
                        leases.merge(words[1], lease, (a, b) -> a.retries >= b.retries ? a : b);
                        leaseLines++;
                    }
                    case "COMPLETE" -> {
                        assertEquals(2, words.length, context + ": " + line);
                        completed.add(words[1]);
                    }
                    default -> fail(context + ": the child reported " + line);
                }
            }
        }

        Set<String> ids() {
            Set<String> ids = new LinkedHashSet<>(added);
            ids.addAll(leases.keySet());
            ids.addAll(completed);
            return ids;
        }

        @Override
        public String toString() {
            return added.size() + " jobs added, " + leases.size() + " jobs leased (" + leaseLines + " leases), "
                    + completed.size() + " completed";
        }
    }

    /** Every batch the children reported, over all rounds, and the adds that may have been in flight. */
    private static final class Batches {
        final Map<String, List<String>> added = new LinkedHashMap<>();
        final Map<String, List<String>> leased = new LinkedHashMap<>();
        final Set<String> completed = new HashSet<>();
        /** Per child and thread, its next add: not reported, maybe cut by the kill. */
        final List<String> addsInFlight = new ArrayList<>();
        private final Set<String> leasedJobs = new HashSet<>();

        void addAll(String runId, List<String> lines, String context) {
            int[] nextAdd = new int[FileStoreCrashChild.THREADS];
            for (String line : lines) {
                String[] words = line.split(" ");
                List<String> ids = List.of(words).subList(Math.min(2, words.length), words.length);
                switch (words[0]) {
                    case "ADDED" -> {
                        assertEquals(FileStoreCrashChild.BATCH_SIZE, new HashSet<>(ids).size(), context + ": " + line);
                        // runId-thread-aN: each thread reports its adds in order.
                        String[] key = words[1].split("-");
                        int thread = Integer.parseInt(key[1]);
                        assertEquals("a" + nextAdd[thread], key[2], context + ": the adds of a thread in order");
                        nextAdd[thread]++;
                        added.put(words[1], ids);
                    }
                    case "LEASED" -> {
                        assertTrue(!ids.isEmpty() && ids.size() <= FileStoreCrashChild.BATCH_SIZE, context + ": " + line);
                        for (String id : ids)
                            assertTrue(leasedJobs.add(id), context + ": job " + id + " leased twice");
                        leased.put(words[1], ids);
                    }
                    case "COMPLETED" -> {
                        assertEquals(2, words.length, context + ": " + line);
                        assertTrue(leased.containsKey(words[1]), context + ": completed before leased: " + line);
                        completed.add(words[1]);
                    }
                    default -> fail(context + ": the child reported " + line);
                }
            }
            for (int t = 0; t < nextAdd.length; t++)
                addsInFlight.add(runId + "-" + t + "-a" + nextAdd[t]);
        }

        @Override
        public String toString() {
            return added.size() + " adds of " + FileStoreCrashChild.BATCH_SIZE + " jobs, " + leased.size()
                    + " leases (" + leasedJobs.size() + " jobs), " + completed.size() + " completes";
        }
    }

    /** Reads the child's stdout; only lines that end with a newline count. */
    private static final class ChildOutput implements Runnable {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final InputStream in;

        ChildOutput(InputStream in) {
            this.in = in;
        }

        @Override
        public void run() {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    for (int i = 0; i < read; i++) {
                        if (buffer[i] == '\n') {
                            lines.add(line.toString(StandardCharsets.UTF_8));
                            line.reset();
                        } else {
                            line.write(buffer[i]);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the pipe closed: what was read is all there is; a partial line is dropped
            } finally {
                lines.add(END);
            }
        }
    }
}
