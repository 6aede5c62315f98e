package org.servicejobs.logic;

import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ConfigException;
import org.servicejobs.config.ConfigOptions;
import org.servicejobs.data.version1.JobBackoffV1;

import java.util.Locale;

/**
 * The options of the controller (see its Javadoc for each), read and checked once, each in its
 * range: a bad value stops the start with the option's name.
 */
record JobsOptions(int maxRetries, long maxTimeout, long cleanInterval, long completedRetention,
                   long failedRetention, JobBackoffV1 retryBackoff, long maxWait, int maxWaiters,
                   long waitPollInterval) {
    static final JobsOptions DEFAULTS = new JobsOptions(JobsController.DEFAULT_MAX_RETRIES,
            JobsController.DEFAULT_MAX_TIMEOUT, JobsController.DEFAULT_CLEAN_INTERVAL,
            JobsController.DEFAULT_COMPLETED_RETENTION, JobsController.DEFAULT_FAILED_RETENTION,
            new JobBackoffV1(JobBackoffV1.FIXED, 0, JobsController.DEFAULT_RETRY_MAX_DELAY),
            JobsController.DEFAULT_MAX_WAIT, JobsController.DEFAULT_MAX_WAITERS, JobsController.DEFAULT_WAIT_POLL_INTERVAL);

    /** The options of a configuration; what it leaves out keeps its value in <code>current</code>. */
    static JobsOptions read(ConfigParams config, JobsOptions current) throws ConfigException {
        String backoff = config.getAsStringWithDefault("options.retry_backoff", current.retryBackoff.type())
                .trim().toLowerCase(Locale.ROOT);
        if (!backoff.equals(JobBackoffV1.FIXED) && !backoff.equals(JobBackoffV1.EXPONENTIAL))
            throw new ConfigException(null, "INVALID_RETRY_BACKOFF",
                    "options.retry_backoff must be fixed or exponential, not " + backoff);
        return new JobsOptions(
                ConfigOptions.getInt(config, "options.max_retries", current.maxRetries, 1, JobsInput.MAX_MAX_RETRIES),
                ConfigOptions.getLong(config, "options.max_timeout", current.maxTimeout, 1, Long.MAX_VALUE),
                ConfigOptions.getLong(config, "options.clean_interval", current.cleanInterval, 0, Long.MAX_VALUE),
                ConfigOptions.getLong(config, "options.completed_retention", current.completedRetention, 0, Long.MAX_VALUE),
                ConfigOptions.getLong(config, "options.failed_retention", current.failedRetention, 0, Long.MAX_VALUE),
                new JobBackoffV1(backoff,
                        ConfigOptions.getLong(config, "options.retry_delay", current.retryBackoff.delay(), 0,
                                JobsInput.MAX_DELAY),
                        ConfigOptions.getLong(config, "options.retry_max_delay", current.retryBackoff.maxDelay(), 0,
                                JobsInput.MAX_DELAY)),
                ConfigOptions.getLong(config, "options.max_wait", current.maxWait, 0, Long.MAX_VALUE),
                ConfigOptions.getInt(config, "options.max_waiters", current.maxWaiters, 0, Integer.MAX_VALUE),
                ConfigOptions.getLong(config, "options.wait_poll_interval", current.waitPollInterval, 1, Long.MAX_VALUE));
    }
}
