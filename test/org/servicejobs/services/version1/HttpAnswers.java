package org.servicejobs.services.version1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks of the service's HTTP answers that the HTTP tests share. */
final class HttpAnswers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpAnswers() {
    }

    /** A 200 JSON answer, parsed. */
    static JsonNode okJson(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), () -> "unexpected answer: " + response.body());
        assertJsonType(response);
        return JSON.readTree(response.body());
    }

    /** Checks the standard error JSON and returns it. */
    static JsonNode assertError(HttpResponse<String> response, int status, String code) throws IOException {
        assertEquals(status, response.statusCode(), () -> "unexpected answer: " + response.body());
        assertJsonType(response);
        JsonNode error = JSON.readTree(response.body());
        assertNotNull(error, "empty error body");
        assertTrue(error.isObject(), error::toString);
        for (String key : List.of("category", "status", "code", "message", "correlation_id"))
            assertTrue(error.has(key), () -> "no " + key + " in " + error);
        assertFalse(error.has("stack_trace"), () -> "stack trace sent: " + error);
        assertEquals(status, error.get("status").asInt());
        assertEquals(code, error.get("code").asText());
        assertFalse(error.get("category").asText().isEmpty());
        assertFalse(error.get("message").asText().isEmpty());
        return error;
    }

    private static void assertJsonType(HttpResponse<String> response) {
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                () -> "content type " + response.headers().firstValue("Content-Type"));
    }
}
