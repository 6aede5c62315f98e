package org.servicejobs.persistence;

import org.servicejobs.data.version1.JobState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import static org.servicejobs.persistence.JobDates.NONE;

/**
 * The indexes of the memory and file stores. Not thread-safe: the store changes it under its
 * lock; only {@link #get} may be called without it.
 * <p>
 * Each type keeps its jobs placed by their {@link JobState} as of the type's <i>watermark</i>,
 * the latest time a call brought: per state, the jobs by created time (for counts, get_jobs and
 * its state filter); the waiting ones in lease order (priority, then free since, then id), the
 * running ones by the end of their lock, the scheduled ones by their run_at, the waiting and
 * scheduled ones with a ttl by its end, and the final ones by the time they became final (for the
 * cleaner). A call with a later time first <i>advances</i> the type: the locks, schedules and
 * ttls that ended by then move their jobs to their new state, each in O(log n), so a lease is
 * O(log n) however many jobs are scheduled for later or have a lower priority, and a count is
 * the size of a set.
 * <p>
 * A call with an earlier time than the watermark (calls that raced for the store's lock, or
 * clocks a few ms apart) still never leases a job that is not waiting at its own time: the lease
 * checks each candidate with the classifier. A read (the state filter, counts, the jobs that
 * block an add_uniq_job) is answered at the watermark: time never runs back for the index.
 * A job without a retry limit of its own takes the limit of each call; when that default
 * changes, the type's jobs are placed again.
 */
final class JobsIndex {
    private static final JobState[] STATES = JobState.values();
    private static final int READY = 1, LOCKED = 2, SCHEDULED = 3;
    private static final int SET_SHIFT = 3, EXPIRING = 1 << 5;
    private static final Comparator<JobRecord> BY_LOCK = (a, b) -> {
        int c = Long.compare(a.lockedUntil, b.lockedUntil);
        return c != 0 ? c : a.id.compareTo(b.id);
    };
    private static final Comparator<JobRecord> BY_RUN_AT = (a, b) -> {
        int c = Long.compare(a.runAt, b.runAt);
        return c != 0 ? c : a.id.compareTo(b.id);
    };
    private static final Comparator<JobRecord> BY_EXECUTE_UNTIL = (a, b) -> {
        int c = Long.compare(a.executeUntil, b.executeUntil);
        return c != 0 ? c : a.id.compareTo(b.id);
    };

    private static final class TypeQueue {
        /** The type's name: every record of the type shares this one string. */
        final String type;
        @SuppressWarnings("unchecked")
        final NavigableSet<JobRecord>[] byState = new NavigableSet[STATES.length];
        final NavigableSet<JobRecord> ready = new TreeSet<>(JobRecord.BY_LEASE_ORDER);
        final NavigableSet<JobRecord> locked = new TreeSet<>(BY_LOCK);
        final NavigableSet<JobRecord> scheduled = new TreeSet<>(BY_RUN_AT);
        final NavigableSet<JobRecord> expiring = new TreeSet<>(BY_EXECUTE_UNTIL);
        final NavigableSet<JobRecord> completedByTime = new TreeSet<>(byEnd(JobState.COMPLETED));
        final NavigableSet<JobRecord> endedByTime = new TreeSet<>(byEnd(JobState.FAILED));
        /** ref_id to the id (a String) or ids (a String[]) of its jobs that are not final. */
        final Map<String, Object> live = new HashMap<>();
        long watermark = NONE;
        /** The default retry limit the jobs without one of their own are placed with; -1 before any call. */
        int defaultMaxRetries = -1;
        /** Jobs without a retry limit of their own. */
        int withoutMaxRetries;
        int size;

        TypeQueue(String type) {
            this.type = type;
            for (JobState state : STATES)
                byState[state.ordinal()] = new TreeSet<>(JobRecord.BY_CREATED);
        }

        /** The order of final jobs by the time they became final; cancelled ones and failed ones share a set. */
        private Comparator<JobRecord> byEnd(JobState kind) {
            return (a, b) -> {
                int c = Long.compare(endOf(a, kind), endOf(b, kind));
                return c != 0 ? c : a.id.compareTo(b.id);
            };
        }

        private long endOf(JobRecord job, JobState kind) {
            if (kind == JobState.COMPLETED)
                return job.completed;
            return job.cancelled != NONE ? job.cancelled : job.failedAt(limit());
        }

        /** The retry limit of jobs without one: no limit before a call said it. */
        int limit() {
            return defaultMaxRetries < 0 ? Integer.MAX_VALUE : defaultMaxRetries;
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
        queue.size++;
        if (job.maxRetries == 0)
            queue.withoutMaxRetries++;
        place(queue, job);
        return job;
    }

