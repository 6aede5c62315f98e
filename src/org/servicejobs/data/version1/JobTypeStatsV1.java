package org.servicejobs.data.version1;

import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Objects;

/**
 * How many jobs of one type are in each {@link JobState} at a moment, and the created time of the
 * oldest waiting one.
 */
public final class JobTypeStatsV1 {
    private final long[] _counts;
    private final ZonedDateTime _oldestWaiting;

    /**
     * @param counts        the number of jobs in each state, indexed by {@link JobState#ordinal()}.
     * @param oldestWaiting the created time of the oldest waiting job, or null when none waits.
     */
    public JobTypeStatsV1(long[] counts, ZonedDateTime oldestWaiting) {
        if (counts.length != JobState.values().length)
            throw new IllegalArgumentException("one count per state");
        _counts = counts.clone();
        _oldestWaiting = oldestWaiting;
    }

    /** The number of jobs in a state. */
    public long count(JobState state) {
        return _counts[state.ordinal()];
    }

    /** Every job of the type. */
    public long total() {
        return Arrays.stream(_counts).sum();
    }

    /** The created time of the oldest waiting job, or null when none waits. */
    public ZonedDateTime getOldestWaiting() {
        return _oldestWaiting;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobTypeStatsV1 other && Arrays.equals(_counts, other._counts)
                && (_oldestWaiting == null ? other._oldestWaiting == null
                : other._oldestWaiting != null && _oldestWaiting.toInstant().equals(other._oldestWaiting.toInstant()));
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(_counts));
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("JobTypeStatsV1{");
        for (JobState state : JobState.values())
            text.append(state.wireName()).append('=').append(count(state)).append(", ");
        return text.append("oldest_waiting=").append(_oldestWaiting).append('}').toString();
    }
}
