package org.servicejobs.data.version1;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Objects;

/**
 * A job and its state.
 * <p>
 * Its {@link JobState} (<code>state</code>) is taken from the other fields at the moment of the
 * answer. Every lease gives the job a new random <code>lock_token</code>; workers pass it back to
 * extend, abort, complete or fail, so a worker that lost its lease cannot finish another worker's
 * attempt. <code>errors</code> are the last {@link JobErrorV1#MAX_KEPT} attempt errors, oldest
 * first; <code>result</code> is what complete_job gave, <code>progress</code> the last progress
 * extend_job gave.
 * <p>
 * Dates are in UTC, with millisecond precision, written on the wire as
 * <code>2026-11-28T20:40:40.185Z</code>.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"id", "type", "ref_id", "params", "state", "priority", "created", "run_at", "started",
        "locked_until", "execute_until", "completed", "failed", "cancelled", "retries", "max_retries", "lock_token",
        "backoff", "progress", "result", "errors"})
public class JobV1 {
    /** The wire format of every date of a job. */
    public static final String DATE_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";

    private String id;
    private String type;
    private String refId;
    private Object params;
    private JobState state;
    private int priority;
    private ZonedDateTime created;
    private ZonedDateTime runAt;
    private ZonedDateTime started;
    private ZonedDateTime lockedUntil;
    private ZonedDateTime executeUntil;
    private ZonedDateTime completed;
    private ZonedDateTime failed;
    private ZonedDateTime cancelled;
    private int retries;
    private Integer maxRetries;
    private String lockToken;
    private JobBackoffV1 backoff;
    private Object progress;
    private Object result;
    private List<JobErrorV1> errors = List.of();

    public JobV1() {
    }

    public JobV1(String id, String type, String refId, Object params) {
        this.id = id;
        this.type = type;
        this.refId = refId;
        this.params = params;
    }

    /** A copy of this job: the same values, params, progress and result shared. */
    public JobV1 copy() {
        JobV1 job = new JobV1(id, type, refId, params);
        job.state = state;
        job.priority = priority;
        job.created = created;
        job.runAt = runAt;
        job.started = started;
        job.lockedUntil = lockedUntil;
        job.executeUntil = executeUntil;
        job.completed = completed;
        job.failed = failed;
        job.cancelled = cancelled;
        job.retries = retries;
        job.maxRetries = maxRetries;
        job.lockToken = lockToken;
        job.backoff = backoff;
        job.progress = progress;
        job.result = result;
        job.errors = errors;
        return job;
    }

    @JsonProperty("id")
    public String getId() { return id; }
    public void setId(String id) { this.id = id; }

    @JsonProperty("type")
    public String getType() { return type; }
    public void setType(String type) { this.type = type; }

    @JsonProperty("ref_id")
    public String getRefId() { return refId; }
    public void setRefId(String refId) { this.refId = refId; }

    @JsonProperty("params")
    public Object getParams() { return params; }
    public void setParams(Object params) { this.params = params; }

    /** The state at the moment of the answer; null on a job not yet classified. */
    @JsonProperty("state")
    public JobState getState() { return state; }
    public void setState(JobState state) { this.state = state; }

    /** A higher number is leased first (default 0). */
    @JsonProperty("priority")
    public int getPriority() { return priority; }
    public void setPriority(int priority) { this.priority = priority; }

    @JsonProperty("created")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getCreated() { return created; }
    public void setCreated(ZonedDateTime created) { this.created = created; }

    /** Not leased before this time; null when it may run at once. */
    @JsonProperty("run_at")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getRunAt() { return runAt; }
    public void setRunAt(ZonedDateTime runAt) { this.runAt = runAt; }

    @JsonProperty("started")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getStarted() { return started; }
    public void setStarted(ZonedDateTime started) { this.started = started; }

    @JsonProperty("locked_until")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getLockedUntil() { return lockedUntil; }
    public void setLockedUntil(ZonedDateTime lockedUntil) { this.lockedUntil = lockedUntil; }

    @JsonProperty("execute_until")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getExecuteUntil() { return executeUntil; }
    public void setExecuteUntil(ZonedDateTime executeUntil) { this.executeUntil = executeUntil; }

    @JsonProperty("completed")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getCompleted() { return completed; }
    public void setCompleted(ZonedDateTime completed) { this.completed = completed; }

    /** When it failed (fail_job, its last attempt, its ttl); null unless it failed. */
    @JsonProperty("failed")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getFailed() { return failed; }
    public void setFailed(ZonedDateTime failed) { this.failed = failed; }

    @JsonProperty("cancelled")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getCancelled() { return cancelled; }
    public void setCancelled(ZonedDateTime cancelled) { this.cancelled = cancelled; }

    @JsonProperty("retries")
    public int getRetries() { return retries; }
    public void setRetries(int retries) { this.retries = retries; }

    /** The leases the job may have; null in a store for the controller's default. */
    @JsonProperty("max_retries")
    public Integer getMaxRetries() { return maxRetries; }
    public void setMaxRetries(Integer maxRetries) { this.maxRetries = maxRetries; }

    @JsonProperty("lock_token")
    public String getLockToken() { return lockToken; }
    public void setLockToken(String lockToken) { this.lockToken = lockToken; }

    /** The job's own retry backoff; null for the controller's. */
    @JsonProperty("backoff")
    public JobBackoffV1 getBackoff() { return backoff; }
    public void setBackoff(JobBackoffV1 backoff) { this.backoff = backoff; }

    @JsonProperty("progress")
    public Object getProgress() { return progress; }
    public void setProgress(Object progress) { this.progress = progress; }

    @JsonProperty("result")
    public Object getResult() { return result; }
    public void setResult(Object result) { this.result = result; }

    @JsonProperty("errors")
    public List<JobErrorV1> getErrors() { return errors; }
    public void setErrors(List<JobErrorV1> errors) { this.errors = errors == null ? List.of() : List.copyOf(errors); }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof JobV1 other)) return false;
        return retries == other.retries && priority == other.priority && Objects.equals(id, other.id)
                && Objects.equals(type, other.type) && Objects.equals(refId, other.refId)
                && Objects.equals(params, other.params) && state == other.state
                && sameInstant(created, other.created) && sameInstant(runAt, other.runAt)
                && sameInstant(started, other.started) && sameInstant(lockedUntil, other.lockedUntil)
                && sameInstant(executeUntil, other.executeUntil) && sameInstant(completed, other.completed)
                && sameInstant(failed, other.failed) && sameInstant(cancelled, other.cancelled)
                && Objects.equals(maxRetries, other.maxRetries) && Objects.equals(lockToken, other.lockToken)
                && Objects.equals(backoff, other.backoff) && Objects.equals(progress, other.progress)
                && Objects.equals(result, other.result) && Objects.equals(errors, other.errors);
    }

    private static boolean sameInstant(ZonedDateTime a, ZonedDateTime b) {
        return a == null ? b == null : b != null && a.toInstant().equals(b.toInstant());
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(id);
    }

    @Override
    public String toString() {
        return "JobV1{id=" + id + ", type=" + type + ", ref_id=" + refId + ", state=" + state + ", priority="
                + priority + ", created=" + created + ", run_at=" + runAt + ", started=" + started + ", locked_until="
                + lockedUntil + ", execute_until=" + executeUntil + ", completed=" + completed + ", failed=" + failed
                + ", cancelled=" + cancelled + ", retries=" + retries + ", max_retries=" + maxRetries
                + ", lock_token=" + lockToken + ", backoff=" + backoff + ", errors=" + errors.size() + "}";
    }
}
