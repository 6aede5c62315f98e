package org.servicejobs.persistence;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.refer.References;

/**
 * The persistence contract on MongoDB: an in-process wire-protocol server, or the server at
 * MONGO_SERVICE_URI when it is set.
 */
class JobsMongoDbPersistenceTest {
    private static MongoTestServer mongo;
    private JobsMongoDbPersistence persistence;
    private JobsPersistenceFixture fixture;

    @BeforeAll
    static void startServer() {
        mongo = new MongoTestServer();
    }

    @AfterAll
    static void stopServer() {
        mongo.close();
    }

    @BeforeEach
    void setUp() throws Exception {
        persistence = new JobsMongoDbPersistence();
        persistence.configure(mongo.config());
        persistence.setReferences(new References());
        persistence.open(null);
        fixture = new JobsPersistenceFixture(persistence);
    }

    @AfterEach
    void tearDown() throws Exception {
        persistence.deleteAll(null);
        persistence.close(null);
    }

    @Test void crudOperations() throws Exception { fixture.testCrudOperations(); }
    @Test void paramsAndDates() throws Exception { fixture.testParamsAndDates(); }
    @Test void filterByIdTypeAndRefId() throws Exception { fixture.testFilterByIdTypeAndRefId(); }
    @Test void filterByCreated() throws Exception { fixture.testFilterByCreated(); }
    @Test void filterByStarted() throws Exception { fixture.testFilterByStarted(); }
    @Test void filterByLockedUntil() throws Exception { fixture.testFilterByLockedUntil(); }
    @Test void filterByExecuteUntil() throws Exception { fixture.testFilterByExecuteUntil(); }
    @Test void filterByCompleted() throws Exception { fixture.testFilterByCompleted(); }
    @Test void filterByRetries() throws Exception { fixture.testFilterByRetries(); }
    @Test void filterCombinesCriteria() throws Exception { fixture.testFilterCombinesCriteria(); }
    @Test void filterRejectsBadKeysAndValues() throws Exception { fixture.testFilterRejectsBadKeysAndValues(); }
    @Test void pageOrder() throws Exception { fixture.testPageOrder(); }
    @Test void paging() throws Exception { fixture.testPaging(); }
    @Test void startJobByTypeLeasesOldestFreeJob() throws Exception { fixture.testStartJobByTypeLeasesOldestFreeJob(); }
    @Test void startJobByTypeSkipsJobsThatAreNotFree() throws Exception { fixture.testStartJobByTypeSkipsJobsThatAreNotFree(); }
    @Test void startJobByTypeAfterLockExpires() throws Exception { fixture.testStartJobByTypeAfterLockExpires(); }
    @Test void startJobByTypeStopsAtMaxRetries() throws Exception { fixture.testStartJobByTypeStopsAtMaxRetries(); }
    @Test void startJobByTypeUsesTheMaxRetriesOfEachLease() throws Exception { fixture.testStartJobByTypeUsesTheMaxRetriesOfEachLease(); }
    @Test void startJobByTypeUsesTheTimeOfEachLease() throws Exception { fixture.testStartJobByTypeUsesTheTimeOfEachLease(); }
    @Test void startJobById() throws Exception { fixture.testStartJobById(); }
    @Test void extendJob() throws Exception { fixture.testExtendJob(); }
    @Test void abortJob() throws Exception { fixture.testAbortJob(); }
    @Test void completeJob() throws Exception { fixture.testCompleteJob(); }
    @Test void staleLockTokenChangesNothing() throws Exception { fixture.testStaleLockTokenChangesNothing(); }
    @Test void createUnique() throws Exception { fixture.testCreateUnique(); }
    @Test void cleanJobs() throws Exception { fixture.testCleanJobs(); }
    @Test void concurrentLeasing() throws Exception { fixture.testConcurrentLeasing(2_000); }
    @Test void concurrentCreateUnique() throws Exception { fixture.testConcurrentCreateUnique(); }
}