    /** Replaces a job by a new version of it (same id, type, ref_id and created time). */
    void replace(JobRecord old, JobRecord job) {
        TypeQueue queue = types.get(old.type);
        unplace(queue, old);
        if (job.type != queue.type)
            job = job.withType(queue.type);
        byId.put(job.id, job);
        place(queue, job);
    }

    void remove(JobRecord job) {
        byId.remove(job.id);
        TypeQueue queue = types.get(job.type);
        unplace(queue, job);
        queue.size--;
        if (job.maxRetries == 0)
            queue.withoutMaxRetries--;
        if (queue.size == 0)
            types.remove(job.type);
    }

    /**
     * The first job of a type in lease order that is waiting at <code>now</code>, or null. A
     * candidate that is not waiting at this call's time (a lock or schedule that the watermark
     * already saw end) is skipped, not taken.
     */
    JobRecord firstFree(String type, long now, int defaultMaxRetries) {
        List<JobRecord> first = firstFree(type, now, defaultMaxRetries, 1);
        return first.isEmpty() ? null : first.get(0);
    }

    /** The first <code>limit</code> jobs of a type in lease order that are waiting at <code>now</code>. */
    List<JobRecord> firstFree(String type, long now, int defaultMaxRetries, int limit) {
        TypeQueue queue = types.get(type);
        if (queue == null)
            return List.of();
        advance(queue, now, defaultMaxRetries);
        List<JobRecord> free = new ArrayList<>(Math.min(limit, 16));
        for (JobRecord job : queue.ready) {
            if (free.size() >= limit)
                break;
            if (job.state(now, defaultMaxRetries) == JobState.WAITING)
                free.add(job);
        }
        return free;
    }

