package org.servicejobs.data.version1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * What a producer sends to add a job: its type, the id of the object it works on, an optional
 * time to live and free-form parameters.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class NewJobV1 {
    private String type;
    private String refId;
    private Long ttl;
    private Object params;

    public NewJobV1() {
    }

    public NewJobV1(String type, String refId, Long ttl, Object params) {
        this.type = type;
        this.refId = refId;
        this.ttl = ttl;
        this.params = params;
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

    /** Time to live in milliseconds; null or 0 means the job never expires. */
    @JsonProperty("ttl")
    public Long getTtl() {
        return ttl;
    }

    public void setTtl(Long ttl) {
        this.ttl = ttl;
    }

    @JsonProperty("params")
    public Object getParams() {
        return params;
    }

    public void setParams(Object params) {
        this.params = params;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof NewJobV1 other)) return false;
        return Objects.equals(type, other.type) && Objects.equals(refId, other.refId)
                && Objects.equals(ttl, other.ttl) && Objects.equals(params, other.params);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, refId, ttl);
    }

    @Override
    public String toString() {
        return "NewJobV1{type=" + type + ", ref_id=" + refId + ", ttl=" + ttl + "}";
    }
}
