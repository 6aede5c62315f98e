package org.servicejobs.services.version1;

import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobsMemoryPersistence;

/** The HTTP protocol v1 on the memory store. */
class JobsHttpServiceV1MemoryTest extends JobsHttpServiceV1Test {
    @Override
    protected IJobsPersistence newStore() {
        return new JobsMemoryPersistence();
    }
}
