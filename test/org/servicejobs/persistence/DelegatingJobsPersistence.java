package org.servicejobs.persistence;

import org.pipservices3.commons.data.DataPage;
import org.pipservices3.commons.data.FilterParams;
import org.pipservices3.commons.data.PagingParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.refer.IReferenceable;
import org.pipservices3.commons.refer.IReferences;
import org.pipservices3.commons.refer.ReferenceException;
import org.pipservices3.commons.refer.Referencer;
import org.pipservices3.commons.run.Closer;
import org.pipservices3.commons.run.IOpenable;
import org.pipservices3.commons.run.Opener;
import org.servicejobs.data.version1.JobCompletionV1;
import org.servicejobs.data.version1.JobTypeStatsV1;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A store that hands every call to another one, for tests that watch or hold calls: a subclass
 * overrides {@link #before} (called first by every operation, with the method's name) or an
 * operation. The lifecycle (references, open, close) goes to the store too.
 */
public class DelegatingJobsPersistence implements IJobsPersistence, IReferenceable, IOpenable {
    protected final IJobsPersistence store;

    public DelegatingJobsPersistence(IJobsPersistence store) {
        this.store = store;
    }

    /** Called before each operation is handed on. */
    protected void before(String operation) {
    }

    @Override
    public void setReferences(IReferences references) throws ReferenceException, ConfigException {
        Referencer.setReferencesForOne(references, store);
    }

    @Override
    public boolean isOpen() {
        return ((IOpenable) store).isOpen();
    }

    @Override
    public void open(String correlationId) throws ApplicationException {
        Opener.openOne(correlationId, store);
    }

    @Override
    public void close(String correlationId) throws ApplicationException {
        Closer.closeOne(correlationId, store);
    }

    @Override
    public DataPage<JobV1> getPageByFilter(String correlationId, FilterParams filter, PagingParams paging, JobMoment at)
            throws ApplicationException {
        before("getPageByFilter");
        return store.getPageByFilter(correlationId, filter, paging, at);
    }

    @Override
    public JobV1 getOneById(String correlationId, String id) throws ApplicationException {
        before("getOneById");
        return store.getOneById(correlationId, id);
    }

    @Override
    public JobV1 create(String correlationId, JobV1 job) throws ApplicationException {
        before("create");
        return store.create(correlationId, job);
    }

    @Override
    public List<JobV1> createMany(String correlationId, List<JobV1> jobs) throws ApplicationException {
        before("createMany");
        return store.createMany(correlationId, jobs);
    }

    @Override
    public JobV1 createUnique(String correlationId, JobV1 job, JobMoment at) throws ApplicationException {
        before("createUnique");
        return store.createUnique(correlationId, job, at);
    }

    @Override
    public JobV1 startJobById(String correlationId, String id, JobLease lease) throws ApplicationException {
        before("startJobById");
        return store.startJobById(correlationId, id, lease);
    }

    @Override
    public JobV1 startJobByType(String correlationId, String type, JobLease lease) throws ApplicationException {
        before("startJobByType");
        return store.startJobByType(correlationId, type, lease);
    }

    @Override
    public List<JobV1> startJobsByType(String correlationId, String type, List<JobLease> leases)
            throws ApplicationException {
        before("startJobsByType");
        return store.startJobsByType(correlationId, type, leases);
    }

    @Override
    public JobV1 extendJob(String correlationId, String id, String lockToken, ZonedDateTime lockedUntil,
                           Object progress) throws ApplicationException {
        before("extendJob");
        return store.extendJob(correlationId, id, lockToken, lockedUntil, progress);
    }

    @Override
    public JobV1 abortJob(String correlationId, String id, String lockToken, JobAbort abort)
            throws ApplicationException {
        before("abortJob");
        return store.abortJob(correlationId, id, lockToken, abort);
    }

    @Override
    public JobV1 completeJob(String correlationId, String id, String lockToken, ZonedDateTime completed,
                             Object result) throws ApplicationException {
        before("completeJob");
        return store.completeJob(correlationId, id, lockToken, completed, result);
    }

    @Override
    public List<JobV1> completeJobs(String correlationId, List<JobCompletionV1> jobs, ZonedDateTime completed)
            throws ApplicationException {
        before("completeJobs");
        return store.completeJobs(correlationId, jobs, completed);
    }

    @Override
    public JobV1 failJob(String correlationId, String id, String lockToken, ZonedDateTime failed, String error)
            throws ApplicationException {
        before("failJob");
        return store.failJob(correlationId, id, lockToken, failed, error);
    }

    @Override
    public JobV1 cancelJob(String correlationId, String id, JobMoment at) throws ApplicationException {
        before("cancelJob");
        return store.cancelJob(correlationId, id, at);
    }

    @Override
    public JobV1 retryJob(String correlationId, String id, JobMoment at) throws ApplicationException {
        before("retryJob");
        return store.retryJob(correlationId, id, at);
    }

    @Override
    public JobV1 rescheduleJob(String correlationId, String id, ZonedDateTime runAt, JobMoment at)
            throws ApplicationException {
        before("rescheduleJob");
        return store.rescheduleJob(correlationId, id, runAt, at);
    }

    @Override
    public boolean setPaused(String correlationId, String type, boolean paused) throws ApplicationException {
        before("setPaused");
        return store.setPaused(correlationId, type, paused);
    }

    @Override
    public Set<String> getPausedTypes(String correlationId) throws ApplicationException {
        before("getPausedTypes");
        return store.getPausedTypes(correlationId);
    }

    @Override
    public JobV1 deleteById(String correlationId, String id) throws ApplicationException {
        before("deleteById");
        return store.deleteById(correlationId, id);
    }

    @Override
    public void deleteAll(String correlationId) throws ApplicationException {
        before("deleteAll");
        store.deleteAll(correlationId);
    }

    @Override
    public long cleanJobs(String correlationId, JobMoment at, ZonedDateTime completedBefore,
                          ZonedDateTime failedBefore) throws ApplicationException {
        before("cleanJobs");
        return store.cleanJobs(correlationId, at, completedBefore, failedBefore);
    }

    @Override
    public Map<String, JobTypeStatsV1> getStats(String correlationId, JobMoment at) throws ApplicationException {
        before("getStats");
        return store.getStats(correlationId, at);
    }
}
