package org.servicejobs.data.version1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * How long a job waits before its next lease when an attempt ends without completing (an abort,
 * a lease that ran out): <code>fixed</code> waits <code>delay</code> ms every time;
 * <code>exponential</code> waits <code>delay * 2^(retries - 1)</code> ms; both at most
 * <code>max_delay</code> ms, less up to 10 % of random jitter.
 *
 * @param type     "fixed" or "exponential".
 * @param delay    ms, 0 or more.
 * @param maxDelay ms, the cap (null: the controller's retry_max_delay).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"type", "delay", "max_delay"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record JobBackoffV1(
        @JsonProperty("type") String type,
        @JsonProperty("delay") long delay,
        @JsonProperty("max_delay") Long maxDelay) {
    public static final String FIXED = "fixed";
    public static final String EXPONENTIAL = "exponential";
    /** The share of a delay that jitter may take off. */
    public static final double MAX_JITTER = 0.10;

    @JsonCreator
    public JobBackoffV1 {
    }

    /**
     * The delay after the attempt that made <code>retries</code>.
     *
     * @param defaultMaxDelay the cap when this policy has none.
     * @param jitter          a random number from 0 (no jitter) to 1 (the most jitter).
     */
    public long delayAfter(int retries, long defaultMaxDelay, double jitter) {
        long cap = maxDelay != null ? maxDelay : defaultMaxDelay;
        long base = delay;
        if (EXPONENTIAL.equals(type)) {
            int doublings = Math.max(0, retries - 1);
            base = doublings >= 62 || delay > (Long.MAX_VALUE >> doublings) ? Long.MAX_VALUE : delay << doublings;
        }
        long capped = Math.min(base, cap);
        return capped - (long) (capped * MAX_JITTER * Math.max(0, Math.min(1, jitter)));
    }
}
