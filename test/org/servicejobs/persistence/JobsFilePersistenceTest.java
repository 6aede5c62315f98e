package org.servicejobs.persistence;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobV1;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.servicejobs.TestData.at;

/**
 * The persistence contract on {@link JobsFilePersistence} (each contract test also checks that
 * what it left comes back equal after a restart), and what is particular to the file store:
 * restarts, compaction, sync policies, the folder lock, and journals and snapshots damaged on
 * purpose (written by the store, then edited byte by byte).
 * <p>
 * Each test has a time limit, so that a journal that never answers fails the test instead of
 * hanging the build.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JobsFilePersistenceTest extends JobsPersistenceFixture {
    private static final String CID = "jobs-file-test";
    private static final long NOW = 100_000;
    private static final int MAX_RETRIES = 3;
    private static final int RECORD_MAGIC = 0x4A4F4231;
    private static final int RECORD_HEADER = 12;
    private static final int JOURNAL_HEADER = 16;
    private static final Pattern JOURNAL = Pattern.compile("journal-(\\d{16})\\.log");
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d{16})\\.dat");

    @TempDir
    Path temp;

    private final List<JobsFilePersistence> stores = new ArrayList<>();

    /** The store of the contract tests, in a folder of its own (sync batch). */
    @Override
    protected IJobsPersistence newPersistence() throws Exception {
        return store(contractConfig());
    }

    @Override
    protected int concurrentJobCount() {
        return 20_000;
    }

    /** A restart: the store is closed and opened again on its folder. */
    @Override
    public IJobsPersistence reopen() throws Exception {
        persistence = restart((JobsFilePersistence) persistence, contractConfig());
        return persistence;
    }

    /**
     * What a contract test left comes back equal after a restart; then every store of the test
     * is closed. (A subclass's @AfterEach runs before the fixture's.)
     */
    @AfterEach
    void contractJobsSurviveARestartThenClose() throws Exception {
        try {
            List<JobV1> before = allJobs(persistence);
            persistence = restart((JobsFilePersistence) persistence, contractConfig());
            assertSameJobs(before, allJobs(persistence), "after the test and a restart");
        } finally {
            for (JobsFilePersistence store : stores) {
                if (store.isOpen())
                    store.close(CID);
            }
        }
    }

    private Object[] contractConfig() {
        return new Object[]{"path", temp.resolve("contract").toString(), "options.sync", "batch"};
    }

    // ---------------------------------------------------------------- the file store

    @Test
    void everyStateComesBackEqualAfterRestartAndCompaction() throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        List<JobV1> filler = new ArrayList<>();
        // About a megabyte of small records before the large one: records cross the read buffer.
        for (int i = 0; i < 3_000; i++)
            filler.add(store.create(CID, TestData.job("filler", "filler-" + i, at(10_000 + i))));
        JobV1 running = buildEveryState(store);
        JobV1 deleted = store.create(CID, TestData.job("restart", "deleted", at(9_000)));
        assertNotNull(store.deleteById(CID, deleted.getId()));
        List<JobV1> before = allJobs(store);

        store = restart(store, config);
        assertSameJobs(before, allJobs(store), "after a restart");
        assertNull(store.getOneById(CID, deleted.getId()), "a deleted job stays deleted");
        assertEquals(filler.get(1_234), store.getOneById(CID, filler.get(1_234).getId()));

        store.compact(CID);
        assertEquals(List.of("journal-0000000000000001.log", "snapshot-0000000000000001.dat"), dataFiles(),
                "compaction writes a snapshot, starts a new journal and deletes the old files");
        assertSameJobs(before, allJobs(store), "compaction changes nothing");
        store = restart(store, config);
        assertSameJobs(before, allJobs(store), "after compaction and a restart");

        // Changes after the snapshot are in the new journal.
        assertNotNull(store.completeJob(CID, running.getId(), "token-running", at(NOW + 50), null));
        assertNotNull(store.deleteById(CID, filler.get(0).getId()));
        store.create(CID, TestData.job("restart", "after-snapshot", at(8_000)));
        List<JobV1> after = allJobs(store);
        store = restart(store, config);
        assertSameJobs(after, allJobs(store), "changes after a snapshot, after a restart");

        store.compact(CID);
        store.compact(CID);
        store = restart(store, config);
        assertSameJobs(after, allJobs(store), "after two more compactions and a restart");
        assertEquals(List.of("journal-0000000000000003.log", "snapshot-0000000000000003.dat"), dataFiles());
    }

    /** Jobs in every state, made through the store; returns the running job with lock token "token-running". */
    private static JobV1 buildEveryState(IJobsPersistence store) throws ApplicationException {
        store.create(CID, TestData.job("restart", "waiting", at(1_000)));

        JobV1 running = store.create(CID, TestData.job("restart", "running", at(2_000)));
        assertNotNull(store.startJobById(CID, running.getId(), lease(NOW, NOW + 60_000, "token-running")));

        JobV1 extended = store.create(CID, TestData.job("restart", "extended", at(3_000)));
        assertNotNull(store.startJobById(CID, extended.getId(), lease(NOW, NOW + 60_000, "token-extended")));
        assertNotNull(store.extendJob(CID, extended.getId(), "token-extended", at(NOW + 600_000), null));

        JobV1 completed = store.create(CID, TestData.job("restart", "completed", at(4_000)));
        assertNotNull(store.startJobById(CID, completed.getId(), lease(NOW, NOW + 60_000, "token-completed")));
        assertNotNull(store.completeJob(CID, completed.getId(), "token-completed", at(NOW + 10), null));

        JobV1 aborted = store.create(CID, TestData.job("restart", "aborted", at(5_000)));
        for (int i = 0; i < 2; i++) {
            assertNotNull(store.startJobById(CID, aborted.getId(), lease(NOW + i, NOW + 60_000, "token-aborted-" + i)));
            assertNotNull(store.abortJob(CID, aborted.getId(), "token-aborted-" + i, TestData.abort(NOW)));
        }
        assertEquals(2, store.getOneById(CID, aborted.getId()).getRetries());

        JobV1 expiredLock = store.create(CID, TestData.job("restart", "expired-lock", at(5_500)));
        assertNotNull(store.startJobById(CID, expiredLock.getId(), lease(NOW, NOW + 1, "token-expired-lock")));

        JobV1 expired = TestData.job("restart", "expired-ttl", at(6_000));
        expired.setExecuteUntil(at(7_000));
        store.create(CID, expired);

        JobV1 outOfRetries = TestData.job("restart", "out-of-retries", at(6_500));
        outOfRetries.setRetries(MAX_RETRIES);
        store.create(CID, outOfRetries);

        // Added in a state, as an import would.
        JobV1 added = TestData.job("restart-added", "added-running", at(7_500));
        added.setStarted(at(NOW - 5));
        added.setLockedUntil(at(NOW + 5_000));
        added.setExecuteUntil(at(NOW + 999_999));
        added.setRetries(7);
        added.setLockToken("token-added");
        store.create(CID, added);

        JobV1 big = new JobV1("restart-big-params", "restart", "big", bigParams());
        big.setCreated(at(7_700));
        store.create(CID, big);

        JobV1 noParams = new JobV1(null, "restart", null, null);
        noParams.setCreated(at(7_800));
        store.create(CID, noParams);

        JobV1 scalarParams = new JobV1(null, "restart", "scalar", "just a string: \"quoted\" \u00e9\u4e2d");
        scalarParams.setCreated(at(7_900));
        store.create(CID, scalarParams);

        JobV1 listParams = new JobV1(null, "restart", "list", List.of(1, "two", List.of(), Map.of()));
        listParams.setCreated(at(7_900));
        store.create(CID, listParams);
        return running;
    }

    /** Nested params of every JSON kind, more than a megabyte (larger than a read buffer). */
    private static Map<String, Object> bigParams() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("text", "unicode \u00fc\u00e9 \u65e5\u672c \u2713 tab\t newline\n quote\" backslash\\");
        params.put("int", Integer.MAX_VALUE);
        params.put("negative", -42);
        params.put("long", Long.MAX_VALUE);
        params.put("fraction", -0.125);
        params.put("huge", 1.0e300);
        params.put("flag", false);
        params.put("nothing", null);
        params.put("empty_list", new ArrayList<>());
        params.put("empty_map", new LinkedHashMap<>());
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("i", i);
            row.put("name", "row-" + i);
            row.put("tags", List.of("a" + i, "b" + i, List.of(i, i * 2)));
            row.put("inner", Map.of("deep", Map.of("deeper", i % 2 == 0)));
            rows.add(row);
        }
        params.put("rows", rows);
        params.put("blob", "x".repeat(1_200_000));
        return params;
    }

    @Test
    void automaticCompactionKeepsEveryChange() throws Exception {
        Object[] config = config("batch", "options.compact_size", 16 * 1024);
        JobsFilePersistence store = open(config);
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int worker = t;
                JobsFilePersistence target = store;
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < 300; i++) {
                        JobV1 job = target.create(CID, TestData.job("auto-" + worker, "r" + i, at(i)));
                        if (i % 3 == 0) {
                            JobV1 leased = target.startJobByType(CID, "auto-" + worker,
                                    lease(NOW + i, NOW + 60_000, "t-" + worker + "-" + i));
                            assertNotNull(leased);
                            if (i % 2 == 0)
                                assertNotNull(target.completeJob(CID, leased.getId(), leased.getLockToken(), at(NOW + i), null));
                        }
                        if (i % 10 == 9)
                            assertNotNull(target.deleteById(CID, job.getId()));
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers)
                worker.get(2, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        List<JobV1> before = allJobs(store);
        assertEquals(4 * 270, before.size());

        store.close(CID); // waits for a compaction under way
        List<String> files = dataFiles();
        assertEquals(2, files.size(), "one snapshot and its journal: " + files);
        long generation = generationOf(files.get(0), JOURNAL);
        assertTrue(generation > 0, "compaction ran by itself: " + files);
        assertEquals("snapshot-" + String.format("%016d", generation) + ".dat", files.get(1));

        store = open(config);
        assertSameJobs(before, allJobs(store), "after automatic compactions and a restart");
    }

    @Test
    void deletesSurviveRestart() throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        List<JobV1> jobs = new ArrayList<>();
        for (int i = 0; i < 6; i++)
            jobs.add(store.create(CID, TestData.job("delete", "r" + i, at(1_000 + i))));
        JobV1 done = TestData.job("delete", "done", at(500));
        done.setStarted(at(600));
        done.setCompleted(at(700));
        done.setRetries(1);
        done = store.create(CID, done);
        store.deleteById(CID, jobs.get(1).getId());
        store.deleteById(CID, jobs.get(4).getId());
        assertEquals(1, store.cleanJobs(CID, new JobMoment(at(NOW), MAX_RETRIES), at(NOW), at(NOW)), "the completed job is cleaned");
        List<JobV1> before = allJobs(store);
        assertEquals(List.of(jobs.get(0), jobs.get(2), jobs.get(3), jobs.get(5)), before);

        store = restart(store, config);
        assertSameJobs(before, allJobs(store), "deleted and cleaned jobs stay deleted");
        assertNull(store.getOneById(CID, done.getId()));

        store.deleteAll(CID);
        JobV1 last = store.create(CID, TestData.job("delete", "last", at(3_000)));
        store = restart(store, config);
        assertEquals(List.of(last), allJobs(store), "deleteAll survives a restart");

        store.compact(CID);
        store.deleteAll(CID);
        store = restart(store, config);
        assertEquals(List.of(), allJobs(store), "deleteAll after a snapshot survives a restart");
    }

    @Test
    void leasingByTypeAfterRestartGivesTheOldestFreeJob() throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        JobV1 jLast = store.create(CID, TestData.job("lease", "r-last", at(3_000)));
        JobV1 j1000 = store.create(CID, TestData.job("lease", "1000", at(1_000)));
        JobV1 j2000 = store.create(CID, TestData.job("lease", "2000", at(2_000)));
        JobV1 locked = store.create(CID, TestData.job("lease", "locked", at(500)));
        assertNotNull(store.startJobById(CID, locked.getId(), lease(NOW, NOW + 10_000, "token-locked")));
        JobV1 completed = store.create(CID, TestData.job("lease", "completed", at(100)));
        store.startJobById(CID, completed.getId(), lease(NOW, NOW + 10_000, "token-completed"));
        assertNotNull(store.completeJob(CID, completed.getId(), "token-completed", at(NOW), null));
        JobV1 expired = TestData.job("lease", "expired", at(50));
        expired.setExecuteUntil(at(NOW - 1));
        store.create(CID, expired);
        JobV1 usedUp = TestData.job("lease", "used-up", at(60));
        usedUp.setRetries(MAX_RETRIES);
        store.create(CID, usedUp);
        JobV1 otherType = store.create(CID, TestData.job("lease-other", "other", at(10)));
        // The index parks what a lease could not take; a restart must rebuild that correctly.
        assertEquals(j1000.getId(), store.startJobByType(CID, "lease", lease(NOW, NOW + 10_000, "a")).getId());

        store = restart(store, config);
        assertEquals(j2000.getId(), store.startJobByType(CID, "lease", lease(NOW + 1, NOW + 10_000, "b")).getId());
        assertEquals(jLast.getId(), store.startJobByType(CID, "lease", lease(NOW + 2, NOW + 10_000, "c")).getId());
        assertNull(store.startJobByType(CID, "lease", lease(NOW + 3, NOW + 10_000, "d")), "the rest is not free");
        JobV1 again = store.startJobByType(CID, "lease", lease(NOW + 10_000, NOW + 20_000, "e"));
        assertEquals(locked.getId(), again.getId(), "the oldest job whose lock ended");
        assertEquals(2, again.getRetries());

        store = restart(store, config);
        assertEquals(j1000.getId(), store.startJobByType(CID, "lease", lease(NOW + 10_001, NOW + 30_000, "f")).getId(),
                "the lock of the first lease ended");
        assertEquals(otherType.getId(), store.startJobByType(CID, "lease-other", lease(NOW, NOW + 1, "g")).getId());
        JobV1 withMoreRetries = store.startJobByType(CID, "lease", new JobLease(at(NOW + 10_002), at(NOW + 30_000),
                MAX_RETRIES + 1, "h"));
        assertEquals(usedUp.getRetries() + 1, withMoreRetries.getRetries());
        assertEquals("used-up", withMoreRetries.getRefId(), "out of retries for 3, not for 4");
    }

    @ParameterizedTest(name = "sync {0}")
    @ValueSource(strings = {"always", "batch", "none"})
    void everySyncPolicyRoundTrips(String sync) throws Exception {
        Object[] config = config(sync);
        JobsFilePersistence store = open(config);
        JobV1 running = buildEveryState(store);
        List<JobV1> before = allJobs(store);

        store = restart(store, config);
        assertSameJobs(before, allJobs(store), "sync " + sync + " after a restart");
        assertNotNull(store.completeJob(CID, running.getId(), "token-running", at(NOW + 1), null));
        store.create(CID, TestData.job("sync", sync, at(1)));
        List<JobV1> after = allJobs(store);
        store = restart(store, config);
        assertSameJobs(after, allJobs(store), "sync " + sync + " after a second restart");
    }

    /**
     * Write-ahead: when a call returns, its change is in the files. The files are copied at that
     * moment (as a crash of the process would leave them) and a store opened on the copy.
     */
    @ParameterizedTest(name = "sync {0}")
    @ValueSource(strings = {"always", "batch", "none"})
    void everyAnsweredChangeIsInTheFilesWhenTheCallReturns(String sync) throws Exception {
        JobsFilePersistence store = open(config(sync));
        List<Change> changes = new ArrayList<>();
        JobV1[] jobs = new JobV1[4];
        for (int i = 0; i < jobs.length; i++) {
            int index = i;
            changes.add(() -> jobs[index] = store.create(CID, TestData.job("answered", "r" + index, at(index))));
        }
        changes.add(() -> assertNotNull(store.startJobByType(CID, "answered", lease(NOW, NOW + 1_000, "t0"))));
        changes.add(() -> assertNotNull(store.startJobById(CID, jobs[2].getId(), lease(NOW, NOW + 1_000, "t2"))));
        changes.add(() -> assertNotNull(store.extendJob(CID, jobs[0].getId(), "t0", at(NOW + 9_000), null)));
        changes.add(() -> assertNotNull(store.completeJob(CID, jobs[0].getId(), "t0", at(NOW + 1), null)));
        changes.add(() -> assertNotNull(store.abortJob(CID, jobs[2].getId(), "t2", TestData.abort(NOW))));
        changes.add(() -> assertNotNull(store.deleteById(CID, jobs[1].getId())));
        changes.add(() -> store.createUnique(CID, TestData.job("answered", "unique", at(7)), TestData.MOMENT));
        changes.add(() -> assertEquals(1, store.cleanJobs(CID, new JobMoment(at(NOW + 2), MAX_RETRIES), at(NOW + 2), at(NOW + 2))));
        changes.add(() -> store.deleteAll(CID));
        changes.add(() -> store.create(CID, TestData.job("answered", "after-all", at(9))));

        for (int i = 0; i < changes.size(); i++) {
            changes.get(i).apply();
            Path copy = temp.resolve("copy-" + i);
            Files.createDirectories(copy);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dataFolder())) {
                for (Path file : files)
                    Files.copy(file, copy.resolve(file.getFileName()));
            }
            JobsFilePersistence crashed = open(new Object[]{"path", copy.toString(), "options.sync", sync});
            assertSameJobs(allJobs(store), allJobs(crashed), "sync " + sync + ": the files after change " + i);
            crashed.close(CID);
        }
    }

    @FunctionalInterface
    private interface Change {
        void apply() throws Exception;
    }

    @Test
    void badSyncValueIsAConfigError() {
        JobsFilePersistence store = new JobsFilePersistence();
        ConfigException error = assertThrows(ConfigException.class,
                () -> store.configure(ConfigParams.fromTuples("path", temp.toString(), "options.sync", "sometimes")));
        assertEquals("INVALID_SYNC", error.getCode());
        assertTrue(error.getMessage().contains("sometimes"), error.getMessage());
    }

    // ---------------------------------------------------------------- preallocation

    /**
     * The journal is preallocated with zeros while the store is open, and cut to its records
     * on close; the zeros a crash leaves are dropped on open.
     */
    @Test
    void theJournalIsPreallocatedAndCutOnClose() throws Exception {
        JobsFilePersistence store = open(config("batch"));
        String id = store.create(CID, TestData.job("email", "u-1", at(1))).getId();
        Path journal = dataFolder().resolve("journal-0000000000000000.log");
        assertTrue(Files.size(journal) >= JournalFile.PREALLOCATION, "preallocated while open");

        Path copy = temp.resolve("crashed");
        Files.createDirectories(copy);
        Files.copy(journal, copy.resolve(journal.getFileName()));
        store.close(CID);
        long closedSize = Files.size(journal);
        assertTrue(closedSize < 1024, "cut to its records on close: " + closedSize);

        assertTrue(Files.size(copy.resolve(journal.getFileName())) >= JournalFile.PREALLOCATION);
        JobsFilePersistence crashed = open(new Object[]{"path", copy.toString(), "options.sync", "batch"});
        assertEquals(copy.toString(), crashed.getPath());
        assertEquals(id, crashed.getOneById(CID, id).getId(), "the zeros a crash leaves hide nothing");
    }

    // ---------------------------------------------------------------- the folder lock

    @Test
    void secondStoreOnTheSameFolderFailsUntilTheFirstCloses() throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence first = open(config);
        JobV1 job = first.create(CID, TestData.job("lock", "r1", at(1)));

        JobsFilePersistence second = store(config);
        ApplicationException error = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(ApplicationException.class, () -> second.open(CID)), "fails at once");
        assertEquals("FOLDER_IN_USE", error.getCode());
        assertFalse(second.isOpen());
        assertEquals(job, first.getOneById(CID, job.getId()), "the first store is not disturbed");
        first.create(CID, TestData.job("lock", "r2", at(2)));

        first.close(CID);
        second.open(CID);
        assertEquals(2, allJobs(second).size(), "opens once the first store closed, with its data");
    }

    /**
     * The lock keeps other processes out, also after a store in this process tried the folder
     * and failed (on Linux, closing any channel of a file drops the process's locks on it).
     */
    @Test
    void folderLockKeepsOtherProcessesOut() throws Exception {
        Object[] config = config("batch");
        Path folder = dataFolder();
        JobsFilePersistence first = open(config);
        assertEquals("FAILED FOLDER_IN_USE", probe(folder), "another process cannot open an open folder");

        JobsFilePersistence second = store(config);
        ApplicationException error = assertThrows(ApplicationException.class, () -> second.open(CID));
        assertEquals("FOLDER_IN_USE", error.getCode());
        assertEquals("FAILED FOLDER_IN_USE", probe(folder),
                "another process still cannot open it after a second store of this process failed to");

        first.close(CID);
        assertEquals("OPENED", probe(folder), "another process opens it once it is closed");
    }

    private String probe(Path folder) throws Exception {
        return FileStoreCrashChild.probeInChild(folder, temp.resolve("probe.err").toFile());
    }

    // ---------------------------------------------------------------- damaged files

    /** Where the journal is cut: inside the last record's header, inside its payload, or its last byte. */
    @ParameterizedTest(name = "cut {0}")
    @ValueSource(strings = {"header", "payload", "last-byte"})
    void tornTailIsDropped(String cut) throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        JobV1 a = store.create(CID, TestData.job("torn", "a", at(1_000)));
        JobV1 b = store.create(CID, TestData.job("torn", "b", at(2_000)));
        assertNotNull(store.startJobById(CID, a.getId(), lease(NOW, NOW + 60_000, "token-a")));
        List<JobV1> beforeLast = allJobs(store);
        assertNotNull(store.completeJob(CID, a.getId(), "token-a", at(NOW + 1), null), "the last change");
        store.close(CID);

        Path journal = newestJournal();
        List<Frame> frames = frames(journal);
        assertEquals(4, frames.size(), "add a, add b, lease a, complete a");
        Frame last = frames.get(3);
        long cutAt = switch (cut) {
            case "header" -> last.offset + 5;
            case "payload" -> last.payload() + last.length / 2;
            default -> last.end() - 1;
        };
        truncate(journal, cutAt);

        store = open(config);
        assertSameJobs(beforeLast, allJobs(store), "the torn last change is dropped, every change before is there");
        assertEquals(last.offset, Files.size(journal), "the torn bytes are cut off");

        assertNotNull(store.completeJob(CID, a.getId(), "token-a", at(NOW + 2), null), "new changes append");
        JobV1 c = store.create(CID, TestData.job("torn", "c", at(3_000)));
        List<JobV1> after = allJobs(store);
        store = restart(store, config);
        assertSameJobs(after, allJobs(store), "new changes survive another restart");
        assertNotNull(store.getOneById(CID, b.getId()));
        assertNotNull(store.getOneById(CID, c.getId()));
        store.close(CID);
        assertEquals(5, frames(journal).size(), "the journal holds whole records only");
    }

    /**
     * A batch is one write behind a batch head: cut anywhere by a crash (inside a record, or
     * between two of its records), it is dropped whole, never applied in part.
     */
    @ParameterizedTest(name = "cut {0}")
    @ValueSource(strings = {"inside-its-last-record", "after-its-first-record", "after-its-head"})
    void aBatchCutByACrashIsDroppedWhole(String cut) throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        JobV1 before = store.create(CID, TestData.job("cut-batch", "before", at(1_000)));
        List<JobV1> beforeBatch = allJobs(store);
        List<JobV1> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++)
            batch.add(TestData.job("cut-batch", "in-batch-" + i, at(2_000 + i)));
        assertEquals(5, store.createMany(CID, batch).size());
        store.close(CID);

        Path journal = newestJournal();
        List<Frame> frames = frames(journal);
        assertEquals(7, frames.size(), "add before, the batch head, five adds");
        long cutAt = switch (cut) {
            case "inside-its-last-record" -> frames.get(6).payload() + frames.get(6).length / 2;
            case "after-its-first-record" -> frames.get(2).end();
            default -> frames.get(1).end();
        };
        truncate(journal, cutAt);

        store = open(config);
        assertSameJobs(beforeBatch, allJobs(store), "none of the cut batch, all before it");
        assertEquals(frames.get(1).offset, Files.size(journal), "the journal is cut before the batch head");
        JobV1 after = store.create(CID, TestData.job("cut-batch", "after", at(3_000)));
        List<JobV1> changed = allJobs(store);
        store = restart(store, config);
        assertSameJobs(changed, allJobs(store), "a change after the dropped batch survives a restart");
        assertNotNull(store.getOneById(CID, before.getId()));
        assertNotNull(store.getOneById(CID, after.getId()));
        store.close(CID);
    }

    @Test
    void lastRecordWithABadChecksumIsDroppedAsTorn() throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        JobV1 a = store.create(CID, TestData.job("flip-last", "a", at(1_000)));
        store.create(CID, TestData.job("flip-last", "b", at(2_000)));
        List<JobV1> beforeLast = allJobs(store);
        assertNotNull(store.startJobById(CID, a.getId(), lease(NOW, NOW + 60_000, "token-a")), "the last change");
        store.close(CID);

        Path journal = newestJournal();
        List<Frame> frames = frames(journal);
        Frame last = frames.get(frames.size() - 1);
        assertEquals(Files.size(journal), last.end());
        flipByte(journal, last.end() - 1);

        store = open(config);
        assertSameJobs(beforeLast, allJobs(store), "the damaged last record is dropped");
        assertEquals(last.offset, Files.size(journal));
        assertNotNull(store.startJobById(CID, a.getId(), lease(NOW, NOW + 60_000, "token-a2")));
        List<JobV1> after = allJobs(store);
        store = restart(store, config);
        assertSameJobs(after, allJobs(store), "a new change after the dropped record survives a restart");
    }

    /** A record with valid records after it is damage, not a torn write: the store refuses to open. */
    @ParameterizedTest(name = "{0} of record {1}")
    @CsvSource({"payload, 1", "checksum, 1", "marker, 1", "length, 1", "payload, -2", "payload, 0"})
    void damagedRecordInTheMiddleStopsTheOpen(String part, int index) throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        for (int i = 0; i < 6; i++) {
            JobV1 job = store.create(CID, TestData.job("damaged", "r" + i, at(1_000 + i)));
            if (i % 2 == 0)
                store.startJobById(CID, job.getId(), lease(NOW, NOW + 1_000, "t" + i));
        }
        store.close(CID);

        Path journal = newestJournal();
        List<Frame> frames = frames(journal);
        Frame damaged = frames.get(index >= 0 ? index : frames.size() + index);
        long at = switch (part) {
            case "marker" -> damaged.offset + 1;
            case "length" -> damaged.offset + 7;
            case "checksum" -> damaged.offset + 10;
            default -> damaged.payload() + damaged.length / 2;
        };
        flipByte(journal, at);
        byte[] bytes = Files.readAllBytes(journal);

        for (int attempt = 0; attempt < 2; attempt++) {
            JobsFilePersistence reopened = store(config);
            ApplicationException error = assertThrows(ApplicationException.class, () -> reopened.open(CID));
            assertEquals("STORE_DAMAGED", error.getCode(), error.toString());
            assertTrue(error.getMessage().contains(journal.getFileName().toString()),
                    "names the file: " + error.getMessage());
            assertTrue(error.getMessage().contains("offset " + damaged.offset + " "),
                    "names the offset " + damaged.offset + ": " + error.getMessage());
            assertFalse(reopened.isOpen());
        }
        assertArrayEquals(bytes, Files.readAllBytes(journal), "the damaged journal is left as it was");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"middle", "last-byte", "truncated", "magic", "count"})
    void damagedSnapshotStopsTheOpen(String damage) throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        for (int i = 0; i < 50; i++)
            store.create(CID, TestData.job("snapshot", "r" + i, at(i)));
        store.compact(CID);
        store.create(CID, TestData.job("snapshot", "after", at(99)));
        store.close(CID);

        Path snapshot = dataFolder().resolve("snapshot-0000000000000001.dat");
        long size = Files.size(snapshot);
        switch (damage) {
            case "middle" -> flipByte(snapshot, size / 2);
            case "last-byte" -> flipByte(snapshot, size - 1);
            case "truncated" -> truncate(snapshot, size - 3);
            case "magic" -> flipByte(snapshot, 2);
            default -> flipByte(snapshot, 23); // the low byte of the job count in the header
        }

        JobsFilePersistence reopened = store(config);
        ApplicationException error = assertThrows(ApplicationException.class, () -> reopened.open(CID));
        assertEquals("STORE_DAMAGED", error.getCode(), error.toString());
        assertTrue(error.getMessage().contains(snapshot.getFileName().toString()),
                "names the file: " + error.getMessage());
        assertFalse(reopened.isOpen());
    }

    /** A crash while the journal was created: only part of its header was written. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 8, 15})
    void journalWithPartOfItsHeaderOpensEmpty(int kept) throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        store.close(CID);
        Path journal = newestJournal();
        assertEquals("journal-0000000000000000.log", journal.getFileName().toString());
        assertEquals(JOURNAL_HEADER, Files.size(journal));
        truncate(journal, kept);

        store = open(config);
        assertEquals(List.of(), allJobs(store));
        JobV1 job = store.create(CID, TestData.job("header", "r", at(1)));
        store = restart(store, config);
        assertEquals(List.of(job), allJobs(store), "the recreated journal works");
        assertEquals(1, frames(newestJournal()).size());
    }

    /** The same crash when compaction started a new journal: the snapshot holds every job. */
    @Test
    void journalWithPartOfItsHeaderAfterASnapshot() throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        buildEveryState(store);
        store.compact(CID);
        List<JobV1> before = allJobs(store);
        store.close(CID);
        Path journal = newestJournal();
        assertEquals("journal-0000000000000001.log", journal.getFileName().toString());
        truncate(journal, 9);

        store = open(config);
        assertSameJobs(before, allJobs(store), "the jobs of the snapshot");
        JobV1 job = store.create(CID, TestData.job("header", "r", at(1)));
        store = restart(store, config);
        assertEquals(job, store.getOneById(CID, job.getId()));
        assertEquals(before.size() + 1, allJobs(store).size());
    }

    /** Some file systems leave zeros where a crash cut the last write. */
    @ParameterizedTest(name = "{0} zeros")
    @ValueSource(ints = {1, 11, 12, 13, 5_000})
    void tailOfZerosIsDropped(int zeros) throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        buildEveryState(store);
        List<JobV1> before = allJobs(store);
        store.close(CID);
        Path journal = newestJournal();
        long size = Files.size(journal);
        Files.write(journal, new byte[zeros], StandardOpenOption.APPEND);

        store = open(config);
        assertSameJobs(before, allJobs(store), "every record before the zeros");
        assertEquals(size, Files.size(journal), "the zeros are cut off");
        store.create(CID, TestData.job("zeros", "r", at(1)));
        List<JobV1> after = allJobs(store);
        store = restart(store, config);
        assertSameJobs(after, allJobs(store), "a change after the zeros survives a restart");
    }

    // ---------------------------------------------------------------- a crash during compaction

    /** Killed after the new journal was started, before the snapshot was renamed into place. */
    @Test
    void crashBeforeTheSnapshotIsInPlace() throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        JobV1 running = buildEveryState(store);
        Path oldJournal = newestJournal();
        byte[] oldJournalBytes = Files.readAllBytes(oldJournal); // every change so far is acknowledged
        store.compact(CID);
        assertNotNull(store.completeJob(CID, running.getId(), "token-running", at(NOW + 3), null));
        store.create(CID, TestData.job("compaction", "after", at(1)));
        List<JobV1> before = allJobs(store);
        store.close(CID);

        Path snapshot = dataFolder().resolve("snapshot-0000000000000001.dat");
        byte[] snapshotBytes = Files.readAllBytes(snapshot);
        Files.delete(snapshot);
        Files.write(dataFolder().resolve("snapshot-0000000000000001.dat.tmp"),
                Arrays.copyOf(snapshotBytes, snapshotBytes.length / 2));
        Files.write(oldJournal, oldJournalBytes);

        store = open(config);
        assertSameJobs(before, allJobs(store), "the old journal and the new one, without the unfinished snapshot");
        assertFalse(Files.exists(dataFolder().resolve("snapshot-0000000000000001.dat.tmp")),
                "the unfinished snapshot is deleted");
        store = restart(store, config);
        assertSameJobs(before, allJobs(store), "again after a restart");
    }

    /** Killed after the snapshot was renamed into place, before the old files were deleted. */
    @Test
    void crashBeforeTheOldJournalIsDeleted() throws Exception {
        Object[] config = config("batch");
        JobsFilePersistence store = open(config);
        JobV1 running = buildEveryState(store);
        Path oldJournal = newestJournal();
        byte[] oldJournalBytes = Files.readAllBytes(oldJournal);
        store.compact(CID);
        assertNotNull(store.completeJob(CID, running.getId(), "token-running", at(NOW + 3), null));
        List<JobV1> before = allJobs(store);
        store.close(CID);
        Files.write(oldJournal, oldJournalBytes);

        store = open(config);
        assertSameJobs(before, allJobs(store), "the snapshot and the new journal; the old journal is not replayed");
        assertEquals(List.of("journal-0000000000000001.log", "snapshot-0000000000000001.dat"), dataFiles(),
                "the old journal is deleted");
    }

    // ---------------------------------------------------------------- helpers

    private Path dataFolder() {
        return temp.resolve("data");
    }

    private Object[] config(String sync, Object... more) {
        List<Object> tuples = new ArrayList<>(List.of("path", dataFolder().toString(), "options.sync", sync));
        tuples.addAll(Arrays.asList(more));
        return tuples.toArray();
    }

    private JobsFilePersistence store(Object[] config) throws ConfigException {
        JobsFilePersistence store = new JobsFilePersistence();
        store.configure(ConfigParams.fromTuples(config));
        stores.add(store);
        return store;
    }

    private JobsFilePersistence open(Object[] config) throws ApplicationException {
        JobsFilePersistence store = store(config);
        store.open(CID);
        return store;
    }

    /** Closes a store and opens a new one on the same folder. */
    private JobsFilePersistence restart(JobsFilePersistence store, Object[] config) throws ApplicationException {
        store.close(CID);
        return open(config);
    }

    private static JobLease lease(long nowMillis, long untilMillis, String token) {
        return new JobLease(at(nowMillis), at(untilMillis), MAX_RETRIES, token);
    }

    /** Every job, in the store's order (created time, then id), page by page. */
    private static List<JobV1> allJobs(IJobsPersistence store) throws ApplicationException {
        List<JobV1> jobs = new ArrayList<>();
        for (long skip = 0; ; skip += IJobsPersistence.MAX_PAGE_SIZE) {
            DataPage<JobV1> page = store.getPageByFilter(CID, new FilterParams(),
                    new PagingParams(skip, IJobsPersistence.MAX_PAGE_SIZE, false), TestData.MOMENT);
            jobs.addAll(page.getData());
            if (page.getData().size() < IJobsPersistence.MAX_PAGE_SIZE)
                return jobs;
        }
    }

    /** Equal lists of jobs (JobV1.equals compares every field), with a readable message. */
    private static void assertSameJobs(List<JobV1> expected, List<JobV1> actual, String what) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            int at = i;
            assertEquals(expected.get(i), actual.get(i), () -> what + ": job " + at + " differs"
                    + (expected.get(at).equals(actual.get(at)) ? "" : paramsDiffer(expected.get(at), actual.get(at))));
        }
        assertEquals(expected.size(), actual.size(), what + ": number of jobs");
    }

    private static String paramsDiffer(JobV1 expected, JobV1 actual) {
        return java.util.Objects.equals(expected.getParams(), actual.getParams()) ? "" : " (its params differ)";
    }

    /** The journal and snapshot files of the data folder, sorted by name. */
    private List<String> dataFiles() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dataFolder())) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (JOURNAL.matcher(name).matches() || SNAPSHOT.matcher(name).matches() || name.endsWith(".tmp"))
                    names.add(name);
            }
        }
        Collections.sort(names);
        return names;
    }

    private Path newestJournal() throws IOException {
        TreeMap<Long, Path> journals = new TreeMap<>();
        for (String name : dataFiles()) {
            if (JOURNAL.matcher(name).matches())
                journals.put(generationOf(name, JOURNAL), dataFolder().resolve(name));
        }
        assertFalse(journals.isEmpty(), "no journal in " + dataFolder());
        return journals.lastEntry().getValue();
    }

    private static long generationOf(String name, Pattern pattern) {
        Matcher matcher = pattern.matcher(name);
        assertTrue(matcher.matches(), name);
        return Long.parseLong(matcher.group(1));
    }

    /** One framed record: where its header starts and the length of its payload. */
    private record Frame(long offset, int length) {
        long payload() {
            return offset + RECORD_HEADER;
        }

        long end() {
            return payload() + length;
        }
    }

    /**
     * The records of a journal, read by the format: a 16-byte header ("JOBJRNL1", generation),
     * then [magic 0x4A4F4231][length][crc32c of the payload][payload], big-endian; every record
     * must be whole and valid.
     */
    private static List<Frame> frames(Path journal) throws IOException {
        byte[] bytes = Files.readAllBytes(journal);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        assertTrue(bytes.length >= JOURNAL_HEADER, journal + " has no header");
        assertArrayEquals("JOBJRNL1".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(bytes, 8));
        assertEquals(generationOf(journal.getFileName().toString(), JOURNAL), buffer.getLong(8),
                "the generation in the header");
        List<Frame> frames = new ArrayList<>();
        int position = JOURNAL_HEADER;
        while (position < bytes.length) {
            assertTrue(position + RECORD_HEADER <= bytes.length, "a whole record header at " + position);
            assertEquals(RECORD_MAGIC, buffer.getInt(position), "the record marker at " + position);
            int length = buffer.getInt(position + 4);
            assertTrue(length > 0 && position + RECORD_HEADER + length <= bytes.length, "the length at " + position);
            CRC32C crc = new CRC32C();
            crc.update(bytes, position + RECORD_HEADER, length);
            assertEquals(buffer.getInt(position + 8), (int) crc.getValue(), "the checksum at " + position);
            frames.add(new Frame(position, length));
            position += RECORD_HEADER + length;
        }
        return frames;
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            assertEquals(1, channel.read(one, offset));
            one.put(0, (byte) (one.get(0) ^ 0x5A));
            one.rewind();
            assertEquals(1, channel.write(one, offset));
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }
}
