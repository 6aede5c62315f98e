package org.servicejobs.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;
import org.pipservices3.commons.errors.ConflictException;
import org.pipservices3.components.log.NullLogger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ErrorResponses} alone: the standard error JSON of every error. */
class ErrorResponsesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ErrorResponses errors = new ErrorResponses(CommandableJsonHttpService.mapper(), new NullLogger());

    private JsonNode body(Response response) throws Exception {
        return JSON.readTree((byte[]) response.getEntity());
    }

    @Test
    void anApplicationErrorKeepsItsStatusCodeAndDetails() throws Exception {
        Response response = errors.of("cid-1", new ConflictException("cid-1", "JOB_LOCKED", "Job j is locked")
                .withDetails("job_id", "j"));
        assertEquals(409, response.getStatus());
        assertEquals("application/json", response.getMediaType().toString());
        JsonNode error = body(response);
        assertEquals("Conflict", error.get("category").asText());
        assertEquals(409, error.get("status").asInt());
        assertEquals("JOB_LOCKED", error.get("code").asText());
        assertEquals("Job j is locked", error.get("message").asText());
        assertEquals("j", error.get("details").get("job_id").asText());
        assertEquals("cid-1", error.get("correlation_id").asText());
        assertFalse(error.has("stack_trace"), "no stack trace: " + error);
    }

    @Test
    void theCallersCorrelationIdIsUsedWhenTheErrorHasNone() throws Exception {
        JsonNode error = body(errors.of("from-caller", new BadRequestException(null, "BAD", "bad")));
        assertEquals("from-caller", error.get("correlation_id").asText());
        assertTrue(error.get("details").isNull());
    }

    @Test
    void anyOtherExceptionIsA500WithoutItsInsides() throws Exception {
        Response response = errors.of("cid-2", new IllegalStateException("boom"));
        assertEquals(500, response.getStatus());
        JsonNode error = body(response);
        assertEquals("INTERNAL_ERROR", error.get("code").asText());
        assertFalse(error.has("stack_trace"));
    }

    @Test
    void a413ClosesTheConnection() {
        ApplicationException tooLarge = new BadRequestException("cid", "REQUEST_TOO_LARGE", "too large");
        tooLarge.setStatus(413);
        assertEquals("close", errors.of("cid", tooLarge).getHeaderString("Connection"));
        assertNull(errors.of("cid", new BadRequestException("cid", "X", "x")).getHeaderString("Connection"));
    }
}
