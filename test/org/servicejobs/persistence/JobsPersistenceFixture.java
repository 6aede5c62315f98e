package org.servicejobs.persistence;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.run.IOpenable;
import org.pipservices3.commons.run.Opener;
import org.servicejobs.TestData;
import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.servicejobs.TestData.at;

/**
 * The contract of {@link IJobsPersistence}: every implementation (memory, file, MongoDB) has a
 * test class that extends this one and says how to make its store, so it inherits every test
 * here and in the contracts it implements (lifecycle: {@link JobsLifecycleContract},
 * {@link JobsLifecycleFiltersContract}; scheduling: {@link JobsSchedulingContract},
 * {@link JobsBackoffContract}, {@link JobsSchedulingOrderContract}; batches:
 * {@link JobsBatchContract}, {@link JobsBatchConcurrencyContract}), and a test added to any of
 * them runs on every store.
 * <p>
 * It uses the interface only, assumes nothing about the format of ids, and starts each test on
 * an empty store. Times are fixed ({@link TestData#at}): the store never reads a clock, the
 * caller passes the time in a {@link JobLease} or as a parameter.
 */
public abstract class JobsPersistenceFixture implements JobsLifecycleContract, JobsLifecycleFiltersContract,
        JobsSchedulingContract, JobsBackoffContract, JobsSchedulingOrderContract, JobsBatchContract {
    private static final DateTimeFormatter WIRE = DateTimeFormatter.ofPattern(JobV1.DATE_PATTERN)
            .withZone(ZoneOffset.UTC);
    /** Offsets from {@link TestData#START} in milliseconds. */
    private static final long NOW = 100_000;
    private static final long UNTIL = 160_000;
    private static final int MAX_RETRIES = 3;
    /** The moment of the calls that take one: NOW, MAX_RETRIES. */
    private static final JobMoment AT = new JobMoment(at(NOW), MAX_RETRIES);

    /** The store under test, opened and empty at the start of each test. */
    protected IJobsPersistence persistence;

    /** A new store, configured (not opened); the fixture opens and closes it. */
    protected abstract IJobsPersistence newPersistence() throws Exception;

    @Override
    public IJobsPersistence store() {
        return persistence;
    }

    /** The store itself; a store that has other instances or restarts overrides it. */
    @Override
    public IJobsPersistence reopen() throws Exception {
        return persistence;
    }

    /** Jobs in the concurrent leasing test: as many as the store leases in a few seconds. */
    protected int concurrentJobCount() {
        return 100_000;
    }

    @BeforeEach
    void openPersistence() throws Exception {
        persistence = newPersistence();
        Opener.openOne(CID, persistence);
        persistence.deleteAll(CID);
    }

    @AfterEach
    void closePersistence() throws Exception {
        if (persistence instanceof IOpenable store && store.isOpen()) {
            persistence.deleteAll(CID);
            store.close(CID);
        }
    }

    // ---------------------------------------------------------------- create, read, delete

    @Test
    void crudOperations() throws Exception {

        JobV1 job1 = persistence.create(CID, TestData.job("email", "user-1", at(1_000)));
        assertNotNull(job1, "create returns the stored job");
        assertNotNull(job1.getId(), "create assigns an id");
        assertFalse(job1.getId().isEmpty(), "create assigns a non-empty id");
        assertEquals("email", job1.getType());
        assertEquals("user-1", job1.getRefId());
        assertEquals(TestData.params("user-1"), job1.getParams());
        assertSameInstant(at(1_000), job1.getCreated(), "created");
        assertNull(job1.getStarted());
        assertNull(job1.getLockedUntil());
        assertNull(job1.getCompleted());
        assertNull(job1.getLockToken());
        assertEquals(0, job1.getRetries());
        assertEquals(job1, persistence.getOneById(CID, job1.getId()), "getOneById returns what create returned");

        JobV1 job2 = persistence.create(CID, TestData.job("report", "order-2", at(2_000)));
        assertNotEquals(job1.getId(), job2.getId(), "every job gets its own id");

        JobV1 named = new JobV1("explicit-job-id-1", "email", "user-3", Map.of("a", 1));
        named.setCreated(at(3_000));
        JobV1 stored = persistence.create(CID, named);
        assertEquals("explicit-job-id-1", stored.getId(), "a given id is kept");
        assertEquals(stored, persistence.getOneById(CID, "explicit-job-id-1"));
        assertEquals(List.of(job1.getId(), job2.getId(), stored.getId()), ids());

        assertNull(persistence.getOneById(CID, "no-such-job"), "unknown id gives null");

        JobV1 deleted = persistence.deleteById(CID, job1.getId());
        assertEquals(job1, deleted, "deleteById returns the deleted job");
        assertNull(persistence.getOneById(CID, job1.getId()), "a deleted job is gone");
        assertNull(persistence.deleteById(CID, job1.getId()), "deleting twice gives null");
        assertNull(persistence.deleteById(CID, "no-such-job"), "deleting an unknown id gives null");
        assertEquals(job2, persistence.getOneById(CID, job2.getId()), "other jobs stay");
        assertEquals(List.of(job2.getId(), stored.getId()), ids());

        persistence.deleteAll(CID);
        assertNull(persistence.getOneById(CID, job2.getId()));
        assertNull(persistence.getOneById(CID, stored.getId()));
        assertEquals(List.of(), ids());
        assertEquals(0L, count());
    }

    /**
     * Numbers in params come back as reading JSON gives them, whichever store keeps them: whole
     * numbers as Integer (or Long when larger), fractions as Double.
     */
    @Test
    void paramsNumberTypes() throws Exception {
        Map<String, Object> params = new java.util.LinkedHashMap<>();
        params.put("long", 5L);
        params.put("big", 5_000_000_000L);
        params.put("short", (short) 7);
        params.put("float", 1.5f);
        params.put("double", 2.25);
        JobV1 job = new JobV1(null, "numbers", "ref-numbers", params);
        job.setCreated(at(1));
        String id = persistence.create(CID, job).getId();

        Map<?, ?> stored = (Map<?, ?>) persistence.getOneById(CID, id).getParams();
        assertEquals(Integer.valueOf(5), stored.get("long"));
        assertEquals(Long.valueOf(5_000_000_000L), stored.get("big"));
        assertEquals(Integer.valueOf(7), stored.get("short"));
        assertEquals(Double.valueOf(1.5), stored.get("float"));
        assertEquals(Double.valueOf(2.25), stored.get("double"));
    }

    @Test
    void paramsAndDates() throws Exception {

        Map<String, Object> params = sampleParams();
        JobV1 job = new JobV1(null, "params", "ref-params", params);
        ZonedDateTime plus3 = at(1_234).withZoneSameInstant(ZoneOffset.ofHours(3));
        job.setCreated(plus3);
        job.setStarted(at(2_345));
        job.setLockedUntil(at(3_456));
        job.setExecuteUntil(at(987_654_321));
        job.setCompleted(at(4_567));
        job.setRetries(2);
        job.setLockToken("token-params");
        JobV1 created = persistence.create(CID, job);

        JobV1 read = persistence.getOneById(CID, created.getId());
        assertEquals(sampleParams(), created.getParams(), "nested maps and lists come back equal");
        assertEquals(sampleParams(), read.getParams(), "nested maps and lists are stored equal");
        assertSameInstant(at(1_234), read.getCreated(), "created (given at +03:00)");
        assertSameInstant(at(2_345), read.getStarted(), "started");
        assertSameInstant(at(3_456), read.getLockedUntil(), "locked_until");
        assertSameInstant(at(987_654_321), read.getExecuteUntil(), "execute_until");
        assertSameInstant(at(4_567), read.getCompleted(), "completed");
        assertEquals(2, read.getRetries());
        assertEquals("token-params", read.getLockToken());
        assertEquals(created, read);

        // Changing the caller's objects after create does not change the stored job.
        params.put("text", "changed");
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) params.get("list");
        list.add("added");
        @SuppressWarnings("unchecked")
        Map<String, Object> nested = (Map<String, Object>) params.get("nested");
        nested.put("inner", "changed");
        assertEquals(sampleParams(), persistence.getOneById(CID, created.getId()).getParams(),
                "the stored params do not follow changes of the object given to create");

        // Neither does changing what a read returned.
        tryToChange(read.getParams());
        tryToChange(created.getParams());
        assertEquals(sampleParams(), persistence.getOneById(CID, created.getId()).getParams(),
                "the stored params do not follow changes of the object a read returned");
    }

    // ---------------------------------------------------------------- getPageByFilter

    @Test
    void filterByIdTypeAndRefId() throws Exception {
        JobV1 a1 = persistence.create(CID, TestData.job("type-a", "ref-1", at(1_000)));
        JobV1 a2 = persistence.create(CID, TestData.job("type-a", "ref-2", at(2_000)));
        JobV1 b1 = persistence.create(CID, TestData.job("type-b", "ref-1", at(3_000)));

        assertEquals(idsOf(a1, a2, b1), ids());
        assertEquals(idsOf(a1, a2, b1), idsOf(persistence.getPageByFilter(CID, null, null, AT)), "null filter");
        assertEquals(idsOf(a2), ids("id", a2.getId()));
        assertEquals(List.of(), ids("id", "no-such-job"));
        assertEquals(idsOf(a1, a2), ids("type", "type-a"));
        assertEquals(idsOf(b1), ids("type", "type-b"));
        assertEquals(List.of(), ids("type", "type-c"));
        assertEquals(idsOf(a1, b1), ids("ref_id", "ref-1"));
        assertEquals(idsOf(b1), ids("type", "type-b", "ref_id", "ref-1"));
        assertEquals(List.of(), ids("type", "type-b", "ref_id", "ref-2"));
        assertEquals(idsOf(a1), ids("id", a1.getId(), "type", "type-a", "ref_id", "ref-1"));
        assertEquals(List.of(), ids("id", a1.getId(), "type", "type-b"));
        assertEquals(List.of(), ids("id", a1.getId(), "ref_id", "ref-2"));
    }

    @Test
    void filterByCreated() throws Exception {
        checkDateFilter("created", "created_from", "created_to", JobV1::setCreated);
    }

    @Test
    void filterByStarted() throws Exception {
        checkDateFilter("started", "started_from", "started_to", JobV1::setStarted);
    }

    @Test
    void filterByLockedUntil() throws Exception {
        checkDateFilter("locked_until", "locked_from", "locked_to", JobV1::setLockedUntil);
    }

    @Test
    void filterByExecuteUntil() throws Exception {
        checkDateFilter("execute_until", "execute_from", "execute_to", JobV1::setExecuteUntil);
    }

    @Test
    void filterByCompleted() throws Exception {
        checkDateFilter("completed", "completed_from", "completed_to", JobV1::setCompleted);
    }

    @Test
    void filterByRetries() throws Exception {
        List<JobV1> jobs = new ArrayList<>();
        for (int retries = 0; retries <= 3; retries++) {
            int value = retries;
            jobs.add(store("retries", 1_000 + retries, job -> job.setRetries(value)));
        }
        JobV1 r0 = jobs.get(0), r1 = jobs.get(1), r2 = jobs.get(2), r3 = jobs.get(3);

        assertEquals(idsOf(r0), ids("retries", "0"));
        assertEquals(idsOf(r2), ids("retries", "2"));
        assertEquals(List.of(), ids("retries", "7"));
        assertEquals(idsOf(r0, r1, r2, r3), ids("min_retries", "0"));
        assertEquals(idsOf(r2, r3), ids("min_retries", "2"), "min_retries selects retries >= min_retries");
        assertEquals(idsOf(r3), ids("min_retries", "3"));
        assertEquals(List.of(), ids("min_retries", "4"));
        assertEquals(idsOf(r3), ids("retries", "3", "min_retries", "2"));
        assertEquals(List.of(), ids("retries", "1", "min_retries", "2"));
    }

    @Test
    void filterCombinesCriteria() throws Exception {
        JobV1 match = store("combined", 2_000, job -> job.setRetries(2));
        store("combined", 500, job -> job.setRetries(2));
        store("combined", 2_500, job -> job.setRetries(1));
        store("other", 2_000, job -> job.setRetries(2));
        JobV1 late = store("combined", 9_000, job -> job.setRetries(5));

        assertEquals(idsOf(match, late), ids("type", "combined", "created_from", iso(1_000), "min_retries", "2"));
        assertEquals(idsOf(match), ids("type", "combined", "created_from", iso(1_000), "created_to", iso(5_000),
                "min_retries", "2"));
    }

    @Test
    void filterRejectsBadKeysAndValues() throws Exception {
        persistence.create(CID, TestData.job("bad", "ref", at(1_000)));

        assertInvalidFilter("status", "running");
        assertInvalidFilter("skip", "1");
        assertInvalidFilter("type", "bad", "unknown_key", "x");
        for (String key : List.of("created", "created_from", "created_to", "started", "started_from", "started_to",
                "locked_until", "locked_from", "locked_to", "execute_until", "execute_from", "execute_to",
                "completed", "completed_from", "completed_to")) {
            assertInvalidFilter(key, "not-a-date");
            assertInvalidFilter(key, "2026-13-45T99:00:00.000Z");
        }
        assertInvalidFilter("retries", "two");
        assertInvalidFilter("retries", "1.5");
        assertInvalidFilter("min_retries", "many");
        assertInvalidFilter("min_retries", "99999999999");
    }

    @Test
    void pageOrder() throws Exception {
        JobV1 xLast = persistence.create(CID, TestData.job("order-x", "r1", at(3_000)));
        JobV1 y1000 = persistence.create(CID, TestData.job("order-y", "r2", at(1_000)));
        JobV1 x2000 = persistence.create(CID, TestData.job("order-x", "r3", at(2_000)));
        JobV1 z1000 = persistence.create(CID, TestData.job("order-z", "r4", at(1_000)));
        JobV1 y0 = persistence.create(CID, TestData.job("order-y", "r5", at(0)));
        JobV1 x1000 = persistence.create(CID, TestData.job("order-x", "r6", at(1_000)));

        List<String> sameTime = new ArrayList<>(idsOf(y1000, z1000, x1000));
        Collections.sort(sameTime);
        List<String> expected = new ArrayList<>();
        expected.add(y0.getId());
        expected.addAll(sameTime);
        expected.add(x2000.getId());
        expected.add(xLast.getId());
        assertEquals(expected, ids(), "ordered by created time, then id, across types");
        assertEquals(idsOf(x1000, x2000, xLast), ids("type", "order-x"), "ordered by created time in one type");
    }

    @Test
    void paging() throws Exception {
        int jobCount = 150;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < jobCount; i++)
            order.add(i);
        Collections.shuffle(order, new Random(42));
        String[] byTime = new String[jobCount];
        for (int i : order) {
            String type = i % 2 == 0 ? "page-even" : "page-odd";
            byTime[i] = persistence.create(CID, TestData.job(type, "ref-" + i, at(i * 10L))).getId();
        }
        List<String> all = List.of(byTime);
        List<String> even = new ArrayList<>();
        for (int i = 0; i < jobCount; i += 2)
            even.add(byTime[i]);

        DataPage<JobV1> page = persistence.getPageByFilter(CID, null, null, AT);
        assertEquals(all.subList(0, 100), idsOf(page), "no paging: the first 100");
        assertNull(page.getTotal(), "no total unless asked");

        page = persistence.getPageByFilter(CID, new FilterParams(), new PagingParams(null, 1_000, false), AT);
        assertEquals(all.subList(0, 100), idsOf(page), "take is capped at 100");
        assertNull(page.getTotal());

        page = persistence.getPageByFilter(CID, new FilterParams(), new PagingParams(10, 5, false), AT);
        assertEquals(all.subList(10, 15), idsOf(page), "skip 10 take 5");
        assertNull(page.getTotal());

        page = persistence.getPageByFilter(CID, new FilterParams(), new PagingParams(100, 100, false), AT);
        assertEquals(all.subList(100, 150), idsOf(page), "the second page");

        page = persistence.getPageByFilter(CID, new FilterParams(), new PagingParams(0, 1, true), AT);
        assertEquals(all.subList(0, 1), idsOf(page));
        assertEquals(Long.valueOf(jobCount), page.getTotal(), "the total counts every match, not the page");

        page = persistence.getPageByFilter(CID, new FilterParams(), new PagingParams(140, 20, true), AT);
        assertEquals(all.subList(140, 150), idsOf(page), "the last, short page");
        assertEquals(Long.valueOf(jobCount), page.getTotal());

        page = persistence.getPageByFilter(CID, new FilterParams(), new PagingParams(null, null, true), AT);
        assertEquals(all.subList(0, 100), idsOf(page));
        assertEquals(Long.valueOf(jobCount), page.getTotal(), "the total counts past the cap");

        page = persistence.getPageByFilter(CID, new FilterParams(), new PagingParams(200, 10, true), AT);
        assertEquals(List.of(), idsOf(page), "skip past the end");
        assertEquals(Long.valueOf(jobCount), page.getTotal());

        page = persistence.getPageByFilter(CID, FilterParams.fromTuples("type", "page-even"),
                new PagingParams(5, 10, true), AT);
        assertEquals(even.subList(5, 15), idsOf(page), "paging applies to the matches");
        assertEquals(Long.valueOf(even.size()), page.getTotal(), "the total counts the matches only");

        page = persistence.getPageByFilter(CID, FilterParams.fromTuples("type", "page-none"),
                new PagingParams(0, 10, true), AT);
        assertEquals(List.of(), idsOf(page));
        assertEquals(Long.valueOf(0), page.getTotal());
    }

    // ---------------------------------------------------------------- startJobByType

    @Test
    void startJobByTypeLeasesOldestFreeJob() throws Exception {
        JobV1 j3 = persistence.create(CID, TestData.job("lease", "r3", at(3_000)));
        JobV1 j1 = persistence.create(CID, TestData.job("lease", "r1", at(1_000)));
        JobV1 j2 = persistence.create(CID, TestData.job("lease", "r2", at(2_000)));
        JobV1 other = persistence.create(CID, TestData.job("lease-other", "r0", at(500)));

        JobLease lease1 = lease(NOW, UNTIL, MAX_RETRIES, "token-1");
        JobV1 first = persistence.startJobByType(CID, "lease", lease1);
        assertEquals(leasedCopy(j1, lease1), first, "the oldest job, with started, locked_until, retries, lock_token");
        assertEquals(first, reread(first), "the lease is stored");

        JobLease lease2 = lease(NOW + 1, UNTIL, MAX_RETRIES, "token-2");
        assertEquals(leasedCopy(j2, lease2), persistence.startJobByType(CID, "lease", lease2));
        JobLease lease3 = lease(NOW + 2, UNTIL, MAX_RETRIES, "token-3");
        assertEquals(leasedCopy(j3, lease3), persistence.startJobByType(CID, "lease", lease3));
        assertNull(persistence.startJobByType(CID, "lease", lease(NOW + 3, UNTIL, MAX_RETRIES, "token-4")),
                "no free job left");
        assertNull(persistence.startJobByType(CID, "no-such-type", lease(NOW, UNTIL, MAX_RETRIES, "token-5")),
                "no job of the type");

        assertEquals(other, reread(other), "jobs of other types are not touched");
        assertEquals(leasedCopy(j1, lease1), reread(j1), "later leases leave earlier ones alone");
    }

    @Test
    void startJobByTypeSkipsJobsThatAreNotFree() throws Exception {
        JobV1 completed = store("skip", 1_000, job -> {
            job.setStarted(at(50_000));
            job.setCompleted(at(60_000));
            job.setRetries(1);
        });
        JobV1 exhausted = store("skip", 2_000, job -> job.setRetries(MAX_RETRIES));
        JobV1 expiresNow = store("skip", 3_000, job -> job.setExecuteUntil(at(NOW)));
        JobV1 expired = store("skip", 4_000, job -> job.setExecuteUntil(at(NOW - 1)));
        JobV1 locked = store("skip", 5_000, job -> {
            job.setStarted(at(90_000));
            job.setLockedUntil(at(NOW + 1));
            job.setRetries(1);
            job.setLockToken("other-worker");
        });
        JobV1 executable = store("skip", 6_000, job -> job.setExecuteUntil(at(NOW + 1)));
        JobV1 lastRetry = store("skip", 7_000, job -> job.setRetries(MAX_RETRIES - 1));

        JobLease lease1 = lease(NOW, UNTIL, MAX_RETRIES, "skip-1");
        assertEquals(leasedCopy(executable, lease1), persistence.startJobByType(CID, "skip", lease1),
                "completed, retries used up, expired and locked jobs are skipped");
        JobLease lease2 = lease(NOW, UNTIL, MAX_RETRIES, "skip-2");
        JobV1 second = persistence.startJobByType(CID, "skip", lease2);
        assertEquals(leasedCopy(lastRetry, lease2), second, "a job with one retry left is leased");
        assertEquals(MAX_RETRIES, second.getRetries());
        assertNull(persistence.startJobByType(CID, "skip", lease(NOW, UNTIL, MAX_RETRIES, "skip-3")));

        for (JobV1 job : List.of(completed, exhausted, expiresNow, expired, locked))
            assertEquals(job, reread(job), "a job that is not free is not changed");
    }

    @Test
    void startJobByTypeAfterLockExpires() throws Exception {
        JobV1 job = persistence.create(CID, TestData.job("expiry", "r", at(1_000)));

        JobLease leaseA = lease(NOW, NOW + 10_000, MAX_RETRIES, "worker-a");
        JobV1 a = persistence.startJobByType(CID, "expiry", leaseA);
        assertEquals(leasedCopy(job, leaseA), a);

        assertNull(persistence.startJobByType(CID, "expiry", lease(NOW + 9_999, NOW + 20_000, MAX_RETRIES, "worker-b")),
                "the lock holds until locked_until");
        assertEquals(a, reread(a), "a refused lease changes nothing");

        JobLease leaseB = lease(NOW + 10_000, NOW + 20_000, MAX_RETRIES, "worker-b");
        JobV1 b = persistence.startJobByType(CID, "expiry", leaseB);
        assertEquals(leasedCopy(a, leaseB), b, "at locked_until the lock has expired: leased again");
        assertEquals(2, b.getRetries());
        assertEquals(b, reread(b));
    }

    @Test
    void startJobByTypeStopsAtMaxRetries() throws Exception {
        JobV1 job = persistence.create(CID, TestData.job("retry", "r", at(1_000)));

        JobV1 last = job;
        for (int attempt = 1; attempt <= MAX_RETRIES; attempt++) {
            long now = NOW * attempt;
            JobLease lease = lease(now, now + 1_000, MAX_RETRIES, "attempt-" + attempt);
            JobV1 leased = persistence.startJobByType(CID, "retry", lease);
            assertEquals(leasedCopy(last, lease), leased, "attempt " + attempt);
            last = leased;
        }
        assertEquals(MAX_RETRIES, last.getRetries());
        long later = NOW * (MAX_RETRIES + 1);
        assertNull(persistence.startJobByType(CID, "retry", lease(later, later + 1_000, MAX_RETRIES, "one-more")),
                "no lease once retries reach maxRetries");
        assertNull(persistence.startJobById(CID, job.getId(), lease(later, later + 1_000, MAX_RETRIES, "one-more")));
        assertEquals(last, reread(last));
    }

    /**
     * The lease carries maxRetries: service instances sharing a store may be configured
     * differently, so a job refused by one lease is still leased by a lease that allows more.
     */
    @Test
    void startJobByTypeUsesTheMaxRetriesOfEachLease() throws Exception {
        JobV1 job = store("terms-retries", 1_000, j -> j.setRetries(1));

        assertNull(persistence.startJobByType(CID, "terms-retries", lease(NOW, UNTIL, 1, "strict")),
                "retries 1 is not below maxRetries 1");
        assertEquals(job, reread(job));
        JobLease lenient = lease(NOW + 1, UNTIL, 2, "lenient");
        assertEquals(leasedCopy(job, lenient), persistence.startJobByType(CID, "terms-retries", lenient),
                "retries 1 is below maxRetries 2");
    }

    /** The lease carries the time: a job is taken by what the lease's own time says of it. */
    @Test
    void startJobByTypeUsesTheTimeOfEachLease() throws Exception {
        JobV1 job = store("terms-time", 1_000, j -> j.setExecuteUntil(at(NOW)));
        JobLease early = lease(NOW - 1, UNTIL, MAX_RETRIES, "early");
        assertEquals(leasedCopy(job, early), persistence.startJobByType(CID, "terms-time", early),
                "not expired at the time of this lease");

        JobV1 late = store("terms-time", 2_000, j -> j.setExecuteUntil(at(NOW + 5)));
        assertNull(persistence.startJobByType(CID, "terms-time", lease(NOW + 5, UNTIL, MAX_RETRIES, "late")),
                "expired at the time of this lease");
        assertEquals(late, reread(late));
    }

    // ---------------------------------------------------------------- startJobById

    @Test
    void startJobById() throws Exception {
        JobV1 older = persistence.create(CID, TestData.job("by-id", "r0", at(500)));
        JobV1 job = persistence.create(CID, TestData.job("by-id", "r1", at(1_000)));

        JobLease lease1 = lease(NOW, UNTIL, MAX_RETRIES, "id-1");
        JobV1 leased = persistence.startJobById(CID, job.getId(), lease1);
        assertEquals(leasedCopy(job, lease1), leased, "the asked job is leased, not the oldest");
        assertEquals(leased, reread(leased));
        assertEquals(older, reread(older));

        assertNull(persistence.startJobById(CID, job.getId(), lease(UNTIL - 1, UNTIL + 1_000, MAX_RETRIES, "id-2")),
                "a locked job is not leased");
        assertEquals(leased, reread(leased), "a refused lease changes nothing");

        JobLease lease3 = lease(UNTIL, UNTIL + 1_000, MAX_RETRIES, "id-3");
        JobV1 again = persistence.startJobById(CID, job.getId(), lease3);
        assertEquals(leasedCopy(leased, lease3), again, "leased again once the lock expired");

        assertNull(persistence.startJobById(CID, "no-such-job", lease(NOW, UNTIL, MAX_RETRIES, "id-4")));

        JobV1 completed = store("by-id", 2_000, j -> {
            j.setStarted(at(50_000));
            j.setCompleted(at(60_000));
            j.setRetries(1);
        });
        JobV1 exhausted = store("by-id", 3_000, j -> j.setRetries(MAX_RETRIES));
        JobV1 expired = store("by-id", 4_000, j -> j.setExecuteUntil(at(NOW)));
        JobV1 executable = store("by-id", 5_000, j -> j.setExecuteUntil(at(NOW + 1)));
        for (JobV1 refused : List.of(completed, exhausted, expired)) {
            assertNull(persistence.startJobById(CID, refused.getId(), lease(NOW, UNTIL, MAX_RETRIES, "id-5")),
                    "not leasable: " + refused);
            assertEquals(refused, reread(refused));
        }
        JobLease lease6 = lease(NOW, UNTIL, MAX_RETRIES, "id-6");
        assertEquals(leasedCopy(executable, lease6), persistence.startJobById(CID, executable.getId(), lease6),
                "execute_until after now");
    }

    // ---------------------------------------------------------------- extend, abort, complete

    @Test
    void extendJob() throws Exception {
        persistence.create(CID, TestData.job("extend", "r", at(1_000)));
        JobV1 leased = persistence.startJobByType(CID, "extend", lease(NOW, UNTIL, MAX_RETRIES, "ext-1"));

        assertNull(persistence.extendJob(CID, leased.getId(), "ext-other", at(UNTIL + 5_000), null), "wrong lock token");
        assertEquals(leased, reread(leased), "a refused extend changes nothing");

        JobV1 extended = persistence.extendJob(CID, leased.getId(), "ext-1", at(UNTIL + 5_000), null);
        JobV1 expected = leased.copy();
        expected.setLockedUntil(at(UNTIL + 5_000));
        assertEquals(expected, extended, "only locked_until moves");
        assertEquals(expected, reread(leased));

        extended = persistence.extendJob(CID, leased.getId(), null, at(UNTIL + 9_000), null);
        expected.setLockedUntil(at(UNTIL + 9_000));
        assertEquals(expected, extended, "no lock token: any running job");
        assertEquals(expected, reread(leased));

        assertNull(persistence.startJobByType(CID, "extend", lease(UNTIL + 1, UNTIL + 20_000, MAX_RETRIES, "ext-2")),
                "the extended lock holds past the old locked_until");
        assertNull(persistence.startJobById(CID, leased.getId(), lease(UNTIL + 8_999, UNTIL + 20_000, MAX_RETRIES,
                "ext-3")));
        assertEquals(expected, reread(leased));

        JobV1 waiting = persistence.create(CID, TestData.job("extend", "r2", at(2_000)));
        assertNull(persistence.extendJob(CID, waiting.getId(), null, at(UNTIL), null), "a waiting job is not running");
        assertEquals(waiting, reread(waiting));
        assertNull(persistence.extendJob(CID, "no-such-job", null, at(UNTIL), null));
    }

    @Test
    void abortJob() throws Exception {
        persistence.create(CID, TestData.job("abort", "r", at(1_000)));
        JobV1 leased = persistence.startJobByType(CID, "abort", lease(NOW, UNTIL, MAX_RETRIES, "ab-1"));

        assertNull(persistence.abortJob(CID, leased.getId(), "ab-other", abort(NOW)), "wrong lock token");
        assertEquals(leased, reread(leased), "a refused abort changes nothing");

        JobV1 aborted = persistence.abortJob(CID, leased.getId(), "ab-1", abort(NOW));
        JobV1 expected = abortedCopy(leased, NOW, "aborted");
        assertEquals(expected, aborted, "abort clears started, locked_until, lock_token, keeps retries, records the error");
        assertEquals(1, aborted.getRetries());
        assertEquals(expected, reread(leased));

        assertNull(persistence.abortJob(CID, leased.getId(), null, abort(NOW)), "an aborted job is not running");
        assertEquals(expected, reread(leased));

        JobLease again = lease(NOW + 1, UNTIL, MAX_RETRIES, "ab-2");
        JobV1 released = persistence.startJobByType(CID, "abort", again);
        assertEquals(leasedCopy(aborted, again), released, "an aborted job can be leased again at once");
        assertEquals(2, released.getRetries());

        JobV1 abortedAgain = persistence.abortJob(CID, leased.getId(), null, abort(NOW));
        assertNotNull(abortedAgain, "no lock token: any running job");
        assertNull(abortedAgain.getStarted());
        assertNull(abortedAgain.getLockToken());
        assertEquals(2, abortedAgain.getRetries());
        JobLease byId = lease(NOW + 2, UNTIL, MAX_RETRIES, "ab-3");
        assertEquals(leasedCopy(abortedAgain, byId), persistence.startJobById(CID, leased.getId(), byId));

        assertNull(persistence.abortJob(CID, "no-such-job", null, abort(NOW)));
    }

    @Test
    void completeJob() throws Exception {
        persistence.create(CID, TestData.job("complete", "r1", at(1_000)));
        JobV1 leased = persistence.startJobByType(CID, "complete", lease(NOW, UNTIL, MAX_RETRIES, "c-1"));

        assertNull(persistence.completeJob(CID, leased.getId(), "c-other", at(NOW + 500), null), "wrong lock token");
        assertEquals(leased, reread(leased), "a refused complete changes nothing");

        JobV1 completed = persistence.completeJob(CID, leased.getId(), "c-1", at(NOW + 500), null);
        JobV1 expected = leased.copy();
        expected.setCompleted(at(NOW + 500));
        expected.setLockedUntil(null);
        expected.setLockToken(null);
        assertEquals(expected, completed, "complete sets completed, clears locked_until and lock_token");
        assertEquals(expected, reread(leased));

        assertNull(persistence.completeJob(CID, leased.getId(), "c-1", at(NOW + 600), null), "completing twice");
        assertNull(persistence.completeJob(CID, leased.getId(), null, at(NOW + 600), null), "completing twice");
        assertNull(persistence.extendJob(CID, leased.getId(), null, at(UNTIL), null), "a completed job is not running");
        assertNull(persistence.abortJob(CID, leased.getId(), null, abort(NOW)), "a completed job is not running");
        assertNull(persistence.startJobById(CID, leased.getId(), lease(UNTIL * 2, UNTIL * 3, MAX_RETRIES, "c-2")));
        assertNull(persistence.startJobByType(CID, "complete", lease(UNTIL * 2, UNTIL * 3, MAX_RETRIES, "c-3")));
        assertEquals(expected, reread(leased), "nothing changes a completed job");

        persistence.create(CID, TestData.job("complete", "r2", at(2_000)));
        JobV1 second = persistence.startJobByType(CID, "complete", lease(NOW, UNTIL, MAX_RETRIES, "c-4"));
        JobV1 done = persistence.completeJob(CID, second.getId(), null, at(NOW + 700), null);
        assertNotNull(done, "no lock token: any running job");
        assertSameInstant(at(NOW + 700), done.getCompleted(), "completed");

        JobV1 waiting = persistence.create(CID, TestData.job("complete", "r3", at(3_000)));
        assertNull(persistence.completeJob(CID, waiting.getId(), null, at(NOW), null), "a waiting job is not running");
        assertEquals(waiting, reread(waiting));
        assertNull(persistence.completeJob(CID, "no-such-job", null, at(NOW), null));
    }

    /** A worker whose lock expired and was leased by another cannot touch the new attempt. */
    @Test
    void staleLockTokenChangesNothing() throws Exception {
        JobV1 job = persistence.create(CID, TestData.job("stale", "r", at(1_000)));
        persistence.startJobByType(CID, "stale", lease(NOW, NOW + 1_000, MAX_RETRIES, "token-a"));
        JobV1 b = persistence.startJobByType(CID, "stale", lease(NOW + 1_000, NOW + 2_000, MAX_RETRIES, "token-b"));
        assertEquals(job.getId(), b.getId());

        assertNull(persistence.extendJob(CID, job.getId(), "token-a", at(NOW + 9_000), null));
        assertEquals(b, reread(b));
        assertNull(persistence.abortJob(CID, job.getId(), "token-a", abort(NOW)));
        assertEquals(b, reread(b));
        assertNull(persistence.completeJob(CID, job.getId(), "token-a", at(NOW + 1_500), null));
        assertEquals(b, reread(b));

        JobV1 completed = persistence.completeJob(CID, job.getId(), "token-b", at(NOW + 1_500), null);
        assertNotNull(completed, "the current lock token completes");
        assertSameInstant(at(NOW + 1_500), completed.getCompleted(), "completed");

        // A running job whose lock expired, and that nobody leased again, can still be completed.
        JobV1 late = persistence.create(CID, TestData.job("stale", "r2", at(2_000)));
        persistence.startJobById(CID, late.getId(), lease(NOW, NOW + 1_000, MAX_RETRIES, "token-c"));
        assertNotNull(persistence.completeJob(CID, late.getId(), "token-c", at(NOW + 5_000), null));
    }

    // ---------------------------------------------------------------- createUnique

    @Test
    void createUnique() throws Exception {

        JobV1 first = persistence.createUnique(CID, TestData.job("uniq", "r1", at(1_000)), AT);
        assertNotNull(first.getId(), "createUnique assigns an id");
        assertEquals(first, reread(first));

        JobV1 other = TestData.job("uniq", "r1", at(2_000));
        other.setParams(Map.of("other", true));
        assertEquals(first, persistence.createUnique(CID, other, AT), "the existing job, as stored");
        assertEquals(1L, count("type", "uniq", "ref_id", "r1"));

        JobV1 otherRef = persistence.createUnique(CID, TestData.job("uniq", "r2", at(3_000)), AT);
        JobV1 otherType = persistence.createUnique(CID, TestData.job("uniq-other", "r1", at(3_000)), AT);
        assertEquals(3, new HashSet<>(idsOf(first, otherRef, otherType)).size(),
                "another ref_id or another type is another job");

        // Jobs added with create() count; the oldest not completed one is returned.
        JobV1 plain2 = persistence.create(CID, TestData.job("uniq", "r3", at(2_000)));
        JobV1 plain1 = persistence.create(CID, TestData.job("uniq", "r3", at(1_000)));
        assertEquals(plain1, persistence.createUnique(CID, TestData.job("uniq", "r3", at(5_000)), AT));
        assertEquals(2L, count("type", "uniq", "ref_id", "r3"));

        JobV1 running = persistence.startJobById(CID, plain1.getId(), lease(NOW, UNTIL, MAX_RETRIES, "u-1"));
        assertEquals(running, persistence.createUnique(CID, TestData.job("uniq", "r3", at(5_000)), AT),
                "a running job is not completed");

        persistence.completeJob(CID, plain1.getId(), "u-1", at(NOW + 1), null);
        assertEquals(plain2, persistence.createUnique(CID, TestData.job("uniq", "r3", at(5_000)), AT),
                "a completed job does not count");

        persistence.startJobById(CID, plain2.getId(), lease(NOW, UNTIL, MAX_RETRIES, "u-2"));
        persistence.completeJob(CID, plain2.getId(), "u-2", at(NOW + 1), null);
        JobV1 fresh = persistence.createUnique(CID, TestData.job("uniq", "r3", at(5_000)), AT);
        assertFalse(Set.of(plain1.getId(), plain2.getId()).contains(fresh.getId()),
                "once every such job is completed, a new one is created");
        assertSameInstant(at(5_000), fresh.getCreated(), "created");
        assertNull(fresh.getCompleted());
        assertEquals(3L, count("type", "uniq", "ref_id", "r3"));
        assertEquals(fresh, persistence.createUnique(CID, TestData.job("uniq", "r3", at(6_000)), AT));

        persistence.deleteById(CID, first.getId());
        JobV1 replacement = persistence.createUnique(CID, TestData.job("uniq", "r1", at(7_000)), AT);
        assertNotEquals(first.getId(), replacement.getId(), "a deleted job does not count");
        assertEquals(1L, count("type", "uniq", "ref_id", "r1"));
    }

    // ---------------------------------------------------------------- getStats

    /** Jobs in every state, counted at a time and with a max_retries: each parameter changes states. */
    @Test
    void stats() throws Exception {
        assertEquals(Map.of(), persistence.getStats(CID, AT), "no jobs, no types");

        store("stats-a", 1_000, j -> { });
        store("stats-a", 500, j -> { });
        store("stats-a", 2_000, j -> run(j, NOW - 1));
        store("stats-a", 2_500, j -> run(j, NOW));
        store("stats-a", 3_000, j -> j.setExecuteUntil(at(NOW + 1)));
        store("stats-a", 100, j -> run(j, NOW + 1));
        store("stats-a", 3_100, j -> {
            run(j, UNTIL);
            j.setRetries(MAX_RETRIES);
        });
        store("stats-a", 3_200, j -> {
            run(j, UNTIL);
            j.setExecuteUntil(at(NOW - 1));
        });
        store("stats-a", 50, j -> complete(j, 50_000));
        store("stats-a", 3_300, j -> {
            complete(j, 60_000);
            j.setRetries(MAX_RETRIES);
            j.setExecuteUntil(at(1_000));
        });
        store("stats-a", 10, j -> j.setRetries(MAX_RETRIES));
        store("stats-a", 3_400, j -> {
            run(j, NOW - 1);
            j.setRetries(MAX_RETRIES);
        });
        store("stats-a", 3_500, j -> {
            j.setRetries(MAX_RETRIES);
            j.setExecuteUntil(at(NOW));
        });
        store("stats-a", 3_600, j -> j.setExecuteUntil(at(NOW)));
        store("stats-a", 3_700, j -> {
            run(j, NOW - 1);
            j.setExecuteUntil(at(NOW - 1_000));
        });
        store("stats-b", 1_000, j -> run(j, UNTIL));
        store("stats-b", 2_000, j -> complete(j, 60_000));
        JobV1 gone = store("stats-c", 1_000, j -> { });
        persistence.deleteById(CID, gone.getId());

        Map<String, JobTypeStatsV1> stats = persistence.getStats(CID, AT);
        assertEquals(Set.of("stats-a", "stats-b"), stats.keySet(), "a type without jobs is left out");
        // waiting: never leased, lock ran out, lock ends now, expires later; running: the lock
        // holds, even out of retries or expired; completed: whatever else; failed: out of
        // retries, or execute_until at or before now.
        assertStats(stats.get("stats-a"), 5, 0, 3, 2, 5, 0, 500L, "stats-a at now");
        assertStats(stats.get("stats-b"), 0, 0, 1, 1, 0, 0, null, "stats-b: nothing waits");

        stats = persistence.getStats(CID, new JobMoment(at(NOW), MAX_RETRIES + 10));
        assertStats(stats.get("stats-a"), 7, 0, 3, 2, 3, 0, 10L, "stats-a with more retries allowed");

        stats = persistence.getStats(CID, new JobMoment(at(NOW + 2), MAX_RETRIES));
        assertStats(stats.get("stats-a"), 5, 0, 2, 2, 6, 0, 100L, "stats-a a little later");
        assertEquals(17, stats.values().stream().mapToLong(JobTypeStatsV1::total).sum(), "every job once");
    }

    private static void assertStats(JobTypeStatsV1 stats, long waiting, long scheduled, long running, long completed,
                                    long failed, long cancelled, Long oldestWaiting, String what) {
        assertNotNull(stats, what);
        assertEquals(List.of(waiting, scheduled, running, completed, failed, cancelled),
                List.of(stats.count(JobState.WAITING), stats.count(JobState.SCHEDULED), stats.count(JobState.RUNNING),
                        stats.count(JobState.COMPLETED), stats.count(JobState.FAILED), stats.count(JobState.CANCELLED)),
                what + ": waiting, scheduled, running, completed, failed, cancelled");
        if (oldestWaiting == null)
            assertNull(stats.getOldestWaiting(), what + ": oldest waiting");
        else
            assertSameInstant(at(oldestWaiting), stats.getOldestWaiting(), what + ": oldest waiting");
    }

    // ---------------------------------------------------------------- cleanJobs

    @Test
    void cleanJobs() throws Exception {
        long completedBefore = 50_000;
        List<JobV1> deleted = new ArrayList<>();
        List<JobV1> kept = new ArrayList<>();

        deleted.add(store("clean-done", 1, j -> complete(j, 49_999)));
        kept.add(store("clean-done", 2, j -> complete(j, completedBefore)));
        kept.add(store("clean-done", 3, j -> complete(j, 60_000)));
        deleted.add(store("clean-done", 4, j -> {
            complete(j, 10_000);
            j.setRetries(MAX_RETRIES);
            j.setExecuteUntil(at(1_000));
        }));

        deleted.add(store("clean-expired", 1, j -> j.setExecuteUntil(at(NOW))));
        deleted.add(store("clean-expired", 2, j -> j.setExecuteUntil(at(NOW - 1_000))));
        kept.add(store("clean-expired", 3, j -> j.setExecuteUntil(at(NOW + 1))));

        deleted.add(store("clean-retries", 1, j -> j.setRetries(MAX_RETRIES)));
        deleted.add(store("clean-retries", 2, j -> j.setRetries(MAX_RETRIES + 2)));
        kept.add(store("clean-retries", 3, j -> j.setRetries(MAX_RETRIES - 1)));

        kept.add(store("clean-locked", 1, j -> {
            run(j, NOW + 1);
            j.setExecuteUntil(at(NOW - 5_000));
        }));
        kept.add(store("clean-locked", 2, j -> {
            run(j, NOW + 100_000);
            j.setRetries(MAX_RETRIES);
        }));
        deleted.add(store("clean-locked", 3, j -> {
            run(j, NOW);
            j.setExecuteUntil(at(NOW - 5_000));
        }));
        deleted.add(store("clean-locked", 4, j -> {
            run(j, NOW - 1);
            j.setRetries(MAX_RETRIES);
        }));
        kept.add(store("clean-locked", 5, j -> run(j, NOW + 1_000)));

        kept.add(persistence.create(CID, TestData.job("clean-waiting", "r", at(1_000))));

        long count = persistence.cleanJobs(CID, AT, at(completedBefore), at(NOW + 1));
        assertEquals(deleted.size(), count, "the number of deleted jobs");
        for (JobV1 job : deleted)
            assertNull(reread(job), "deleted: " + job);
        for (JobV1 job : kept)
            assertEquals(job, reread(job), "kept unchanged: " + job);
        assertEquals(Long.valueOf(kept.size()), count());

        assertEquals(0L, persistence.cleanJobs(CID, AT, at(completedBefore), at(NOW + 1)),
                "nothing left to clean");
    }

    // ---------------------------------------------------------------- concurrency

    /**
     * 32 threads lease and complete the jobs of one type until none is free: every job is leased
     * exactly once, each thread gets the jobs in created order, and all end completed.
     */
    @Test
    void concurrentLeasing() throws Exception {
        int jobCount = concurrentJobCount();
        for (int i = 0; i < jobCount; i++)
            persistence.create(CID, TestData.job("parallel", "ref-" + i, at(i)));

        int threads = 32;
        Set<String> leased = ConcurrentHashMap.newKeySet();
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicInteger problemCount = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int total = 0;
        try {
            List<Future<Integer>> workers = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int worker = w;
                workers.add(pool.submit(() -> leaseUntilEmpty(worker, start, leased, problems, problemCount)));
            }
            for (Future<Integer> worker : workers)
                total += worker.get(10, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }

        assertEquals(0, problemCount.get(), () -> problemCount.get() + " problems, first: " + problems);
        assertEquals(jobCount, total, "leases");
        assertEquals(jobCount, leased.size(), "jobs leased");
        assertEquals(Long.valueOf(jobCount), count("type", "parallel"));
        assertEquals(Long.valueOf(jobCount), count("completed_from", iso(NOW + 1), "completed_to", iso(NOW + 1)),
                "all completed");
        assertEquals(Long.valueOf(jobCount), count("retries", "1"), "each leased once");
        assertNull(persistence.startJobByType(CID, "parallel", lease(NOW * 100, NOW * 101, 1_000, "after")));
    }

    private Integer leaseUntilEmpty(int worker, CyclicBarrier start, Set<String> leased, Queue<String> problems,
                                    AtomicInteger problemCount) throws Exception {
        start.await();
        int count = 0;
        ZonedDateTime last = null;
        while (true) {
            String token = "worker-" + worker + "-" + count;
            // A long lock and many retries: only the atomic lease keeps a job from a second worker.
            JobV1 job = persistence.startJobByType(CID, "parallel", lease(NOW, NOW + 3_600_000, 1_000, token));
            if (job == null)
                return count;
            count++;
            if (!leased.add(job.getId()))
                problem(problems, problemCount, "leased twice: " + job);
            if (!token.equals(job.getLockToken()) || job.getRetries() != 1)
                problem(problems, problemCount, "bad lease by " + token + ": " + job);
            if (last != null && !job.getCreated().isAfter(last))
                problem(problems, problemCount, "worker " + worker + " got " + job + " after a job created at " + last);
            last = job.getCreated();
            if (persistence.completeJob(CID, job.getId(), token, at(NOW + 1), null) == null)
                problem(problems, problemCount, "not completed by " + token + ": " + reread(job));
        }
    }

    private static void problem(Queue<String> problems, AtomicInteger problemCount, String problem) {
        if (problemCount.getAndIncrement() < 10)
            problems.add(problem);
    }

    /** 16 threads add the same unique job at once, in many rounds: one job per round, one id. */
    @Test
    void concurrentCreateUnique() throws Exception {
        int threads = 16;
        int rounds = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < rounds; round++) {
                String refId = "race-" + round;
                long created = round * 100L;
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<String>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long time = created + t;
                    results.add(pool.submit(() -> {
                        start.await();
                        return persistence.createUnique(CID, TestData.job("unique-race", refId, at(time)), AT).getId();
                    }));
                }
                Set<String> ids = new HashSet<>();
                for (Future<String> result : results)
                    ids.add(result.get(1, TimeUnit.MINUTES));
                assertEquals(1, ids.size(), "round " + round + ": every caller gets the same job: " + ids);
                assertEquals(Long.valueOf(1), count("type", "unique-race", "ref_id", refId),
                        "round " + round + ": exactly one job");
                assertNotNull(persistence.getOneById(CID, ids.iterator().next()));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Long.valueOf(rounds), count("type", "unique-race"));
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Checks the exact, from and to keys of one date field on jobs whose date is null, 1.999 s,
     * 2 s, 2.001 s and 5 s after the start (created in that order, a millisecond apart, except
     * for the created field itself).
     */
    private void checkDateFilter(String exactKey, String fromKey, String toKey,
                                 BiConsumer<JobV1, ZonedDateTime> setter) throws ApplicationException {
        persistence.deleteAll(CID);
        boolean created = exactKey.equals("created");
        if (!created)
            store("dates", 1, job -> setter.accept(job, null));
        long[] values = {1_999, 2_000, 2_001, 5_000};
        List<JobV1> jobs = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            long value = values[i];
            jobs.add(store("dates", 10 + i, job -> setter.accept(job, at(value))));
        }
        JobV1 j1999 = jobs.get(0), j2000 = jobs.get(1), j2001 = jobs.get(2), j5000 = jobs.get(3);

        assertEquals(idsOf(j2000), ids(exactKey, iso(2_000)), exactKey);
        assertEquals(idsOf(j2000), ids(exactKey, "2026-01-01T03:00:02.000+03:00"), exactKey + " with an offset");
        assertEquals(List.of(), ids(exactKey, iso(3_000)), exactKey);
        assertEquals(idsOf(j2000, j2001, j5000), ids(fromKey, iso(2_000)), fromKey + " is inclusive");
        assertEquals(idsOf(j1999, j2000), ids(toKey, iso(2_000)), toKey + " is inclusive");
        assertEquals(idsOf(j2000, j2001), ids(fromKey, iso(2_000), toKey, iso(2_001)), fromKey + " and " + toKey);
        assertEquals(idsOf(j5000), ids(fromKey, iso(5_000), toKey, iso(5_000)), fromKey + " = " + toKey);
        assertEquals(List.of(), ids(fromKey, iso(2_002), toKey, iso(4_999)), "an empty range");
        assertEquals(idsOf(j1999, j2000, j2001, j5000), ids(fromKey, iso(-1_000_000)), "a null date never matches");
        assertEquals(idsOf(j1999, j2000, j2001, j5000), ids(toKey, iso(1_000_000)), "a null date never matches");
        assertEquals(List.of(), ids(exactKey, iso(2_000), fromKey, iso(2_001)), "criteria combine");
        assertEquals(idsOf(j2001), ids(exactKey, iso(2_001), toKey, iso(5_000)), "criteria combine");
    }

    private static Map<String, Object> sampleParams() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("inner", new ArrayList<>(List.of(List.of("a", "b"), Map.of("deep", false))));
        nested.put("empty", new LinkedHashMap<>());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("text", "hello");
        params.put("number", 42);
        params.put("fraction", 1.5);
        params.put("flag", true);
        params.put("list", new ArrayList<>(List.of(1, "two", Map.of("three", 3))));
        params.put("nested", nested);
        return params;
    }

    /** Tries to change params in place; an unmodifiable tree is fine too. */
    @SuppressWarnings("unchecked")
    private static void tryToChange(Object params) {
        Map<String, Object> map = (Map<String, Object>) params;
        try {
            map.put("text", "changed");
        } catch (UnsupportedOperationException ignored) {
            // read-only: as good as a copy
        }
        try {
            ((List<Object>) map.get("list")).add("added");
        } catch (UnsupportedOperationException ignored) {
            // read-only
        }
        try {
            ((Map<String, Object>) map.get("nested")).put("inner", "changed");
        } catch (UnsupportedOperationException ignored) {
            // read-only
        }
    }

    private static void complete(JobV1 job, long completedMillis) {
        job.setStarted(at(completedMillis - 1));
        job.setCompleted(at(completedMillis));
        job.setRetries(1);
    }

    private static void run(JobV1 job, long lockedUntilMillis) {
        job.setStarted(at(NOW - 10_000));
        job.setLockedUntil(at(lockedUntilMillis));
        job.setRetries(1);
        job.setLockToken("running-" + lockedUntilMillis);
    }

    /** Stores a job of a type, created at a time, in a state set by the caller. */
    private JobV1 store(String type, long createdMillis, Consumer<JobV1> state) throws ApplicationException {
        JobV1 job = TestData.job(type, type + "-" + createdMillis, at(createdMillis));
        state.accept(job);
        return persistence.create(CID, job);
    }

    private JobV1 reread(JobV1 job) throws ApplicationException {
        return persistence.getOneById(CID, job.getId());
    }

    private static JobLease lease(long nowMillis, long lockedUntilMillis, int maxRetries, String token) {
        return new JobLease(at(nowMillis), at(lockedUntilMillis), maxRetries, token);
    }

    /**
     * What a job looks like after a lease: a lease of it that ran out unfinished is recorded as an
     * error; its run_at is when a lost lease lets it run again (after the lease's backoff), or null.
     */
    static JobV1 leasedCopy(JobV1 job, JobLease lease) {
        JobV1 expected = job.copy();
        if (job.getStarted() != null && job.getCompleted() == null && job.getLockedUntil() != null
                && !job.getLockedUntil().isAfter(lease.now()))
            expected.setErrors(withError(job, new JobErrorV1(job.getRetries(), job.getLockedUntil(),
                    JobErrorV1.LEASE_EXPIRED)));
        expected.setStarted(lease.now());
        expected.setLockedUntil(lease.lockedUntil());
        expected.setRetries(job.getRetries() + 1);
        expected.setLockToken(lease.lockToken());
        expected.setCompleted(null);
        long delay = lease.retry().delayAfter(job.getBackoff(), job.getRetries() + 1);
        expected.setRunAt(delay > 0 ? lease.lockedUntil().plusNanos(delay * 1_000_000) : null);
        return expected;
    }

    /** The terms of an abort at a time, with the error "aborted", no delay. */
    static JobAbort abort(long nowMillis) {
        return new JobAbort(at(nowMillis), "aborted", null, MAX_RETRIES, JobRetry.NONE);
    }

    /** What a job looks like after an abort at a time: no lease, its error recorded. */
    static JobV1 abortedCopy(JobV1 job, long nowMillis, String error) {
        JobV1 expected = job.copy();
        expected.setStarted(null);
        expected.setLockedUntil(null);
        expected.setLockToken(null);
        expected.setErrors(withError(job, new JobErrorV1(job.getRetries(), at(nowMillis), error)));
        return expected;
    }

    /** The errors of a job with one more, the last ten kept. */
    static List<JobErrorV1> withError(JobV1 job, JobErrorV1 error) {
        List<JobErrorV1> errors = new ArrayList<>(job.getErrors());
        errors.add(error);
        return errors.subList(Math.max(0, errors.size() - JobErrorV1.MAX_KEPT), errors.size());
    }

    private static String iso(long millis) {
        return WIRE.format(at(millis));
    }

    private List<String> ids(String... filterTuples) throws ApplicationException {
        return idsOf(persistence.getPageByFilter(CID, FilterParams.fromTuples((Object[]) filterTuples), null, AT));
    }

    private Long count(String... filterTuples) throws ApplicationException {
        return persistence.getPageByFilter(CID, FilterParams.fromTuples((Object[]) filterTuples),
                new PagingParams(0, 1, true), AT).getTotal();
    }

    private static List<String> idsOf(DataPage<JobV1> page) {
        List<String> ids = new ArrayList<>();
        for (JobV1 job : page.getData())
            ids.add(job.getId());
        return ids;
    }

    private static List<String> idsOf(JobV1... jobs) {
        List<String> ids = new ArrayList<>();
        for (JobV1 job : jobs)
            ids.add(job.getId());
        return ids;
    }

    private void assertInvalidFilter(String... filterTuples) {
        BadRequestException error = assertThrows(BadRequestException.class,
                () -> persistence.getPageByFilter(CID, FilterParams.fromTuples((Object[]) filterTuples), null, AT),
                () -> "filter " + List.of(filterTuples));
        assertEquals("INVALID_FILTER", error.getCode(), () -> "filter " + List.of(filterTuples));
    }

    private static void assertSameInstant(ZonedDateTime expected, ZonedDateTime actual, String what) {
        assertNotNull(actual, what);
        assertEquals(expected.toInstant(), actual.toInstant(), what);
    }
}
