package org.servicejobs.persistence;

import java.time.ZonedDateTime;

/**
 * The terms of a lease, decided by the controller and applied atomically by the store.
 *
 * @param now         the time of the lease: locks that end at or before it have expired.
 * @param lockedUntil the end of the new lock.
 * @param maxRetries  a job is leased only while its retries are below this number.
 * @param lockToken   the new lock token of the job.
 */
public record JobLease(ZonedDateTime now, ZonedDateTime lockedUntil, int maxRetries, String lockToken) {
}
