package org.servicejobs.services;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ErrorDescription;
import org.pipservices3.commons.errors.ErrorDescriptionFactory;
import org.pipservices3.commons.errors.UnknownException;
import org.pipservices3.components.log.ILogger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Errors as HTTP answers: the Pip.Services standard error JSON (type, category, status, code,
 * message, details, correlation_id, cause) without the server's stack trace, always with the
 * caller's correlation id; any exception that is not an ApplicationException becomes 500
 * <code>INTERNAL_ERROR</code>. Each error is logged in one line: info for a refusal (4xx), error
 * with the exception for a failure (5xx). A 413 also closes the connection: the body it refused
 * was not read, so the connection cannot carry another request.
 */
public final class ErrorResponses {
    private final ObjectMapper _mapper;
    private final ILogger _logger;

    public ErrorResponses(ObjectMapper mapper, ILogger logger) {
        _mapper = mapper;
        _logger = logger;
    }

    /** The answer to a failed request. */
    public Response of(String correlationId, Exception ex) {
        ApplicationException error = ex instanceof ApplicationException app ? app
                : new UnknownException(correlationId, "INTERNAL_ERROR", "Internal error: " + ex).withCause(ex);
        if (error.getStatus() >= 500)
            _logger.error(correlationId, ex, "Command failed: %s", error.getMessage());
        else
            _logger.info(correlationId, "Command refused: %d %s %s", error.getStatus(), error.getCode(), error.getMessage());

        ErrorDescription description = ErrorDescriptionFactory.create(error);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", description.getType());
        body.put("category", description.getCategory());
        body.put("status", description.getStatus());
        body.put("code", description.getCode());
        body.put("message", description.getMessage());
        body.put("details", error.getDetails() == null || error.getDetails().isEmpty() ? null
                : new LinkedHashMap<>(error.getDetails()));
        body.put("correlation_id", description.getCorrelationId() != null ? description.getCorrelationId() : correlationId);
        body.put("cause", description.getCause());
        Response response;
        try {
            response = Response.status(description.getStatus())
                    .entity(_mapper.writeValueAsBytes(body)).type(MediaType.APPLICATION_JSON_TYPE).build();
        } catch (JsonProcessingException writeError) {
            _logger.error(correlationId, writeError, "Cannot write an error response");
            return Response.status(500).build();
        }
        return response.getStatus() == 413 ? Response.fromResponse(response).header("Connection", "close").build()
                : response;
    }
}
