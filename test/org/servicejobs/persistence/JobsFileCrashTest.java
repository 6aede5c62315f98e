package org.servicejobs.persistence;

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
 * The rounds are random: set <code>-Dcrash.seed=...</code> to repeat the seed a failure names.
 */
class JobsFileCrashTest {
    private static final String CID = "jobs-file-crash-test";
    private static final int ROUNDS = 24;
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
            List<String> lines = runAndKill(folder, sync, compactSize, random.nextLong(), "r" + round, delay,
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
     * Starts a child and kills it <code>delay</code> ms after its first acknowledged change (or,
     * when <code>early</code>, after its start); returns the complete lines of changes it reported.
     */
    private List<String> runAndKill(Path folder, String sync, long compactSize, long childSeed, String runId,
                                    long delay, boolean early, boolean probeLock, String context) throws Exception {
        Path stderr = temp.resolve("child-" + runId + ".err");
        Process child = FileStoreCrashChild.start(stderr.toFile(), "run", folder.toString(), sync,
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
            long total = store.getPageByFilter(CID, new FilterParams(), new PagingParams(0, 1, true)).getTotal();
            if (total < acknowledged.ids().size())
                problems.add("the store holds " + total + " jobs, " + acknowledged.ids().size() + " were added");
            if (!problems.isEmpty())
                fail(context + ": " + problems.size() + " problems (first 20): " + problems);
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
