package org.servicejobs.config;

import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ConfigException;

import java.util.Locale;

/**
 * Strict readers of component options, so that each component checks its own options once and a
 * bad value stops the start with a message that names the option: a value that is set must be a
 * whole number in its range; an unset or empty one takes the default. (Pip's
 * <code>getAsIntegerWithDefault</code> silently takes the default for a value that does not
 * parse.)
 */
public final class ConfigOptions {
    private ConfigOptions() {
    }

    /**
     * A whole number option.
     *
     * @param key          the option, for example <code>options.max_retries</code>.
     * @param defaultValue the value when the option is unset or empty.
     * @param min          the smallest value allowed.
     * @param max          the largest value allowed.
     * @throws ConfigException when the value is not a whole number from min to max; its code is
     *                         <code>INVALID_</code> and the option's last part in capitals
     *                         (<code>INVALID_MAX_RETRIES</code> for <code>options.max_retries</code>).
     */
    public static long getLong(ConfigParams config, String key, long defaultValue, long min, long max)
            throws ConfigException {
        String text = config.getAsNullableString(key);
        if (text == null || text.isBlank())
            return defaultValue;
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException ex) {
            throw invalid(key, text, min, max);
        }
        if (value < min || value > max)
            throw invalid(key, text, min, max);
        return value;
    }

    /** A whole number option that fits an int; see {@link #getLong}. */
    public static int getInt(ConfigParams config, String key, int defaultValue, int min, int max)
            throws ConfigException {
        return (int) getLong(config, key, defaultValue, min, max);
    }

    private static ConfigException invalid(String key, String text, long min, long max) {
        String range = max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? min + " or more" : "from " + min + " to " + max;
        String name = key.substring(key.lastIndexOf('.') + 1).toUpperCase(Locale.ROOT);
        return (ConfigException) new ConfigException(null, "INVALID_" + name,
                key + " must be a whole number " + range + ", not " + text.trim())
                .withDetails("option", key).withDetails("value", text);
    }
}
