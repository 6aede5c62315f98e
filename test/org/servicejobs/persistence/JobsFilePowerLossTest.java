package org.servicejobs.persistence;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pipservices3.commons.config.ConfigParams;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobV1;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.servicejobs.TestData.at;

/**
 * A power loss, which a killed process cannot show: the journal writes to a simulated disk that
 * keeps written bytes in memory until they are fsynced ({@link PowerLossChannel}). At any moment
 * the real files hold what a machine that lost its power would hold, so a copy of them, opened,
 * must hold every change that was acknowledged. Without the fsync before the answer, this test
 * fails; a process kill does not.
 */
class JobsFilePowerLossTest {
    @TempDir
    Path temp;

    private final List<JobsFilePersistence> stores = new ArrayList<>();

    /** A file store whose journal writes go through a simulated disk. */
    private static final class OnVolatileDisk extends JobsFilePersistence {
        final List<PowerLossChannel> channels = new ArrayList<>();

        @Override
        protected FileChannel openJournalChannel(Path file, OpenOption... options) throws IOException {
            PowerLossChannel channel = new PowerLossChannel(FileChannel.open(file, options));
            channels.add(channel);
            return channel;
        }
    }

    /** A file store whose journal writes and fsyncs are counted. */
    private static final class CountedDisk extends JobsFilePersistence {
        final List<CountingChannel> channels = new ArrayList<>();

        @Override
        protected FileChannel openJournalChannel(Path file, OpenOption... options) throws IOException {
            CountingChannel channel = new CountingChannel(FileChannel.open(file, options));
            channels.add(channel);
            return channel;
        }

        Counts counts() {
            return new Counts(channels.stream().mapToInt(channel -> channel.writes.get()).sum(),
                    channels.stream().mapToInt(channel -> channel.forces.get()).sum());
        }
    }

    private record Counts(int writes, int fsyncs) {
        Counts minus(Counts before) {
            return new Counts(writes - before.writes, fsyncs - before.fsyncs);
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (JobsFilePersistence store : stores)
            store.close(null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"always", "batch"})
    void everyAcknowledgedChangeSurvivesAPowerLoss(String sync) throws Exception {
        Path folder = temp.resolve("data");
        OnVolatileDisk store = new OnVolatileDisk();
        store.configure(ConfigParams.fromTuples("path", folder.toString(), "options.sync", sync));
        store.open(null);
        stores.add(store);

        List<String> added = new ArrayList<>();
        List<String> completed = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            added.add(store.create(null, TestData.job("email", "u-" + i, at(i))).getId());
            if (i % 3 == 2) {
                JobV1 leased = store.startJobByType(null, "email", new JobLease(at(1000), at(100_000), 10, "t" + i));
                assertNotNull(leased);
                if (i % 2 == 0) {
                    store.completeJob(null, leased.getId(), "t" + i, at(1001), null);
                    completed.add(leased.getId());
                }
            }
            if (i % 20 == 19)
                assertPowerLossKeeps(folder, added, completed, i);
        }
    }

    /**
     * A batch is one journal write and one fsync (none with sync none), counted on the journal's
     * channel: createMany, startJobsByType and completeJobs alike, where single calls take one each.
     */
    @ParameterizedTest
    @ValueSource(strings = {"always", "batch", "none"})
    void aBatchIsOneJournalWriteAndOneFsync(String sync) throws Exception {
        CountedDisk store = new CountedDisk();
        store.configure(ConfigParams.fromTuples("path", temp.resolve("counted").toString(), "options.sync", sync));
        store.open(null);
        stores.add(store);
        // The journal's first write preallocates the file: not part of what is counted.
        store.create(null, TestData.job("count", "first", at(0)));
        int fsyncs = sync.equals("none") ? 0 : 1;

        List<JobV1> jobs = new ArrayList<>();
        for (int i = 0; i < 100; i++)
            jobs.add(TestData.job("count", "batch-" + i, at(1 + i)));
        Counts before = store.counts();
        assertEquals(100, store.createMany(null, jobs).size());
        assertEquals(new Counts(1, fsyncs), store.counts().minus(before), "createMany of 100 jobs: writes, fsyncs");

        List<JobLease> leases = new ArrayList<>();
        for (int i = 0; i < 10; i++)
            leases.add(new JobLease(at(1_000), at(100_000), 10, "count-" + i));
        before = store.counts();
        List<JobV1> leased = store.startJobsByType(null, "count", leases);
        assertEquals(10, leased.size());
        assertEquals(new Counts(1, fsyncs), store.counts().minus(before), "startJobsByType of 10 jobs: writes, fsyncs");

        List<JobCompletionV1> completions = new ArrayList<>();
        for (int i = 0; i < leased.size(); i++)
            completions.add(new JobCompletionV1(leased.get(i).getId(), "count-" + i, i));
        before = store.counts();
        List<JobV1> completed = store.completeJobs(null, completions, at(2_000));
        assertFalse(completed.contains(null), "every job completed: " + completed);
        assertEquals(new Counts(1, fsyncs), store.counts().minus(before), "completeJobs of 10 jobs: writes, fsyncs");

        before = store.counts();
        for (int i = 0; i < 10; i++)
            store.create(null, TestData.job("count", "single-" + i, at(3_000 + i)));
        assertEquals(new Counts(10, 10 * fsyncs), store.counts().minus(before), "10 creates: one write and fsync each");
    }

