package org.servicejobs.persistence;

import org.pipservices3.commons.config.ConfigParams;

/**
 * The persistence contract on a memory store that reads in slices of 2 jobs per turn of its
 * lock (its cleaner and statistics), so that the slicing is covered by every test.
 */
class JobsMemoryPersistenceInSlicesTest extends JobsPersistenceFixture {
    @Override
    protected IJobsPersistence newPersistence() throws Exception {
        JobsMemoryPersistence store = new JobsMemoryPersistence();
        store.configure(ConfigParams.fromTuples("options.clean_batch", 2));
        return store;
    }
}
