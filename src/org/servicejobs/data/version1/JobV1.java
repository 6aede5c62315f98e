package org.servicejobs.data.version1;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * A job and its state.
 * <p>
 * A job is <i>waiting</i> while <code>started</code> is null, <i>running</i> while it is started
 * and not completed, and <i>completed</i> once <code>completed</code> is set. A running job whose
 * <code>locked_until</code> has passed may be leased again. Every lease gives it a new random
 * <code>lock_token</code> (null when the job is not running); workers pass it back to extend,
 * abort or complete, so a worker that lost its lease cannot finish another worker's attempt.
 * <p>
 * Dates are in UTC, with millisecond precision, written on the wire as
 * <code>2026-11-28T20:40:40.185Z</code>.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"id", "type", "ref_id", "params", "created", "started", "locked_until",
        "execute_until", "completed", "retries", "lock_token"})
public class JobV1 {
    /** The wire format of every date of a job. */
    public static final String DATE_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";

    private String id;
    private String type;
    private String refId;
    private Object params;
    private ZonedDateTime created;
    private ZonedDateTime started;
    private ZonedDateTime lockedUntil;
    private ZonedDateTime executeUntil;
    private ZonedDateTime completed;
    private int retries;
    private String lockToken;

    public JobV1() {
    }

    public JobV1(String id, String type, String refId, Object params) {
        this.id = id;
        this.type = type;
        this.refId = refId;
        this.params = params;
    }

    /** A copy of this job: the same values, params shared. */
    public JobV1 copy() {
        JobV1 job = new JobV1(id, type, refId, params);
        job.created = created;
        job.started = started;
        job.lockedUntil = lockedUntil;
        job.executeUntil = executeUntil;
        job.completed = completed;
        job.retries = retries;
        job.lockToken = lockToken;
        return job;
    }

    @JsonProperty("id")
    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    @JsonProperty("type")
    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    @JsonProperty("ref_id")
    public String getRefId() {
        return refId;
    }

    public void setRefId(String refId) {
        this.refId = refId;
    }

    @JsonProperty("params")
    public Object getParams() {
        return params;
    }

    public void setParams(Object params) {
        this.params = params;
    }

    @JsonProperty("created")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getCreated() {
        return created;
    }

    public void setCreated(ZonedDateTime created) {
        this.created = created;
    }

    @JsonProperty("started")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getStarted() {
        return started;
    }

    public void setStarted(ZonedDateTime started) {
        this.started = started;
    }

    @JsonProperty("locked_until")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getLockedUntil() {
        return lockedUntil;
    }

    public void setLockedUntil(ZonedDateTime lockedUntil) {
        this.lockedUntil = lockedUntil;
    }

    @JsonProperty("execute_until")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getExecuteUntil() {
        return executeUntil;
    }

    public void setExecuteUntil(ZonedDateTime executeUntil) {
        this.executeUntil = executeUntil;
    }

    @JsonProperty("completed")
    @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = DATE_PATTERN, timezone = "UTC")
    public ZonedDateTime getCompleted() {
        return completed;
    }

    public void setCompleted(ZonedDateTime completed) {
        this.completed = completed;
    }

    @JsonProperty("retries")
    public int getRetries() {
        return retries;
    }

    public void setRetries(int retries) {
        this.retries = retries;
    }

    @JsonProperty("lock_token")
    public String getLockToken() {
        return lockToken;
    }

    public void setLockToken(String lockToken) {
        this.lockToken = lockToken;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof JobV1 other)) return false;
        return retries == other.retries && Objects.equals(id, other.id) && Objects.equals(type, other.type)
                && Objects.equals(refId, other.refId) && Objects.equals(params, other.params)
                && sameInstant(created, other.created) && sameInstant(started, other.started)
                && sameInstant(lockedUntil, other.lockedUntil) && sameInstant(executeUntil, other.executeUntil)
                && sameInstant(completed, other.completed) && Objects.equals(lockToken, other.lockToken);
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
        return "JobV1{id=" + id + ", type=" + type + ", ref_id=" + refId + ", created=" + created
                + ", started=" + started + ", locked_until=" + lockedUntil + ", execute_until=" + executeUntil
                + ", completed=" + completed + ", retries=" + retries + ", lock_token=" + lockToken + "}";
    }
}
