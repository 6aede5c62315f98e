package org.servicejobs.data.version1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Why one item of a batch was refused: its index in the batch, and the code and message the call
 * of that one item would have been answered with.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"index", "code", "message"})
public record JobBatchErrorV1(
        @JsonProperty("index") int index,
        @JsonProperty("code") String code,
        @JsonProperty("message") String message) {
    @JsonCreator
    public JobBatchErrorV1 {
    }
}
