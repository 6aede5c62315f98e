package org.servicejobs.persistence;

import com.fasterxml.jackson.core.type.TypeReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.services.CommandableJsonHttpService;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.servicejobs.TestData.at;

/**
 * A data folder written by the previous version of the file store (test/resources/format-1.0:
 * a snapshot and a journal of the 1.0 format) opens with this one and gives the same jobs, which
 * then take the changes of this version and come back after a restart.
 */
class JobsFileFormatTest {
    private static final String CID = "jobs-file-format";
    private static final Path FORMAT_1_0 = Path.of("test", "resources", "format-1.0");

    @TempDir
    Path temp;

    @Test
    void aFolderOfTheFormerFormatOpensWithTheSameJobs() throws Exception {
        Path folder = temp.resolve("data");
        Files.createDirectories(folder);
        for (String file : List.of("snapshot-0000000000000001.dat", "journal-0000000000000001.log"))
            Files.copy(FORMAT_1_0.resolve(file), folder.resolve(file));
        List<JobV1> expected = CommandableJsonHttpService.mapper().readValue(
                FORMAT_1_0.resolve("jobs.json").toFile(), new TypeReference<List<JobV1>>() {
                });
        assertEquals(5, expected.size(), "the jobs the former version answered");

        JobsFilePersistence store = open(folder);
        assertEquals(expected, all(store), "the jobs of the snapshot and the journal, field by field");
        for (JobV1 job : all(store)) {
            assertEquals(List.of(), job.getErrors(), "no errors were recorded before: " + job.getId());
            assertEquals(0, job.getPriority());
            assertEquals(null, job.getRunAt());
            assertEquals(null, job.getMaxRetries(), "the default limit applies");
        }
        assertEquals(JobState.COMPLETED, state(store, "00000000000000000000000000000003", 100_000));
        assertEquals(JobState.RUNNING, state(store, "00000000000000000000000000000001", 45_000));
        assertEquals(JobState.WAITING, state(store, "00000000000000000000000000000001", 50_000),
                "its lease ran out");

        // The former jobs take the changes of this version, and all of it survives a restart.
        String running = "00000000000000000000000000000004";
        assertNotNull(store.failJob(CID, running, "token-4b", at(40_000), "broken"));
        String waiting = "00000000000000000000000000000002";
        assertNotNull(store.cancelJob(CID, waiting, new JobMoment(at(40_000), 10)));
        JobV1 leased = store.startJobById(CID, "00000000000000000000000000000001",
                new JobLease(at(60_000), at(70_000), 10, "token-1b"));
        assertEquals(List.of(new JobErrorV1(1, at(50_000), JobErrorV1.LEASE_EXPIRED)), leased.getErrors(),
                "the lease that ran out under the former version is recorded");
        List<JobV1> changed = all(store);
        store.close(CID);
        store = open(folder);
        assertEquals(changed, all(store), "after a restart");
        store.close(CID);
    }

    private static JobsFilePersistence open(Path folder) throws Exception {
        JobsFilePersistence store = new JobsFilePersistence();
        store.configure(ConfigParams.fromTuples("path", folder.toString(), "options.sync", "always"));
        store.open(CID);
        return store;
    }

    private static List<JobV1> all(IJobsPersistence store) throws Exception {
        return store.getPageByFilter(CID, new FilterParams(), new PagingParams(0, 100, false), TestData.MOMENT)
                .getData();
    }

    private static JobState state(IJobsPersistence store, String id, long millis) throws Exception {
        return JobState.of(store.getOneById(CID, id), at(millis), 10);
    }
}
