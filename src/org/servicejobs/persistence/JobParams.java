package org.servicejobs.persistence;

import org.pipservices3.commons.convert.JsonConverter;
import org.pipservices3.commons.errors.BadRequestException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Job parameters as the stores keep them: a read-only JSON tree (maps, lists, strings, numbers,
 * booleans, null), copied once when the job is added, so no caller can change a stored job by
 * changing the object it passed in or got back.
 */
final class JobParams {
    private JobParams() {
    }

    static Object freeze(String correlationId, Object value) throws BadRequestException {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean)
            return value;
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
}
