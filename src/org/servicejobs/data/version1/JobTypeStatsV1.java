package org.servicejobs.data.version1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Objects;

/**
 * How many jobs of one type are in each {@link JobState} at a moment, the created time of the
 * oldest waiting one, and whether the type is paused. On the wire (get_job_stats):
 * <code>{"waiting": n, "scheduled": n, "running": n, "completed": n, "failed": n, "cancelled": n,
 * "oldest_waiting": date|null, "paused": bool}</code>.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"waiting", "scheduled", "running", "completed", "failed", "cancelled", "oldest_waiting", "paused"})
public final class JobTypeStatsV1 {
    private final long[] _counts;
    private final ZonedDateTime _oldestWaiting;
    private final boolean _paused;

    /**
     * @param counts        the number of jobs in each state, indexed by {@link JobState#ordinal()}.
     * @param oldestWaiting the created time of the oldest waiting job, or null when none waits.
     * @param paused        whether leases by type are paused for the type.
     */
    public JobTypeStatsV1(long[] counts, ZonedDateTime oldestWaiting, boolean paused) {
        if (counts.length != JobState.values().length)
            throw new IllegalArgumentException("one count per state");
        _counts = counts.clone();
        _oldestWaiting = oldestWaiting;
        _paused = paused;
    }

    public JobTypeStatsV1(long[] counts, ZonedDateTime oldestWaiting) {
        this(counts, oldestWaiting, false);
    }

    /** The statistics of their JSON form. */
    @JsonCreator
    public static JobTypeStatsV1 fromJson(@JsonProperty("waiting") long waiting, @JsonProperty("scheduled") long scheduled,
                                   @JsonProperty("running") long running, @JsonProperty("completed") long completed,
                                   @JsonProperty("failed") long failed, @JsonProperty("cancelled") long cancelled,
                                   @JsonProperty("oldest_waiting") ZonedDateTime oldestWaiting,
                                   @JsonProperty("paused") boolean paused) {
        long[] counts = new long[JobState.values().length];
        counts[JobState.WAITING.ordinal()] = waiting;
        counts[JobState.SCHEDULED.ordinal()] = scheduled;
        counts[JobState.RUNNING.ordinal()] = running;
        counts[JobState.COMPLETED.ordinal()] = completed;
        counts[JobState.FAILED.ordinal()] = failed;
        counts[JobState.CANCELLED.ordinal()] = cancelled;
        return new JobTypeStatsV1(counts, oldestWaiting, paused);
    }

    /** The same counts, paused or not. */
    public JobTypeStatsV1 withPaused(boolean paused) {
        return new JobTypeStatsV1(_counts, _oldestWaiting, paused);
    }

    /** The number of jobs in a state. */
    public long count(JobState state) {
        return _counts[state.ordinal()];
    }

    /** Every job of the type. */
    public long total() {
        return Arrays.stream(_counts).sum();
    }

    @JsonProperty("waiting")
    public long getWaiting() { return count(JobState.WAITING); }

    @JsonProperty("scheduled")
    public long getScheduled() { return count(JobState.SCHEDULED); }

    @JsonProperty("running")
    public long getRunning() { return count(JobState.RUNNING); }

    @JsonProperty("completed")
    public long getCompleted() { return count(JobState.COMPLETED); }

    @JsonProperty("failed")
    public long getFailed() { return count(JobState.FAILED); }

    @JsonProperty("cancelled")
    public long getCancelled() { return count(JobState.CANCELLED); }

    /** The created time of the oldest waiting job, or null when none waits. */
    @JsonProperty("oldest_waiting")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = JobV1.DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getOldestWaiting() { return _oldestWaiting; }

    @JsonProperty("paused")
    public boolean isPaused() { return _paused; }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobTypeStatsV1 other && Arrays.equals(_counts, other._counts) && _paused == other._paused
                && (_oldestWaiting == null ? other._oldestWaiting == null
                : other._oldestWaiting != null && _oldestWaiting.toInstant().equals(other._oldestWaiting.toInstant()));
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(_counts), _paused);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("JobTypeStatsV1{");
        for (JobState state : JobState.values())
            text.append(state.wireName()).append('=').append(count(state)).append(", ");
        return text.append("oldest_waiting=").append(_oldestWaiting).append(", paused=").append(_paused).append('}')
                .toString();
    }
}
