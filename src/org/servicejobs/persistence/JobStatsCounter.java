package org.servicejobs.persistence;

import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobTypeStatsV1;

/**
 * Counts the jobs of one type by their {@link JobState} at a moment, for the statistics of the
 * memory and file stores.
 */
final class JobStatsCounter {
    private final long now;
    private final int maxRetries;
    private final long[] counts = new long[JobState.values().length];
    private long oldestWaiting = JobDates.NONE;
    private boolean empty = true;

    JobStatsCounter(long now, int maxRetries) {
        this.now = now;
        this.maxRetries = maxRetries;
    }

    void add(JobRecord job) {
        JobState state = job.state(now, maxRetries);
        counts[state.ordinal()]++;
        empty = false;
        if (state == JobState.WAITING && (oldestWaiting == JobDates.NONE || job.created < oldestWaiting))
            oldestWaiting = job.created;
    }

    boolean isEmpty() {
        return empty;
    }

    JobTypeStatsV1 toStats() {
        return new JobTypeStatsV1(counts, JobDates.date(oldestWaiting));
    }
}
