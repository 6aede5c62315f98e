package org.servicejobs.persistence;

import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;

import java.util.Comparator;

import static org.servicejobs.persistence.JobDates.NONE;
import static org.servicejobs.persistence.JobDates.date;
import static org.servicejobs.persistence.JobDates.millis;

/**
 * The stored form of a job in the memory and file stores: immutable, with dates as epoch
 * milliseconds ({@link JobDates#NONE} for null), so that a change replaces the record and readers
 * never see half of one. Its state is {@link JobState#of}.
 */
final class JobRecord {

    /** Queue order: created time, then id. */
    static final Comparator<JobRecord> BY_CREATED = (a, b) -> {
        int c = Long.compare(a.created, b.created);
        return c != 0 ? c : a.id.compareTo(b.id);
    };

    /** Snapshot order: type, then created time, then id, so a load inserts into each type's sets in order. */
    static final Comparator<JobRecord> BY_TYPE_AND_CREATED = Comparator.<JobRecord, String>comparing(job -> job.type)
            .thenComparing(BY_CREATED);

    /** Lock order: end of the lock, then id. */
    static final Comparator<JobRecord> BY_LOCK = (a, b) -> {
        int c = Long.compare(a.lockedUntil, b.lockedUntil);
        return c != 0 ? c : a.id.compareTo(b.id);
    };

    final String id;
    final String type;
    final String refId;
    final Object params;
    final long created;
    final long started;
    final long lockedUntil;
    final long executeUntil;
    final long completed;
    final int retries;
    final String lockToken;

    JobRecord(String id, String type, String refId, Object params, long created, long started,
              long lockedUntil, long executeUntil, long completed, int retries, String lockToken) {
        this.id = id;
        this.type = type;
        this.refId = refId;
        this.params = params;
        this.created = created;
        this.started = started;
        this.lockedUntil = lockedUntil;
        this.executeUntil = executeUntil;
        this.completed = completed;
        this.retries = retries;
        this.lockToken = lockToken;
    }

    static JobRecord fromJob(JobV1 job, String id, Object params) {
        return new JobRecord(id, job.getType(), job.getRefId(), params, millis(job.getCreated()),
                millis(job.getStarted()), millis(job.getLockedUntil()), millis(job.getExecuteUntil()),
                millis(job.getCompleted()), job.getRetries(), job.getLockToken());
    }

    JobV1 toJob() {
        JobV1 job = new JobV1(id, type, refId, params);
        job.setCreated(date(created));
        job.setStarted(date(started));
        job.setLockedUntil(date(lockedUntil));
        job.setExecuteUntil(date(executeUntil));
        job.setCompleted(date(completed));
        job.setRetries(retries);
        job.setLockToken(lockToken);
        return job;
    }

    boolean isCompleted() {
        return completed != NONE;
    }

    JobState state(long now, int maxRetries) {
        return JobState.of(completed, lockedUntil, executeUntil, retries, maxRetries, now);
    }

    /** Whether a caller with this lock token (or none) may extend, abort or complete the job. */
    boolean heldBy(String token) {
        return JobState.holdsLease(started, completed, lockToken, token);
    }

    JobRecord withType(String sameType) {
        return new JobRecord(id, sameType, refId, params, created, started, lockedUntil, executeUntil, completed,
                retries, lockToken);
    }

    JobRecord leased(long now, long until, String token) {
        return new JobRecord(id, type, refId, params, created, now, until, executeUntil, NONE, retries + 1, token);
    }

    JobRecord extended(long until) {
        return new JobRecord(id, type, refId, params, created, started, until, executeUntil, completed, retries,
                lockToken);
    }

    JobRecord aborted() {
        return new JobRecord(id, type, refId, params, created, NONE, NONE, executeUntil, NONE, retries, null);
    }

    JobRecord completedAt(long when) {
        return new JobRecord(id, type, refId, params, created, started, NONE, executeUntil, when, retries, null);
    }
}
