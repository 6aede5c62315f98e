package org.servicejobs.data.version1;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * What a producer sends to add a job: its type, the id of the object it works on, free-form
 * parameters, and optionally a time to live, its own retry limit, when it may first run
 * (<code>run_at</code> or <code>delay</code>, not both), a priority and a retry backoff.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NewJobV1 {
    private String type;
    private String refId;
    private Long ttl;
    private Object params;
    private Integer maxRetries;
    private ZonedDateTime runAt;
    private Long delay;
    private Integer priority;
    private JobBackoffV1 backoff;

    public NewJobV1() {
    }

    public NewJobV1(String type, String refId, Long ttl, Object params) {
        this.type = type;
        this.refId = refId;
        this.ttl = ttl;
        this.params = params;
    }

    @JsonProperty("type")
    public String getType() { return type; }
    public void setType(String type) { this.type = type; }

    @JsonProperty("ref_id")
    public String getRefId() { return refId; }
    public void setRefId(String refId) { this.refId = refId; }

    /** Time to live in milliseconds; null or 0 means the job never expires. */
    @JsonProperty("ttl")
    public Long getTtl() { return ttl; }
    public void setTtl(Long ttl) { this.ttl = ttl; }

    @JsonProperty("params")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public Object getParams() { return params; }
    public void setParams(Object params) { this.params = params; }

    /** Leases the job may have, 1 to 1000; null for the controller's <code>max_retries</code>. */
    @JsonProperty("max_retries")
    public Integer getMaxRetries() { return maxRetries; }
    public void setMaxRetries(Integer maxRetries) { this.maxRetries = maxRetries; }

    /** Not leased before this time (a time in the past means at once); null: at once. */
    @JsonProperty("run_at")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = JobV1.DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getRunAt() { return runAt; }
    public void setRunAt(ZonedDateTime runAt) { this.runAt = runAt; }

    /** Not leased before this many ms from now; null: at once. */
    @JsonProperty("delay")
    public Long getDelay() { return delay; }
    public void setDelay(Long delay) { this.delay = delay; }

    /** -1000 to 1000, a higher number leased first; null: 0. */
    @JsonProperty("priority")
    public Integer getPriority() { return priority; }
    public void setPriority(Integer priority) { this.priority = priority; }

    /** The job's retry backoff; null: the controller's. */
    @JsonProperty("backoff")
    public JobBackoffV1 getBackoff() { return backoff; }
    public void setBackoff(JobBackoffV1 backoff) { this.backoff = backoff; }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof NewJobV1 other)) return false;
        return Objects.equals(type, other.type) && Objects.equals(refId, other.refId)
                && Objects.equals(ttl, other.ttl) && Objects.equals(params, other.params)
                && Objects.equals(maxRetries, other.maxRetries) && Objects.equals(delay, other.delay)
                && (runAt == null ? other.runAt == null : other.runAt != null && runAt.toInstant().equals(other.runAt.toInstant()))
                && Objects.equals(priority, other.priority) && Objects.equals(backoff, other.backoff);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, refId, ttl);
    }

    @Override
    public String toString() {
        return "NewJobV1{type=" + type + ", ref_id=" + refId + ", ttl=" + ttl + ", max_retries=" + maxRetries
                + ", run_at=" + runAt + ", delay=" + delay + ", priority=" + priority + ", backoff=" + backoff + "}";
    }
}
