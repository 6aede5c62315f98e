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
}
