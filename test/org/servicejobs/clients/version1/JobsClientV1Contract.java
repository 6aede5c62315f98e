package org.servicejobs.clients.version1;

import org.junit.jupiter.api.function.Executable;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.TestService;
import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.persistence.ObservedJobsPersistence;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What the contracts of {@link IJobsClientV1} (interfaces of default test methods that
 * {@link JobsClientV1Fixture} implements, so every client runs them) take from the fixture: the
 * client under test and the service it calls (memory store, controller on the system clock with
 * its default options, no cleaner), opened and empty at the start of each test. The service's
 * time passes for real: the tests check times against each other (a run_at against the abort
 * that set it), never against a fixed clock.
 */
interface JobsClientV1Contract {
    String CID = "client-contract";
    /** A lease long enough not to run out during a test, in ms. */
    long LEASE = 60_000;
    long HOUR = 3_600_000;
    /** The controller's default max_retries, given to jobs without their own. */
    int DEFAULT_MAX_RETRIES = 10;

    /** The client under test, opened. */
    IJobsClientV1 client();

    /** The service the client calls, opened. */
    TestService service();

    /** The store of the service, observed (to see a long-poll wait). */
    ObservedJobsPersistence store();

    /** A new job without params. */
    static NewJobV1 newJob(String type, String refId) {
        return new NewJobV1(type, refId, null, null);
    }

    /** A new job with a priority. */
    static NewJobV1 withPriority(String type, String refId, int priority) {
        NewJobV1 job = newJob(type, refId);
        job.setPriority(priority);
        return job;
    }

    /** The system time now, at millisecond precision (the controller's clock truncates the same way). */
    static ZonedDateTime now() {
        return ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    }

    /** Checks a date is between two others, both included, at millisecond precision. */
    static void assertBetween(ZonedDateTime from, ZonedDateTime date, ZonedDateTime to, String what) {
        assertNotNull(date, what + " is not set");
        long millis = date.toInstant().toEpochMilli();
        long low = from.toInstant().toEpochMilli();
        long high = to.toInstant().toEpochMilli();
        if (millis < low || millis > high)
            throw new AssertionError(what + " " + date + " is not between " + from + " and " + to);
    }

    /** Checks two dates are the same instant. */
    static void assertSameInstant(ZonedDateTime expected, ZonedDateTime actual, String what) {
        assertNotNull(actual, what + " is not set");
        assertEquals(expected.toInstant(), actual.toInstant(), what);
    }

    /** A job leased by id, checked to be the job asked for. */
    static JobV1 lease(IJobsClientV1 client, JobV1 job) throws ApplicationException {
        JobV1 leased = client.startJobById(CID, job.getId(), LEASE);
        assertEquals(job.getId(), leased.getId(), "the job leased by id");
        return leased;
    }

    /** Checks a call throws the error type, with its status, code and the correlation id. */
    static <T extends ApplicationException> T assertError(Class<T> type, int status, String code, Executable call) {
        T error = assertThrows(type, call, () -> "expected " + type.getSimpleName() + " " + code);
        assertEquals(code, error.getCode(), error::toString);
        assertEquals(status, error.getStatus(), error::toString);
        assertEquals(CID, error.getCorrelationId(), error::toString);
        assertNotNull(error.getMessage(), "the error has no message");
        return error;
    }
}
