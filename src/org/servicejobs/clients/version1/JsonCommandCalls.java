package org.servicejobs.clients.version1;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.client.ClientProperties;
import org.glassfish.jersey.client.RequestEntityProcessing;
import org.pipservices3.commons.data.StringValueMap;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ApplicationExceptionFactory;
import org.pipservices3.commons.errors.ConnectionException;
import org.pipservices3.commons.errors.ErrorCategory;
import org.pipservices3.commons.errors.ErrorDescription;
import org.pipservices3.commons.errors.InvocationException;
import org.pipservices3.commons.errors.UnknownException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP plumbing of {@link JobsHttpClientV1}: one JSON POST on a Jersey client, its answer read
 * as text, and every failure turned into a typed Pip error. Does not retry.
 */
final class JsonCommandCalls {
    /** Error codes of a {@link ConnectionException} from a call. */
    static final String CONNECT_FAILED = "CONNECT_FAILED";
    static final String TIMEOUT = "TIMEOUT";
    static final String CONNECTION_LOST = "CONNECTION_LOST";

    private static final int MAX_TEXT_IN_ERROR = 500;
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private JsonCommandCalls() {
    }

    static JavaType type(Class<?> type, Class<?>... parameters) {
        return MAPPER.getTypeFactory().constructParametricType(type, parameters);
    }

    static JavaType type(Class<?> type) {
        return MAPPER.getTypeFactory().constructType(type);
    }

    static byte[] write(String correlationId, Object body) throws ApplicationException {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException ex) {
            throw new InvocationException(correlationId, "INVALID_REQUEST",
                    "The request cannot be written as JSON: " + ex.getOriginalMessage()).withCause(ex);
        }
    }

    static <T> T read(String correlationId, String text, JavaType type) throws ApplicationException {
        try {
            return MAPPER.readValue(text, type);
        } catch (JsonProcessingException ex) {
            throw new InvocationException(correlationId, "INVALID_RESPONSE",
                    "The answer is not a valid " + type.getRawClass().getSimpleName() + ": " + ex.getOriginalMessage())
                    .withDetails("body", abbreviate(text)).withCause(ex);
        }
    }

    /**
     * POSTs a JSON body. The body goes chunked: the JDK's HttpURLConnection silently sends a
     * buffered POST a second time when the connection drops before the answer
     * (<code>sun.net.http.retryPost</code>), never a streamed one; retrying is the caller's choice.
     *
     * @return the answer's text, or null for 204 or an empty answer.
     * @throws ConnectionException when the service cannot be reached or does not answer in time.
     * @throws ApplicationException the service's error, typed.
     */
    static String post(Client client, URI uri, MultivaluedMap<String, Object> headers, byte[] body,
                       int connectTimeout, int readTimeout, String correlationId) throws ApplicationException {
        try (Response response = client.target(uri).request(MediaType.APPLICATION_JSON_TYPE)
                .headers(headers)
                .property(ClientProperties.CONNECT_TIMEOUT, connectTimeout)
                .property(ClientProperties.READ_TIMEOUT, readTimeout)
                .property(ClientProperties.REQUEST_ENTITY_PROCESSING, RequestEntityProcessing.CHUNKED)
                .post(Entity.entity(body, MediaType.APPLICATION_JSON_TYPE))) {
            int status = response.getStatus();
            String text = response.hasEntity() ? response.readEntity(String.class) : "";
            if (status < 200 || status >= 300)
                throw error(correlationId, status, text);
            return status == 204 || text.isBlank() ? null : text;
        } catch (ProcessingException ex) {
            throw connectionError(correlationId, uri, readTimeout, ex);
        }
    }

    /**
     * The error of an answer: the standard error JSON as the matching typed exception
     * (NotFoundException, ConflictException, BadRequestException...) with its status, code,
     * details and correlation id; any other body as an UnknownException with the status and text.
     */
    static ApplicationException error(String correlationId, int status, String text) {
        JsonNode json = parseObject(text);
        if (json == null || !json.hasNonNull("code") && !json.hasNonNull("category")) {
            ApplicationException error = new UnknownException(correlationId, "UNKNOWN_ERROR",
                    "HTTP " + status + (text.isBlank() ? " with no body" : ": " + abbreviate(text)))
                    .withDetails("status", status);
            error.setStatus(status);
            return error;
        }
        ErrorDescription description = new ErrorDescription();
        description.setType(text(json, "type"));
        description.setCategory(json.hasNonNull("category") ? text(json, "category") : ErrorCategory.Unknown);
        description.setStatus(json.path("status").asInt(status) > 0 ? json.path("status").asInt(status) : status);
        description.setCode(text(json, "code"));
        description.setMessage(text(json, "message"));
        description.setCorrelationId(json.hasNonNull("correlation_id") ? text(json, "correlation_id") : correlationId);
        description.setCause(text(json, "cause"));
        description.setStackTrace(text(json, "stack_trace"));
        description.setDetails(details(json.get("details")));

        ApplicationException error = ApplicationExceptionFactory.create(description);
        // The factory keeps each type's default status and, for a category it does not know, drops the rest.
        error.setStatus(description.getStatus());
        if (description.getCode() != null)
            error.setCode(description.getCode());
        if (description.getMessage() != null)
            error.setMessage(description.getMessage());
        error.setCorrelationId(description.getCorrelationId());
        return error;
    }

    static ConnectionException connectionError(String correlationId, URI uri, int readTimeout, ProcessingException ex) {
        String code = CONNECTION_LOST;
        Throwable reason = ex;
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            reason = cause;
            if (cause instanceof SocketTimeoutException) {
                String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
                code = message.contains("connect") ? CONNECT_FAILED : TIMEOUT;
                break;
            }
            if (cause instanceof ConnectException || cause instanceof UnknownHostException
                    || cause instanceof NoRouteToHostException) {
                code = CONNECT_FAILED;
                break;
            }
        }
        String message = switch (code) {
            case TIMEOUT -> "No answer from " + uri + " within " + readTimeout + " ms";
            case CONNECT_FAILED -> "Cannot connect to " + uri + ": " + reason;
            default -> "The connection to " + uri + " was lost before the answer: " + reason;
        };
        return (ConnectionException) new ConnectionException(correlationId, code, message)
                .withDetails("uri", uri.toString()).withCause(ex);
    }

    private static JsonNode parseObject(String text) {
        if (text == null || text.isBlank())
            return null;
        try {
            JsonNode json = MAPPER.readTree(text);
            return json != null && json.isObject() ? json : null;
        } catch (JsonProcessingException ex) {
            return null;
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull())
            return null;
        return value.isValueNode() ? value.asText() : value.toString();
    }

    /** Detail values as strings; a nested value as its JSON text (Pip's details are strings). */
    private static StringValueMap details(JsonNode json) {
        if (json == null || !json.isObject())
            return null;
        StringValueMap details = new StringValueMap();
        for (Iterator<Map.Entry<String, JsonNode>> fields = json.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            details.put(field.getKey(), text(json, field.getKey()));
        }
        return details;
    }

    private static String abbreviate(String text) {
        return text.length() <= MAX_TEXT_IN_ERROR ? text : text.substring(0, MAX_TEXT_IN_ERROR) + "...";
    }
}
