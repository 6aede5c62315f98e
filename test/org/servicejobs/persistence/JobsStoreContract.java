package org.servicejobs.persistence;

import org.servicejobs.TestData;

/**
 * What the contracts of {@link IJobsPersistence} (interfaces of default test methods that
 * {@link JobsPersistenceFixture} implements, so every store runs them) take from the fixture:
 * the store under test, and the same data as another instance or a restart sees it.
 * Times are offsets from {@link TestData#START} ({@link TestData#at}).
 */
interface JobsStoreContract {
    String CID = "jobs-persistence-fixture";

    /** The store under test, opened and empty at the start of each test. */
    IJobsPersistence store();

    /**
     * The data of the store under test as another instance or a restart sees it: for MongoDB a
     * second store on the same database (both stay open), for the file store the store closed
     * and opened again on its folder (it becomes {@link #store()}), for the memory store the
     * store itself (a memory store has one instance and keeps nothing across a restart).
     */
    IJobsPersistence reopen() throws Exception;
}
