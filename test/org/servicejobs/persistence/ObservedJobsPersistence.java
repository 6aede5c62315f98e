package org.servicejobs.persistence;

import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobV1;

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
public final class ObservedJobsPersistence extends DelegatingJobsPersistence {
    private static final long MAX_HOLD_SECONDS = 30;

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<String, CountDownLatch> emptyLeases = new ConcurrentHashMap<>();

    /** How many times a method was called. */
    public int calls(String method) {
        AtomicInteger count = calls.get(method);
        return count == null ? 0 : count.get();
    }

    /** Holds every later call of a method until {@link #releaseAll()} (at most 30 s). */
    public void hold(String method) {
        held.add(method);
    }

    public void releaseAll() {
        held.clear();
        release.countDown();
    }

    /** A latch counted down when a lease of the type finds no free job. */
    public CountDownLatch watchEmptyLeases(String type) {
        return watchEmptyLeases(type, 1);
    }

    /** A latch counted down each time a lease of the type finds no free job, <code>count</code> times. */
    public CountDownLatch watchEmptyLeases(String type, int count) {
        return emptyLeases.computeIfAbsent(type, t -> new CountDownLatch(count));
    }

    public ObservedJobsPersistence() {
        super(new JobsMemoryPersistence());
    }

    @Override
    protected void before(String method) {
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
    public void close(String correlationId) throws ApplicationException {
        releaseAll();
        super.close(correlationId);
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, JobLease lease) throws ApplicationException {
        JobV1 job = super.startJobByType(correlationId, type, lease);
        CountDownLatch empty = emptyLeases.get(type);
        if (job == null && empty != null)
            empty.countDown();
        return job;
    }
}
