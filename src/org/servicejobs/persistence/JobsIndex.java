package org.servicejobs.persistence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The indexes of the memory and file stores. Not thread-safe: the store changes it under its
 * lock; only {@link #get} may be called without it.
 * <ul>
 * <li>by id: a hash map, O(1);</li>
 * <li>per type, every job by created time then id (for <code>get_jobs</code> and the cleaner);</li>
 * <li>per type, the free jobs (not completed, no lock held as of the last look) by created
 * time, and the locked jobs by the end of their lock: leasing moves the expired locks to the free
 * set, then takes the first free job, O(log n); free jobs a lease cannot take (expired, out of
 * retries) are parked aside until the cleaner deletes them;</li>
 * <li>per type and ref_id, the ids of the not completed jobs (for <code>add_uniq_job</code>).</li>
 * </ul>
 */
final class JobsIndex {
    private static final class TypeQueue {
        /** The type's name: every record of the type shares this one string. */
        final String type;
        final NavigableSet<JobRecord> all = new TreeSet<>(JobRecord.BY_CREATED);
        final NavigableSet<JobRecord> free = new TreeSet<>(JobRecord.BY_CREATED);
        final NavigableSet<JobRecord> locked = new TreeSet<>(JobRecord.BY_LOCK);
        /**
         * Not completed jobs without a lock that a lease could not take: out of retries, or
         * expired. They stay out of the free set until a lease comes whose terms might take one
         * of them: more retries allowed than the fewest any of them has, or a time before the
         * latest end of life among them (a clock that went back).
         */
        final NavigableSet<JobRecord> parked = new TreeSet<>(JobRecord.BY_CREATED);
        int parkedMinRetries = Integer.MAX_VALUE;
        long parkedMaxExecuteUntil = Long.MIN_VALUE;
        /** ref_id to the id (a String) or ids (a String[]) of its not completed jobs. */
        final Map<String, Object> live = new HashMap<>();

        TypeQueue(String type) {
            this.type = type;
        }
    }

    private final Map<String, JobRecord> byId = new ConcurrentHashMap<>();
    private final Map<String, TypeQueue> types = new HashMap<>();

    JobRecord get(String id) {
        return id == null ? null : byId.get(id);
    }

    int size() {
        return byId.size();
    }

    /** Every job, in no order. */
    List<JobRecord> all() {
        return new ArrayList<>(byId.values());
    }

    Collection<String> typeNames() {
        return new ArrayList<>(types.keySet());
    }

    void clear() {
        byId.clear();
        types.clear();
    }

    /**
     * Adds a job.
     *
     * @return the record stored: the job, its type string shared with the other jobs of the type.
     */
    JobRecord add(JobRecord job) {
        TypeQueue queue = types.computeIfAbsent(job.type, TypeQueue::new);
        if (job.type != queue.type)
            job = job.withType(queue.type);
        byId.put(job.id, job);
        queue.all.add(job);
        if (!job.isCompleted()) {
            addLive(queue, job);
            (job.lockedUntil != JobDates.NONE ? queue.locked : queue.free).add(job);
        }
        return job;
    }

    /** Replaces a job by a new version of it (same id, type, ref_id and created time). */
    void replace(JobRecord old, JobRecord job) {
        byId.put(job.id, job);
        TypeQueue queue = types.get(job.type);
        queue.all.remove(old);
        queue.all.add(job);
        queue.free.remove(old);
        queue.locked.remove(old);
        queue.parked.remove(old);
        if (job.isCompleted()) {
            if (!old.isCompleted())
                removeLive(queue, old);
        } else {
            (job.lockedUntil != JobDates.NONE ? queue.locked : queue.free).add(job);
        }
    }

    void remove(JobRecord job) {
        byId.remove(job.id);
        TypeQueue queue = types.get(job.type);
        queue.all.remove(job);
        queue.free.remove(job);
        queue.locked.remove(job);
        queue.parked.remove(job);
        if (!job.isCompleted())
            removeLive(queue, job);
        if (queue.all.isEmpty())
            types.remove(job.type);
    }

    /**
     * The oldest job of a type that can be leased at <code>now</code> with <code>maxRetries</code>
     * (its state is {@link org.servicejobs.data.version1.JobState#WAITING}), or null. Jobs whose lock expired move to the free set. Free jobs that the lease cannot take
     * (expired, retries used up) are parked out of the way; they come back when a lease has other
     * terms (more retries allowed, or an earlier time), so each call answers by its own terms.
     */
    JobRecord firstFree(String type, long now, int maxRetries) {
        TypeQueue queue = types.get(type);
        if (queue == null)
            return null;
        if (!queue.parked.isEmpty() && (maxRetries > queue.parkedMinRetries || now < queue.parkedMaxExecuteUntil)) {
            queue.free.addAll(queue.parked);
            queue.parked.clear();
        }
        if (queue.parked.isEmpty()) {
            queue.parkedMinRetries = Integer.MAX_VALUE;
            queue.parkedMaxExecuteUntil = Long.MIN_VALUE;
        }
        while (!queue.locked.isEmpty() && queue.locked.first().lockedUntil <= now)
            queue.free.add(queue.locked.pollFirst());
        while (!queue.free.isEmpty()) {
            JobRecord job = queue.free.first();
            switch (job.state(now, maxRetries)) {
                case WAITING -> {
                    return job;
                }
                // The clock went back: the lock holds again.
                case RUNNING -> queue.locked.add(queue.free.pollFirst());
                case FAILED -> {
                    queue.parked.add(queue.free.pollFirst());
                    queue.parkedMinRetries = Math.min(queue.parkedMinRetries, job.retries);
                }
                case EXPIRED -> {
                    queue.parked.add(queue.free.pollFirst());
                    queue.parkedMaxExecuteUntil = Math.max(queue.parkedMaxExecuteUntil, job.executeUntil);
                }
                case COMPLETED -> throw new IllegalStateException("a completed job in the free set: " + job.id);
            }
        }
        return null;
    }

    /** The oldest not completed job with a type and ref_id, or null. */
    JobRecord firstLive(String type, String refId) {
        TypeQueue queue = types.get(type);
        Object ids = queue == null ? null : queue.live.get(refId);
        if (ids == null)
            return null;
        if (ids instanceof String id)
            return byId.get(id);
        JobRecord first = null;
        for (String id : (String[]) ids) {
            JobRecord job = byId.get(id);
            if (first == null || JobRecord.BY_CREATED.compare(job, first) < 0)
                first = job;
        }
        return first;
    }

    /** Every job of a type by created time then id, or of every type when the type is null. */
    Iterator<JobRecord> ordered(String type) {
        if (type != null) {
            TypeQueue queue = types.get(type);
            return queue == null ? Collections.emptyIterator() : queue.all.iterator();
        }
        List<Iterator<JobRecord>> sources = new ArrayList<>();
        for (TypeQueue queue : types.values())
            sources.add(queue.all.iterator());
        return sources.size() == 1 ? sources.get(0) : new MergingIterator(sources);
    }

    /**
     * The jobs of a page of a query.
     *
     * @param page  the jobs of the page, by created time then id.
     * @param total how many jobs match in all, when the page asked for it (else what was counted).
     */
    record Found(List<JobRecord> page, long total) {
    }

    /** The jobs that match a query, by created time then id; counts them all only when the page asks. */
    Found find(JobsQuery query, JobsQuery.Page page) {
        Iterator<JobRecord> jobs;
        if (query.id != null) {
            JobRecord job = get(query.id);
            jobs = job == null ? Collections.emptyIterator() : List.of(job).iterator();
        } else {
            jobs = ordered(query.type);
        }
        List<JobRecord> found = new ArrayList<>(Math.min(page.take(), IJobsPersistence.MAX_PAGE_SIZE));
        long count = 0;
        while (jobs.hasNext()) {
            JobRecord job = jobs.next();
            if (!query.matches(job))
                continue;
            if (count >= page.skip() && found.size() < page.take())
                found.add(job);
            count++;
            if (!page.total() && found.size() >= page.take())
                break;
        }
        return new Found(found, count);
    }

    /**
     * Up to <code>limit</code> jobs of a type after <code>cursor</code> (from the first when it is
     * null), by created time then id.
     */
    List<JobRecord> slice(String type, JobRecord cursor, int limit) {
        TypeQueue queue = types.get(type);
        List<JobRecord> jobs = new ArrayList<>(limit);
        if (queue == null)
            return jobs;
        Iterator<JobRecord> iterator = (cursor == null ? queue.all : queue.all.tailSet(cursor, false)).iterator();
        while (iterator.hasNext() && jobs.size() < limit)
            jobs.add(iterator.next());
        return jobs;
    }

    private static void addLive(TypeQueue queue, JobRecord job) {
        queue.live.merge(job.refId, job.id, (ids, id) -> {
            String[] list = ids instanceof String one ? new String[]{one} : (String[]) ids;
            String[] grown = Arrays.copyOf(list, list.length + 1);
            grown[list.length] = (String) id;
            return grown;
        });
    }

    private static void removeLive(TypeQueue queue, JobRecord job) {
        queue.live.computeIfPresent(job.refId, (refId, ids) -> {
            if (ids instanceof String one)
                return one.equals(job.id) ? null : one;
            String[] rest = Arrays.stream((String[]) ids).filter(id -> !id.equals(job.id)).toArray(String[]::new);
            return rest.length == 0 ? null : rest.length == 1 ? rest[0] : rest;
        });
    }

    /** Merges iterators that are each ordered by created time then id. */
    private static final class MergingIterator implements Iterator<JobRecord> {
        private record Head(JobRecord job, Iterator<JobRecord> rest) {
        }

        private final PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> JobRecord.BY_CREATED.compare(a.job, b.job));

        MergingIterator(List<Iterator<JobRecord>> sources) {
            for (Iterator<JobRecord> source : sources) {
                if (source.hasNext())
                    heads.add(new Head(source.next(), source));
            }
        }

        @Override
        public boolean hasNext() {
            return !heads.isEmpty();
        }

        @Override
        public JobRecord next() {
            Head head = heads.poll();
            if (head == null)
                throw new NoSuchElementException();
            if (head.rest.hasNext())
                heads.add(new Head(head.rest.next(), head.rest));
            return head.job;
        }
    }
}
