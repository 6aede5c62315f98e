package org.servicejobs.persistence;

import java.time.ZonedDateTime;

/**
 * The terms of a lease, decided by the controller and applied atomically by the store.
 *
 * @param now         the time of the lease: locks that end at or before it have expired.
 * @param lockedUntil the end of the new lock.
 * @param maxRetries  the retry limit of jobs without their own.
 * @param lockToken   the new lock token of the job.
 * @param retry       the wait after this lease if it runs out unfinished (the job may be leased
 *                    again at <code>lockedUntil</code> plus it).
 */
public record JobLease(ZonedDateTime now, ZonedDateTime lockedUntil, int maxRetries, String lockToken, JobRetry retry) {
    /** A lease after whose loss the job is free at once. */
    public JobLease(ZonedDateTime now, ZonedDateTime lockedUntil, int maxRetries, String lockToken) {
        this(now, lockedUntil, maxRetries, lockToken, JobRetry.NONE);
    }

    /** The moment of the lease. */
    public JobMoment moment() {
        return new JobMoment(now, maxRetries);
    }
}
