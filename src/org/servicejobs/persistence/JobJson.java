package org.servicejobs.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The free-form values of a job (params, progress, result) as every store keeps them: their JSON
 * text, written once when the value is given. Each read parses a new copy, so no caller can
 * change a stored job through an object it passed in or got back, and numbers come back as JSON
 * gives them (Integer when it fits, else Long, else BigInteger; Double for fractions) whichever
 * store keeps the job. The file store writes the text in its records, the MongoDB store in its
 * documents.
 */
final class JobJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private JobJson() {
    }

    /** The JSON text of a value as UTF-8 bytes, or null for null. */
    static byte[] toBytes(String correlationId, Object value) throws ApplicationException {
        if (value == null)
            return null;
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException ex) {
            throw new BadRequestException(correlationId, "INVALID_JSON_VALUE",
                    "A value of the job cannot be written as JSON: " + ex.getOriginalMessage()).withCause(ex);
        }
    }

    /** The JSON text of a value, or null for null. */
    static String toText(String correlationId, Object value) throws ApplicationException {
        byte[] json = toBytes(correlationId, value);
        return json == null ? null : new String(json, StandardCharsets.UTF_8);
    }

    /** A value from its stored JSON text, or null for null. */
    static Object parse(byte[] json) throws IOException {
        return json == null ? null : MAPPER.readValue(json, Object.class);
    }

    /** A value from its stored JSON text, or null for null. */
    static Object parse(String json) throws IOException {
        return json == null ? null : MAPPER.readValue(json, Object.class);
    }

    /** A value from JSON text the store wrote itself, which always parses. */
    static Object parseStored(byte[] json) {
        try {
            return parse(json);
        } catch (IOException ex) {
            throw new IllegalStateException("a stored JSON value does not parse: " + ex.getMessage(), ex);
        }
    }
}
