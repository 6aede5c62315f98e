package org.servicejobs;

import org.servicejobs.data.version1.JobV1;
import org.servicejobs.data.version1.NewJobV1;
import org.servicejobs.persistence.JobAbort;
import org.servicejobs.persistence.JobMoment;
import org.servicejobs.persistence.JobRetry;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The data the tests share. */
public final class TestData {
    public static final Instant START = Instant.parse("2026-01-01T00:00:00.000Z");

    public static final NewJobV1 NEW_JOB1 = new NewJobV1("email", "user-1", 0L, Map.of("to", "a@example.com"));
    public static final NewJobV1 NEW_JOB2 = new NewJobV1("email", "user-2", 60_000L, Map.of("to", "b@example.com"));
    public static final NewJobV1 NEW_JOB3 = new NewJobV1("report", "order-3", null, List.of(1, 2, 3));

    /** A moment for store calls whose time does not matter: 100 s after the start, 10 retries. */
    public static final JobMoment MOMENT = new JobMoment(at(100_000), 10);

    private TestData() {
    }

    /** The terms of an abort at <code>millis</code> after the start, error "aborted", no wait. */
    public static JobAbort abort(long millis) {
        return new JobAbort(at(millis), "aborted", null, 10, JobRetry.NONE);
    }

    /** A date at <code>millis</code> after {@link #START}, in UTC. */
    public static ZonedDateTime at(long millis) {
        return ZonedDateTime.ofInstant(START.plusMillis(millis), ZoneOffset.UTC);
    }

    /** A new, not started job as the controller would give to the store. */
    public static JobV1 job(String type, String refId, ZonedDateTime created) {
        JobV1 job = new JobV1(null, type, refId, params(refId));
        job.setCreated(created);
        return job;
    }

    public static Map<String, Object> params(String refId) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("ref", refId);
        params.put("attempts", List.of(1, 2));
        params.put("nested", Map.of("flag", true));
        return params;
    }
}
