package org.servicejobs.persistence;

import org.pipservices3.commons.convert.JsonConverter;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.BadRequestException;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Job parameters as every store keeps them: a read-only JSON tree (maps, lists, strings, numbers,
 * booleans, null), copied once when the job is added, so no caller can change a stored job by
 * changing the object it passed in or got back; and their JSON text, which the file store writes
 * in its records and the MongoDB store in its documents.
 */
final class JobJson {
    private JobJson() {
    }

    /**
     * A read-only copy of a JSON value. Numbers become what reading them back from JSON gives:
     * Integer when it fits, else Long, else BigInteger; Double for fractions. So params are the
     * same types whichever store keeps them.
     */
    static Object freeze(String correlationId, Object value) throws BadRequestException {
        if (value == null || value instanceof String || value instanceof Boolean)
            return value;
        if (value instanceof Number number)
            return asJsonNumber(number);
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 4 / 3 + 1));
            for (Map.Entry<?, ?> entry : map.entrySet())
                copy.put(String.valueOf(entry.getKey()), freeze(correlationId, entry.getValue()));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object item : list)
                copy.add(freeze(correlationId, item));
            return Collections.unmodifiableList(copy);
        }
        try {
            // Any other object (a typed class from an in-process caller): as its JSON tree.
            return freeze(correlationId, JsonConverter.fromJson(Object.class, JsonConverter.toJson(value)));
        } catch (IOException ex) {
            throw (BadRequestException) new BadRequestException(correlationId, "INVALID_PARAMS",
                    "Job params cannot be written as JSON").withCause(ex);
        }
    }

    /** The JSON text of a value as UTF-8 bytes, or null for null. */
    static byte[] toBytes(String correlationId, Object value) throws ApplicationException {
        if (value == null)
            return null;
        try {
            return JsonConverter.toJson(value).getBytes(StandardCharsets.UTF_8);
        } catch (IOException ex) {
            throw new BadRequestException(correlationId, "INVALID_PARAMS", "Job params cannot be written as JSON")
                    .withCause(ex);
        }
    }

    /** The JSON text of a value, or null for null. */
    static String toText(String correlationId, Object value) throws ApplicationException {
        byte[] json = toBytes(correlationId, value);
        return json == null ? null : new String(json, StandardCharsets.UTF_8);
    }

    /** A read-only JSON tree from its text, or null for null. */
    static Object parse(String json) throws IOException {
        if (json == null)
            return null;
        try {
            return freeze(null, JsonConverter.fromJson(Object.class, json));
        } catch (BadRequestException ex) {
            throw new IOException("stored JSON cannot be read: " + ex.getMessage(), ex);
        }
    }

    private static Number asJsonNumber(Number number) {
        if (number instanceof Integer || number instanceof Double)
            return number;
        // (No conditional expressions here: they would unbox Integer and Long to one type.)
        if (number instanceof Long || number instanceof Short || number instanceof Byte) {
            long value = number.longValue();
            if (value == (int) value)
                return Integer.valueOf((int) value);
            return Long.valueOf(value);
        }
        if (number instanceof BigInteger big) {
            if (big.bitLength() < 32)
                return Integer.valueOf(big.intValue());
            if (big.bitLength() < 64)
                return Long.valueOf(big.longValue());
            return big;
        }
        if (number instanceof Float f)
            return Double.parseDouble(f.toString());
        return number.doubleValue();
    }
}
