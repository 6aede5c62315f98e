package org.servicejobs.logic;

import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobTypeStatsV1;

import java.time.Clock;
import java.util.Map;

/**
 * The job counts of the service, for monitoring (the metrics service reads them through this
 * interface, not through the controller class).
 */
public interface IJobsStatistics {
    /**
     * Counts the jobs of each type by {@link org.servicejobs.data.version1.JobState} now. It may
     * read every job: callers cache it.
     *
     * @param correlationId (optional) transaction id to trace execution through call chain.
     * @return the statistics of every type that has jobs, by type.
     */
    Map<String, JobTypeStatsV1> getStats(String correlationId) throws ApplicationException;

    /** The clock the counts are taken on, to turn their times into ages. */
    Clock getClock();
}
