package org.servicejobs.persistence;

import java.time.ZonedDateTime;

/**
 * How many jobs of one type are in each state at a moment (see
 * {@link IJobsPersistence#getStats}). Every job is in exactly one state:
 * <ul>
 * <li>completed: completed is set;</li>
 * <li>running: not completed and its lock holds (locked_until after the moment);</li>
 * <li>failed: not completed, no lock held, retries used up (retries &gt;= max_retries);</li>
 * <li>expired: not completed, no lock held, retries left, execute_until at or before the moment;</li>
 * <li>waiting: the rest: not completed, no lock held, retries left, not expired (a lease can take it).</li>
 * </ul>
 *
 * @param oldestWaitingCreated the created time of the oldest waiting job, or null when none waits.
 */
public record JobTypeStats(long waiting, long running, long completed, long failed, long expired,
                           ZonedDateTime oldestWaitingCreated) {
    /** Every job of the type. */
    public long total() {
        return waiting + running + completed + failed + expired;
    }
}
