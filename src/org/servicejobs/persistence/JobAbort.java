package org.servicejobs.persistence;

import java.time.ZonedDateTime;

/**
 * The terms of an abort: the holder gives its job back with an error; the job waits before its
 * next lease (an explicit delay, else the backoff of {@link JobRetry}), or fails when that was its
 * last attempt.
 *
 * @param now        the time of the abort.
 * @param error      why the attempt ended (an error of the job's history).
 * @param delay      ms before the next lease, replacing the backoff; null for the backoff.
 * @param maxRetries the retry limit of jobs without their own.
 * @param retry      the backoff.
 */
public record JobAbort(ZonedDateTime now, String error, Long delay, int maxRetries, JobRetry retry) {
}
