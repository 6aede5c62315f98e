package org.servicejobs.clients.version1;

import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.refer.IReferenceable;
import org.pipservices3.commons.refer.IReferences;
import org.pipservices3.commons.run.IOpenable;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.persistence.IJobsPersistence;
import org.servicejobs.persistence.JobLease;
import org.servicejobs.persistence.JobTypeStats;
import org.servicejobs.persistence.JobsMemoryPersistence;

import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The memory store, observed: it counts the calls of each method, can hold the calls of a method
 * until {@link #releaseAll()}, and tells when a lease by type found no job (a long-poll is then
 * about to wait).
 */
final class ObservedJobsPersistence implements IJobsPersistence, IReferenceable, IOpenable {
    private static final long MAX_HOLD_SECONDS = 30;

    private final JobsMemoryPersistence store = new JobsMemoryPersistence();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<String, CountDownLatch> emptyLeases = new ConcurrentHashMap<>();

    /** How many times a method was called. */
    int calls(String method) {
        AtomicInteger count = calls.get(method);
        return count == null ? 0 : count.get();
    }

    /** Holds every later call of a method until {@link #releaseAll()} (at most 30 s). */
    void hold(String method) {
        held.add(method);
    }

    void releaseAll() {
        held.clear();
        release.countDown();
    }

    /** A latch counted down when a lease of the type finds no free job. */
    CountDownLatch watchEmptyLeases(String type) {
        return emptyLeases.computeIfAbsent(type, t -> new CountDownLatch(1));
    }

    private void enter(String method) {
        calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
        if (!held.contains(method))
            return;
        try {
            if (!release.await(MAX_HOLD_SECONDS, TimeUnit.SECONDS))
                throw new IllegalStateException("a held call of " + method + " was never released");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void setReferences(IReferences references) {
        store.setReferences(references);
    }

    @Override
    public boolean isOpen() {
        return store.isOpen();
    }

    @Override
    public void open(String correlationId) throws ApplicationException {
        store.open(correlationId);
    }

    @Override
    public void close(String correlationId) throws ApplicationException {
        releaseAll();
        store.close(correlationId);
    }

    @Override
    public DataPage<JobV1> getPageByFilter(String correlationId, FilterParams filter, PagingParams paging)
            throws ApplicationException {
        enter("getPageByFilter");
        return store.getPageByFilter(correlationId, filter, paging);
    }

    @Override
    public JobV1 getOneById(String correlationId, String id) {
        enter("getOneById");
        return store.getOneById(correlationId, id);
    }

    @Override
    public JobV1 create(String correlationId, JobV1 job) throws ApplicationException {
        enter("create");
        return store.create(correlationId, job);
    }

    @Override
    public JobV1 createUnique(String correlationId, JobV1 job) throws ApplicationException {
        enter("createUnique");
        return store.createUnique(correlationId, job);
    }

    @Override
    public JobV1 startJobById(String correlationId, String id, JobLease lease) throws ApplicationException {
        enter("startJobById");
        return store.startJobById(correlationId, id, lease);
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, JobLease lease) throws ApplicationException {
        enter("startJobByType");
        JobV1 job = store.startJobByType(correlationId, type, lease);
        CountDownLatch empty = emptyLeases.get(type);
        if (job == null && empty != null)
            empty.countDown();
        return job;
    }

    @Override
    public JobV1 extendJob(String correlationId, String id, String lockToken, ZonedDateTime lockedUntil)
            throws ApplicationException {
        enter("extendJob");
        return store.extendJob(correlationId, id, lockToken, lockedUntil);
    }

    @Override
    public JobV1 abortJob(String correlationId, String id, String lockToken) throws ApplicationException {
        enter("abortJob");
        return store.abortJob(correlationId, id, lockToken);
    }

    @Override
    public JobV1 completeJob(String correlationId, String id, String lockToken, ZonedDateTime completed)
            throws ApplicationException {
        enter("completeJob");
        return store.completeJob(correlationId, id, lockToken, completed);
    }

    @Override
    public JobV1 deleteById(String correlationId, String id) throws ApplicationException {
        enter("deleteById");
        return store.deleteById(correlationId, id);
    }

    @Override
    public void deleteAll(String correlationId) throws ApplicationException {
        enter("deleteAll");
        store.deleteAll(correlationId);
    }

    @Override
    public long cleanJobs(String correlationId, ZonedDateTime now, ZonedDateTime completedBefore, int maxRetries)
            throws ApplicationException {
        enter("cleanJobs");
        return store.cleanJobs(correlationId, now, completedBefore, maxRetries);
    }

    @Override
    public Map<String, JobTypeStats> getStats(String correlationId, ZonedDateTime now, int maxRetries)
            throws ApplicationException {
        enter("getStats");
        return store.getStats(correlationId, now, maxRetries);
    }
}
