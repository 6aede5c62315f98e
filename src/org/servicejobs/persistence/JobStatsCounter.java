package org.servicejobs.persistence;

/**
 * Counts the jobs of one type by state, for {@link JobsMemoryPersistence#getStats}: the rules of
 * {@link JobTypeStats} on {@link JobRecord}s.
 */
final class JobStatsCounter {
    private final long now;
    private final int maxRetries;
    private long waiting;
    private long running;
    private long completed;
    private long failed;
    private long expired;
    private long oldestWaiting = JobRecord.NONE;

    JobStatsCounter(long now, int maxRetries) {
        this.now = now;
        this.maxRetries = maxRetries;
    }

    void add(JobRecord job) {
        if (job.isCompleted()) {
            completed++;
        } else if (job.isLockedAt(now)) {
            running++;
        } else if (job.retries >= maxRetries) {
            failed++;
        } else if (job.isExpiredAt(now)) {
            expired++;
        } else {
            waiting++;
            if (oldestWaiting == JobRecord.NONE || job.created < oldestWaiting)
                oldestWaiting = job.created;
        }
    }

    boolean isEmpty() {
        return waiting + running + completed + failed + expired == 0;
    }

    JobTypeStats toStats() {
        return new JobTypeStats(waiting, running, completed, failed, expired, JobRecord.date(oldestWaiting));
    }
}