    /** The oldest job with a type and ref_id that is not final at <code>now</code>, or null. */
    JobRecord firstLive(String type, String refId, long now, int defaultMaxRetries) {
        TypeQueue queue = types.get(type);
        if (queue == null)
            return null;
        advance(queue, now, defaultMaxRetries);
        Object ids = queue.live.get(refId);
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

    /** The number of jobs of a type in each state at <code>now</code>, indexed by state, and the oldest waiting. */
    long[] counts(String type, long now, int defaultMaxRetries) {
        TypeQueue queue = types.get(type);
        long[] counts = new long[STATES.length];
        if (queue == null)
            return counts;
        advance(queue, now, defaultMaxRetries);
        for (JobState state : STATES)
            counts[state.ordinal()] = queue.byState[state.ordinal()].size();
        return counts;
    }

    /** The created time of the oldest job of a type waiting at the last {@link #counts}, or NONE. */
    long oldestWaiting(String type) {
        TypeQueue queue = types.get(type);
        NavigableSet<JobRecord> waiting = queue == null ? null : queue.byState[JobState.WAITING.ordinal()];
        return waiting == null || waiting.isEmpty() ? NONE : waiting.first().created;
    }

    /**
     * Up to <code>limit</code> final jobs of a type that became final before a time, oldest first:
     * completed ones (before <code>completedBefore</code>) and failed or cancelled ones (before
     * <code>failedBefore</code>), as of <code>now</code>.
     */
    List<JobRecord> finishedBefore(String type, long now, int defaultMaxRetries, long completedBefore,
                                   long failedBefore, int limit) {
        List<JobRecord> jobs = new ArrayList<>();
        TypeQueue queue = types.get(type);
        if (queue == null)
            return jobs;
        advance(queue, now, defaultMaxRetries);
        collectBefore(queue.completedByTime, queue, JobState.COMPLETED, completedBefore, limit, jobs);
        collectBefore(queue.endedByTime, queue, JobState.FAILED, failedBefore, limit, jobs);
        return jobs;
    }

    private static void collectBefore(NavigableSet<JobRecord> set, TypeQueue queue, JobState kind, long before,
                                      int limit, List<JobRecord> into) {
        for (JobRecord job : set) {
            if (into.size() >= limit || queue.endOf(job, kind) >= before)
                return;
            into.add(job);
        }
    }

    /**
     * The jobs of a page of a query.
     *
     * @param page  the jobs of the page, by created time then id.
     * @param total how many jobs match in all, when the page asked for it (else what was counted).
     */
    record Found(List<JobRecord> page, long total) {
    }

    /**
     * The jobs that match a query at <code>now</code> (or at the latest watermark of the types it
     * reads, when that is later), by created time then id; counts them all only when the page asks.
     * A state filter reads only the jobs in those states.
     */
    Found find(JobsQuery query, JobsQuery.Page page, long now, int defaultMaxRetries) {
        Iterator<JobRecord> jobs;
        if (query.id != null) {
            JobRecord job = get(query.id);
            jobs = job == null ? List.<JobRecord>of().iterator() : List.of(job).iterator();
        } else {
            Collection<TypeQueue> queues = query.type != null ? listOf(types.get(query.type)) : types.values();
            // The jobs are placed by their state at their type's watermark: the query is taken at
            // the latest of the watermarks and its own time, so that each job is in the state it is placed in.
            for (TypeQueue queue : queues)
                now = Math.max(now, queue.watermark);
            List<Iterator<JobRecord>> sources = new ArrayList<>();
            for (TypeQueue queue : queues) {
                advance(queue, now, defaultMaxRetries);
                for (JobState state : STATES) {
                    if (query.states == null || query.states.contains(state))
                        sources.add(queue.byState[state.ordinal()].iterator());
                }
            }
            jobs = merged(sources);
        }
        List<JobRecord> found = new ArrayList<>(Math.min(page.take(), IJobsPersistence.MAX_PAGE_SIZE));
        long count = 0;
        while (jobs.hasNext()) {
            JobRecord job = jobs.next();
            if (!query.matches(job, now, defaultMaxRetries))
                continue;
            if (count >= page.skip() && found.size() < page.take())
                found.add(job);
            count++;
            if (!page.total() && found.size() >= page.take())
                break;
        }
        return new Found(found, count);
    }

    private static List<TypeQueue> listOf(TypeQueue queue) {
        return queue == null ? List.of() : List.of(queue);
    }

    /** Moves the jobs whose lock, schedule or ttl ended by <code>now</code>; places the type again when the default limit changed. */
    private void advance(TypeQueue queue, long now, int defaultMaxRetries) {
        if (defaultMaxRetries != queue.defaultMaxRetries) {
            // Out with the old limit (the final sets' order depends on it), in with the new one.
            List<JobRecord> jobs = new ArrayList<>();
            if (queue.withoutMaxRetries > 0) {
                for (NavigableSet<JobRecord> set : queue.byState)
                    jobs.addAll(set);
                for (JobRecord job : jobs)
                    unplace(queue, job);
            }
            queue.defaultMaxRetries = defaultMaxRetries;
            for (JobRecord job : jobs)
                place(queue, job);
        }
        if (now <= queue.watermark)
            return;
        queue.watermark = now;
        while (!queue.locked.isEmpty() && queue.locked.first().lockedUntil <= now)
            placeAgain(queue, queue.locked.first());
        while (!queue.scheduled.isEmpty() && queue.scheduled.first().runAt <= now)
            placeAgain(queue, queue.scheduled.first());
        while (!queue.expiring.isEmpty() && queue.expiring.first().executeUntil <= now)
            placeAgain(queue, queue.expiring.first());
    }

    private void placeAgain(TypeQueue queue, JobRecord job) {
        unplace(queue, job);
        place(queue, job);
    }

    /** Puts a job where its state at the watermark says. */
    private static void place(TypeQueue queue, JobRecord job) {
        JobState state = job.state(queue.watermark, queue.limit());
        queue.byState[state.ordinal()].add(job);
        int set = 0;
        switch (state) {
            case WAITING -> {
                queue.ready.add(job);
                set = READY;
            }
            case SCHEDULED -> {
                queue.scheduled.add(job);
                set = SCHEDULED;
            }
            case RUNNING -> {
                queue.locked.add(job);
                set = LOCKED;
            }
            case COMPLETED -> queue.completedByTime.add(job);
            case FAILED, CANCELLED -> queue.endedByTime.add(job);
        }
        boolean expiring = (state == JobState.WAITING || state == JobState.SCHEDULED) && job.executeUntil != NONE;
        if (expiring)
            queue.expiring.add(job);
        if (!state.isFinal())
            addLive(queue, job);
        job.placed = state.ordinal() | set << SET_SHIFT | (expiring ? EXPIRING : 0);
    }

    /** Takes a job out of every set it was placed in. */
    private static void unplace(TypeQueue queue, JobRecord job) {
        int placed = job.placed;
        if (placed < 0)
            throw new IllegalStateException("job " + job.id + " is not in the index");
        JobState state = STATES[placed & 7];
        queue.byState[state.ordinal()].remove(job);
        switch ((placed >> SET_SHIFT) & 3) {
            case READY -> queue.ready.remove(job);
            case LOCKED -> queue.locked.remove(job);
            case SCHEDULED -> queue.scheduled.remove(job);
            default -> {
                if (state == JobState.COMPLETED)
                    queue.completedByTime.remove(job);
                else if (state.isFinal())
                    queue.endedByTime.remove(job);
            }
        }
        if ((placed & EXPIRING) != 0)
            queue.expiring.remove(job);
        if (!state.isFinal())
            removeLive(queue, job);
        job.placed = -1;
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
    private static Iterator<JobRecord> merged(List<Iterator<JobRecord>> sources) {
        return sources.size() == 1 ? sources.get(0) : new MergingIterator(sources);
    }

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
