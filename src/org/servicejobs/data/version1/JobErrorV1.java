package org.servicejobs.data.version1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * Why one attempt of a job did not complete: the error its worker gave (abort_job, fail_job), or
 * <code>"lease expired"</code> for a lease that ran out unfinished.
 *
 * @param attempt the retries count of the attempt (its lease).
 * @param at      when the attempt ended: the abort or fail, or the end of the lost lease.
 * @param error   what happened.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"attempt", "at", "error"})
public record JobErrorV1(
        @JsonProperty("attempt") int attempt,
        @JsonProperty("at") @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = JobV1.DATE_PATTERN, timezone = "UTC")
        ZonedDateTime at,
        @JsonProperty("error") String error) {
    /** The error of a lease that ran out without being finished. */
    public static final String LEASE_EXPIRED = "lease expired";
    /** The longest error text kept, in characters (code points). */
    public static final int MAX_LENGTH = 8192;
    /** Errors kept on a job: the last ones, oldest first. */
    public static final int MAX_KEPT = 10;

    @JsonCreator
    public JobErrorV1 {
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobErrorV1 other && attempt == other.attempt && Objects.equals(error, other.error)
                && (at == null ? other.at == null : other.at != null && at.toInstant().equals(other.at.toInstant()));
    }

    @Override
    public int hashCode() {
        return Objects.hash(attempt, error);
    }
}
