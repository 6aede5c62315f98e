package org.servicejobs.data.version1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One job of a batch complete (complete_jobs): its id, the caller's lock token (optional,
 * advised), and its result (any JSON value, optional).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"job_id", "lock_token", "result"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobCompletionV1(
        @JsonProperty("job_id") String jobId,
        @JsonProperty("lock_token") String lockToken,
        @JsonProperty("result") Object result) {
    @JsonCreator
    public JobCompletionV1 {
    }
}
