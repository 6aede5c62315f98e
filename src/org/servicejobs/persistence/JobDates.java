package org.servicejobs.persistence;

import org.servicejobs.data.version1.JobState;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Dates as the stores keep them: epoch milliseconds, {@link #NONE} for an unset date (the
 * primitive form the state classifier takes), and back as UTC dates.
 */
final class JobDates {
    /** The value of an unset date. */
    static final long NONE = JobState.NONE;

    private JobDates() {
    }

    static long millis(ZonedDateTime date) {
        return JobState.millis(date);
    }

    static ZonedDateTime date(long millis) {
        return millis == NONE ? null : ZonedDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    /**
     * The execute_until of a job retried at <code>now</code>: a ttl that ran out starts again
     * from the retry (now + ttl, the ttl being execute_until - created), so that the retried job
     * can run; one that has not run out, or none, is kept.
     */
    static long renewedExecuteUntil(long executeUntil, long created, long now) {
        if (executeUntil == NONE || executeUntil > now)
            return executeUntil;
        return now + Math.max(0, executeUntil - created);
    }
}
