package org.servicejobs.persistence;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pipservices3.commons.config.ConfigParams;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobV1;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
                    store.completeJob(null, leased.getId(), "t" + i, at(1001));
                    completed.add(leased.getId());
                }
            }
            if (i % 20 == 19)
                assertPowerLossKeeps(folder, added, completed, i);
        }
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
                    "min_retries", 1), new org.pipservices3.commons.data.PagingParams(0, 1, true)).getTotal();
            assertTrue(leased >= completed.size(), "acknowledged leases lost");
            assertEquals(added.size(), reopened.getPageByFilter(null, null,
                    new org.pipservices3.commons.data.PagingParams(0, 1, true)).getTotal());
        } finally {
            reopened.close(null);
        }
    }
}
