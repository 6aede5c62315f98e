package org.servicejobs.container;

import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ConfigException;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks the parameters of config/config.yml before the container reads it, so that a setting
 * that cannot work stops the start with one clear line instead of a stack of Pip internals:
 * <ul>
 * <li><code>STORE</code>: file, memory or mongodb (sets MEMORY_ENABLED or MONGO_ENABLED);</li>
 * <li>MONGO_ENABLED needs MONGO_SERVICE_URI or MONGO_SERVICE_HOST;</li>
 * <li>HTTP_PORT and MONGO_SERVICE_PORT are ports (1 to 65535);</li>
 * <li>FILE_SYNC is always, batch or none;</li>
 * <li>MAX_RETRIES, CLEAN_INTERVAL, COMPLETED_RETENTION, HTTP_THREADS are whole numbers;</li>
 * <li>HTTPS_KEY_FILE and HTTPS_CRT_FILE come together.</li>
 * </ul>
 * Empty values are dropped, so that in the templates a variable set to "" is off, as one unset.
 */
public final class JobsParameters {
    private static final Set<String> STORES = Set.of("file", "memory", "mongodb");
    private static final Set<String> SYNCS = Set.of("always", "batch", "none");

    private JobsParameters() {
    }

    /**
     * The parameters, checked, without empty values, with STORE turned into the flags the
     * templates use. Empty values are dropped because Pip's templates count an empty value from
     * the environment as set (they compare it with "" by reference).
     */
    public static ConfigParams check(String correlationId, ConfigParams parameters) throws ConfigException {
        ConfigParams checked = new ConfigParams();
        parameters.forEach((name, value) -> {
            if (value != null && !value.isEmpty())
                checked.put(name, value);
        });
        String store = value(parameters, "STORE");
        if (store != null) {
            store = store.toLowerCase(Locale.ROOT);
            if (!STORES.contains(store))
                throw error(correlationId, "STORE=" + parameters.get("STORE") + " is not a store: use file, memory or mongodb");
            checked.remove("MEMORY_ENABLED");
            checked.remove("MONGO_ENABLED");
            if (store.equals("memory"))
                checked.put("MEMORY_ENABLED", "true");
            if (store.equals("mongodb"))
                checked.put("MONGO_ENABLED", "true");
        }
        if (value(checked, "MONGO_ENABLED") != null && value(checked, "MONGO_SERVICE_URI") == null
                && value(checked, "MONGO_SERVICE_HOST") == null)
            throw error(correlationId, "The MongoDB store needs MONGO_SERVICE_URI (or MONGO_SERVICE_HOST)");
        for (String name : List.of("HTTP_PORT", "MONGO_SERVICE_PORT")) {
            Long port = number(correlationId, parameters, name);
            if (port != null && (port < 1 || port > 65535))
                throw error(correlationId, name + "=" + port + " is not a port (1 to 65535)");
        }
        String sync = value(parameters, "FILE_SYNC");
        if (sync != null && !SYNCS.contains(sync.toLowerCase(Locale.ROOT)))
            throw error(correlationId, "FILE_SYNC=" + sync + " is not a sync policy: use always, batch or none");
        for (String name : List.of("MAX_RETRIES", "CLEAN_INTERVAL", "COMPLETED_RETENTION", "HTTP_THREADS")) {
            Long number = number(correlationId, parameters, name);
            if (number != null && number < 0)
                throw error(correlationId, name + "=" + number + " may not be negative");
        }
        if ((value(parameters, "HTTPS_KEY_FILE") == null) != (value(parameters, "HTTPS_CRT_FILE") == null))
            throw error(correlationId, "HTTPS needs both HTTPS_KEY_FILE and HTTPS_CRT_FILE");
        return checked;
    }

    private static String value(ConfigParams parameters, String name) {
        String value = parameters.getAsNullableString(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static Long number(String correlationId, ConfigParams parameters, String name) throws ConfigException {
        String value = value(parameters, name);
        if (value == null)
            return null;
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException ex) {
            throw error(correlationId, name + "=" + value + " is not a whole number");
        }
    }

    private static ConfigException error(String correlationId, String message) {
        return new ConfigException(correlationId, "INVALID_PARAMETER", message);
    }
}
