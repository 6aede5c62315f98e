package org.servicejobs.logic;

import org.pipservices3.components.log.ILogger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The timer of the cleaner: runs a clean every interval on a daemon thread of its own, logs what
 * it did, and stops within a few seconds on {@link #stop}. A failed run is logged; the next one
 * comes at its time.
 */
final class JobsCleaner {
    /** One run of the cleaner. */
    @FunctionalInterface
    interface Clean {
        /** @return the number of jobs deleted. */
        long run(String correlationId) throws Exception;
    }

    private final ILogger _logger;
    private ScheduledExecutorService _timer;

    JobsCleaner(ILogger logger) {
        _logger = logger;
    }

    /** Starts running <code>clean</code> every <code>interval</code> ms; 0 never runs it. */
    synchronized void start(String correlationId, long interval, Clean clean) {
        if (_timer != null || interval <= 0)
            return;
        _timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "jobs-cleaner");
            thread.setDaemon(true);
            return thread;
        });
        _timer.scheduleWithFixedDelay(() -> {
            try {
                long deleted = clean.run(correlationId);
                if (deleted > 0)
                    _logger.debug(correlationId, "Jobs cleaner deleted %d jobs", deleted);
            } catch (Exception ex) {
                _logger.error(correlationId, ex, "Jobs cleaner failed");
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
    }

    synchronized void stop(String correlationId) {
        if (_timer == null)
            return;
        _timer.shutdownNow();
        try {
            if (!_timer.awaitTermination(10, TimeUnit.SECONDS))
                _logger.warn(correlationId, "The jobs cleaner did not stop within 10 s");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        _timer = null;
    }
}
