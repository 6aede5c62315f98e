package org.servicejobs.container;

import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ConfigException;

import java.util.Locale;
import java.util.Set;

/**
 * Checks the parameters of config/config.yml that choose components, before the container reads
 * it, so that a choice that cannot work stops the start with one clear line:
 * <ul>
 * <li><code>STORE</code>: file, memory or mongodb (sets MEMORY_ENABLED or MONGO_ENABLED);</li>
 * <li>MONGO_ENABLED needs MONGO_SERVICE_URI or MONGO_SERVICE_HOST;</li>
 * <li>HTTPS_KEY_FILE and HTTPS_CRT_FILE come together.</li>
 * </ul>
 * Values that become component options (HTTP_PORT, FILE_SYNC, MAX_RETRIES, ...) are checked by
 * the component that takes them, once, when it is configured: it refuses a bad value with a
 * line that names its option. Empty values are dropped, so that in the templates a variable set
 * to "" is off, as one unset.
 */
public final class JobsParameters {
    private static final Set<String> STORES = Set.of("file", "memory", "mongodb");

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
        if ((value(parameters, "HTTPS_KEY_FILE") == null) != (value(parameters, "HTTPS_CRT_FILE") == null))
            throw error(correlationId, "HTTPS needs both HTTPS_KEY_FILE and HTTPS_CRT_FILE");
        return checked;
    }

    private static String value(ConfigParams parameters, String name) {
        String value = parameters.getAsNullableString(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static ConfigException error(String correlationId, String message) {
        return new ConfigException(correlationId, "INVALID_PARAMETER", message);
    }
}
