package org.servicejobs.persistence;

import org.servicejobs.data.version1.JobBackoffV1;

/**
 * How long an attempt that ends unfinished (an abort, a lease that runs out) makes its job wait
 * before its next lease: the job's own backoff, else the controller's, with the jitter of this
 * call. The store applies it, since only the store knows the job a lease by type takes.
 *
 * @param policy   the controller's backoff, for jobs without their own.
 * @param maxDelay the cap of a backoff that has none.
 * @param jitter   a random number from 0 to 1, drawn by the caller for this call.
 */
public record JobRetry(JobBackoffV1 policy, long maxDelay, double jitter) {
    /** No wait: the next lease may come at once. */
    public static final JobRetry NONE = new JobRetry(new JobBackoffV1(JobBackoffV1.FIXED, 0, 0L), 0, 0);

    /** The wait in ms after the attempt that made <code>retries</code>, for a job with <code>own</code> backoff (or null). */
    public long delayAfter(JobBackoffV1 own, int retries) {
        return (own != null ? own : policy).delayAfter(retries, maxDelay, jitter);
    }
}
