package org.servicejobs.logic;

import org.servicejobs.persistence.JobLease;
import org.servicejobs.persistence.JobMoment;
import org.servicejobs.persistence.JobRetry;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The terms the controller gives the store with each change: the time (from its clock, in UTC,
 * truncated to milliseconds), the retry limit of jobs without their own, the retry backoff with a
 * fresh jitter, and, for a lease, its end and a new random lock token.
 */
final class JobsTerms {
    private final Clock _clock;
    private final Supplier<JobsOptions> _options;

    JobsTerms(Clock clock, Supplier<JobsOptions> options) {
        _clock = clock;
        _options = options;
    }

    ZonedDateTime now() {
        return ZonedDateTime.ofInstant(Instant.now(_clock).truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC);
    }

    int maxRetries() {
        return _options.get().maxRetries();
    }

    JobMoment moment(ZonedDateTime now) {
        return new JobMoment(now, maxRetries());
    }

    JobRetry retry() {
        JobsOptions options = _options.get();
        return new JobRetry(options.retryBackoff(), options.retryBackoff().maxDelay(),
                ThreadLocalRandom.current().nextDouble());
    }

    /** A lease from now for <code>timeout</code> ms, with a new lock token. */
    JobLease lease(long timeout) {
        ZonedDateTime now = now();
        return new JobLease(now, now.plus(timeout, ChronoUnit.MILLIS), maxRetries(), newLockToken(), retry());
    }

    private static String newLockToken() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return String.format("%016x%016x", random.nextLong(), random.nextLong());
    }
}
