package org.servicejobs.services.version1;

import org.junit.jupiter.api.io.TempDir;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobsFilePersistence;

import java.nio.file.Path;

/** The HTTP protocol v1 on the file store, in a temporary folder. */
class JobsHttpServiceV1FileTest extends JobsHttpServiceV1Test {
    @TempDir
    Path folder;

    @Override
    protected IJobsPersistence newStore() {
        return new JobsFilePersistence(folder.toString());
    }
}
