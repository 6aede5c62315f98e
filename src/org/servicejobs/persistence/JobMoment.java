package org.servicejobs.persistence;

import java.time.ZonedDateTime;

/**
 * The moment a store takes states at (see {@link org.servicejobs.data.version1.JobState}): the
 * caller's time, and the retry limit of jobs that have none of their own. The store never reads
 * a clock.
 *
 * @param now        the caller's time.
 * @param maxRetries the retry limit of jobs without their own.
 */
public record JobMoment(ZonedDateTime now, int maxRetries) {
}