    /** Copies what reached the disk, as the power goes off, and checks the acknowledged changes are there. */
    private void assertPowerLossKeeps(Path folder, List<String> added, List<String> completed, int round)
            throws Exception {
        Path disk = temp.resolve("after-power-loss-" + round);
        Files.createDirectories(disk);
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.toList()) {
                if (!file.getFileName().toString().equals(JobsFilePersistence.LOCK_FILE))
                    Files.copy(file, disk.resolve(file.getFileName()));
            }
        }
        JobsFilePersistence reopened = new JobsFilePersistence(disk.toString());
        reopened.open(null);
        try {
            for (String id : added)
                assertNotNull(reopened.getOneById(null, id), "acknowledged add of " + id + " lost");
            for (String id : completed)
                assertNotNull(reopened.getOneById(null, id).getCompleted(), "acknowledged completion of " + id + " lost");
            long leased = reopened.getPageByFilter(null, org.pipservices3.commons.data.FilterParams.fromTuples(
                    "min_retries", 1), new org.pipservices3.commons.data.PagingParams(0, 1, true), TestData.MOMENT).getTotal();
            assertTrue(leased >= completed.size(), "acknowledged leases lost");
            assertEquals(added.size(), reopened.getPageByFilter(null, null,
                    new org.pipservices3.commons.data.PagingParams(0, 1, true), TestData.MOMENT).getTotal());
        } finally {
            reopened.close(null);
        }
    }

    /** A file channel that counts the writes and fsyncs on it, and passes them on. */
    private static final class CountingChannel extends FileChannel {
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger forces = new AtomicInteger();
        private final FileChannel file;

        CountingChannel(FileChannel file) {
            this.file = file;
        }

        @Override
        public int write(ByteBuffer source, long at) throws IOException {
            writes.incrementAndGet();
            return file.write(source, at);
        }

        @Override
        public int write(ByteBuffer source) throws IOException {
            writes.incrementAndGet();
            return file.write(source);
        }

        @Override
        public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
            writes.incrementAndGet();
            return file.write(sources, offset, length);
        }

        @Override
        public void force(boolean metaData) throws IOException {
            forces.incrementAndGet();
            file.force(metaData);
        }

        @Override
        public int read(ByteBuffer target) throws IOException {
            return file.read(target);
        }

        @Override
        public long read(ByteBuffer[] targets, int offset, int length) throws IOException {
            return file.read(targets, offset, length);
        }

        @Override
        public int read(ByteBuffer target, long at) throws IOException {
            return file.read(target, at);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long newSize) throws IOException {
            file.truncate(newSize);
            return this;
        }

        @Override
        public long transferTo(long at, long count, WritableByteChannel target) throws IOException {
            return file.transferTo(at, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel source, long at, long count) throws IOException {
            return file.transferFrom(source, at, count);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long at, long length) throws IOException {
            return file.map(mode, at, length);
        }

        @Override
        public FileLock lock(long at, long length, boolean shared) throws IOException {
            return file.lock(at, length, shared);
        }

        @Override
        public FileLock tryLock(long at, long length, boolean shared) throws IOException {
            return file.tryLock(at, length, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
