package org.servicejobs.data.version1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * The answer of a batch call: <code>data</code>, the jobs in the order of the batch (null for one
 * that was refused), and, for complete_jobs, <code>errors</code>: one per refused item.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"data", "errors"})
public record JobsBatchV1(
        @JsonProperty("data") @JsonInclude(JsonInclude.Include.ALWAYS) List<JobV1> data,
        @JsonProperty("errors") @JsonInclude(JsonInclude.Include.NON_NULL) List<JobBatchErrorV1> errors) {
    @JsonCreator
    public JobsBatchV1 {
        data = data == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(data));
    }

    /** The jobs of an add or a lease, with no errors field. */
    public static JobsBatchV1 of(List<JobV1> jobs) {
        return new JobsBatchV1(jobs, null);
    }
}
