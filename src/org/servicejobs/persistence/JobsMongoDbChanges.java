package org.servicejobs.persistence;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.PushOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.pipservices3.commons.errors.ApplicationException;
import org.servicejobs.data.version1.JobErrorV1;
import org.servicejobs.data.version1.JobState;
import org.servicejobs.data.version1.JobV1;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Function;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static org.servicejobs.persistence.JobsMongoDbDocuments.*;
import static org.servicejobs.persistence.JobsMongoDbStates.heldBy;
import static org.servicejobs.persistence.JobsMongoDbStates.inState;
import static org.servicejobs.persistence.JobsMongoDbStates.leasable;

/**
 * The changes of one job in MongoDB. Each is decided by one conditional
 * <code>findOneAndUpdate</code> whose filter holds the whole rule, so that two instances can never
 * both win; what depends on the job's own fields (the wait after a lost lease, the error of a
 * lease that ran out, the last attempt of an abort) is written by a second update conditioned on
 * the winner's lock token, or by an update conditioned on the fields it was computed from.
 */
final class JobsMongoDbChanges {
    /** Lease order: the highest priority, then the longest free, then id. */
    static final Bson LEASE_ORDER = Sorts.orderBy(Sorts.descending(PRIORITY), Sorts.ascending(ORDER_AT, ID));
    private static final FindOneAndUpdateOptions BEFORE = new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE);
    private static final FindOneAndUpdateOptions AFTER = new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER);

    private final JobsMongoDbCollection _jobs;

    JobsMongoDbChanges(JobsMongoDbCollection jobs) {
        _jobs = jobs;
    }

    /** Leases the first job that matches <code>which</code> and is waiting, in lease order. */
    JobV1 lease(String correlationId, String operation, Bson which, JobLease lease) throws ApplicationException {
        Date now = date(lease.now());
        Date until = date(lease.lockedUntil());
        Bson update = Updates.combine(Updates.set(STARTED, now), Updates.set(LOCKED_UNTIL, until),
                Updates.set(LOCK_TOKEN, lease.lockToken()), Updates.inc(RETRIES, 1));
        FindOneAndUpdateOptions options = new FindOneAndUpdateOptions().sort(LEASE_ORDER).returnDocument(ReturnDocument.BEFORE);
        return _jobs.call(correlationId, operation, collection -> {
            Document before = collection.findOneAndUpdate(and(which, leasable(now, lease.maxRetries())), update, options);
            if (before == null)
                return null;
            JobV1 job = toJob(before);
            JobErrorV1 lost = JobState.lostLease(JobState.millis(job.getStarted()), JobState.NONE, JobState.NONE,
                    JobState.NONE, JobState.millis(job.getLockedUntil()), job.getRetries(), JobState.millis(lease.now()));
            long delay = lease.retry().delayAfter(job.getBackoff(), job.getRetries() + 1);
            job.setStarted(lease.now());
            job.setLockedUntil(lease.lockedUntil());
            job.setLockToken(lease.lockToken());
            job.setRetries(job.getRetries() + 1);
            List<Bson> more = new ArrayList<>();
            // When a lost lease lets it run again: after the backoff, else at once (free since its created time).
            ZonedDateTime runAt = delay > 0 ? lease.lockedUntil().plus(delay, ChronoUnit.MILLIS) : null;
            boolean last = job.getRetries() >= JobState.maxRetries(job.getMaxRetries(), lease.maxRetries());
            if (last)
                more.add(Updates.unset(ORDER_AT)); // its last attempt: a lost lease fails it
            if (runAt != null || job.getRunAt() != null) {
                more.add(Updates.set(RUN_AT, date(runAt)));
                if (!last)
                    more.add(Updates.set(ORDER_AT, date(runAt != null ? runAt : job.getCreated())));
            }
            job.setRunAt(runAt);
            if (lost != null) {
                more.add(pushError(lost));
                List<JobErrorV1> errors = new ArrayList<>(job.getErrors());
                errors.add(lost);
                job.setErrors(errors.subList(Math.max(0, errors.size() - JobErrorV1.MAX_KEPT), errors.size()));
            }
            if (!more.isEmpty())
                collection.updateOne(and(eq(ID, job.getId()), eq(LOCK_TOKEN, lease.lockToken())), Updates.combine(more));
            return job;
        });
    }

    /** Moves the lock of a job whose lease the caller holds; the wait after a lost lease moves with it. */
    JobV1 extend(String correlationId, String id, String lockToken, ZonedDateTime lockedUntil, String progress)
            throws ApplicationException {
        List<Bson> set = new ArrayList<>(List.of(Updates.set(LOCKED_UNTIL, date(lockedUntil))));
        if (progress != null)
            set.add(Updates.set(PROGRESS, progress));
        return _jobs.call(correlationId, "extend_job", collection -> {
            Document before = collection.findOneAndUpdate(heldBy(id, lockToken), Updates.combine(set), BEFORE);
            if (before == null)
                return null;
            Date runAt = before.getDate(RUN_AT);
            Date oldUntil = before.getDate(LOCKED_UNTIL);
            if (runAt != null && oldUntil != null && runAt.after(oldUntil)) {
                ZonedDateTime moved = lockedUntil.plus(runAt.getTime() - oldUntil.getTime(), ChronoUnit.MILLIS);
                collection.updateOne(and(eq(ID, id), eq(LOCKED_UNTIL, date(lockedUntil))), setRunAt(moved));
            }
            return toJob(collection.find(eq(ID, id)).first());
        });
    }

    /** Gives a job back with an error; conditioned on the retries it was decided on. */
    JobV1 abort(String correlationId, String id, String lockToken, JobAbort abort) throws ApplicationException {
        return _jobs.call(correlationId, "abort_job", collection -> {
            while (true) {
                Document current = collection.find(heldBy(id, lockToken)).first();
                if (current == null)
                    return null;
                JobV1 job = toJob(current);
                boolean last = job.getRetries() >= JobState.maxRetries(job.getMaxRetries(), abort.maxRetries());
                long delay = abort.delay() != null ? abort.delay()
                        : abort.retry().delayAfter(job.getBackoff(), job.getRetries());
                List<Bson> updates = new ArrayList<>(List.of(Updates.set(STARTED, null), Updates.set(LOCKED_UNTIL, null),
                        Updates.set(LOCK_TOKEN, null),
                        pushError(new JobErrorV1(job.getRetries(), abort.now(), abort.error()))));
                if (last)
                    updates.addAll(List.of(Updates.set(FAILED, date(abort.now())), Updates.unset(UNIQ_KEY),
                            Updates.set(RUN_AT, null), Updates.unset(ORDER_AT)));
                else if (delay > 0)
                    updates.add(setRunAt(abort.now().plus(delay, ChronoUnit.MILLIS)));
                else // no wait: free at once, even if its lease had set a run_at (the wait after a lost lease)
                    updates.addAll(List.of(Updates.set(RUN_AT, null), Updates.set(ORDER_AT, date(job.getCreated()))));
                Document after = collection.findOneAndUpdate(and(heldBy(id, lockToken), eq(RETRIES, job.getRetries())),
                        Updates.combine(updates), AFTER);
                if (after != null)
                    return toJob(after);
            }
        });
    }

    /** Completes a job whose lease the caller holds. */
    JobV1 complete(String correlationId, String id, String lockToken, ZonedDateTime completed, String result)
            throws ApplicationException {
        return update(correlationId, "complete_job", heldBy(id, lockToken), Updates.combine(
                Updates.set(COMPLETED, date(completed)), Updates.set(LOCKED_UNTIL, null), Updates.set(LOCK_TOKEN, null),
                Updates.set(RESULT, result), Updates.unset(UNIQ_KEY), Updates.set(RUN_AT, null),
                Updates.unset(ORDER_AT)));
    }

    /** Fails a job whose lease the caller holds, for good. */
    JobV1 fail(String correlationId, String id, String lockToken, ZonedDateTime failed, String error)
            throws ApplicationException {
        return _jobs.call(correlationId, "fail_job", collection -> {
            Document current = collection.find(heldBy(id, lockToken)).first();
            if (current == null)
                return null;
            int retries = toJob(current).getRetries();
            return toJob(collection.findOneAndUpdate(and(heldBy(id, lockToken), eq(RETRIES, retries)), Updates.combine(
                    Updates.set(FAILED, date(failed)), Updates.set(LOCKED_UNTIL, null), Updates.set(LOCK_TOKEN, null),
                    pushError(new JobErrorV1(retries, failed, error)), Updates.unset(UNIQ_KEY),
                    Updates.set(RUN_AT, null), Updates.unset(ORDER_AT)), AFTER));
        });
    }

    /**
     * A change of a job in one of <code>states</code> at <code>at</code>, conditioned on that and
     * on the job being as it was read (its lease, retries and run_at), so that a lease that ran
     * out before is recorded exactly once.
     */
    JobV1 change(String correlationId, String operation, String id, JobMoment at, List<JobState> states,
                 Function<JobV1, List<Bson>> updates) throws ApplicationException {
        Date now = date(at.now());
        Bson inStates = states.size() == 1 ? inState(states.get(0), now, at.maxRetries())
                : Filters.or(states.stream().map(state -> inState(state, now, at.maxRetries())).toList());
        return _jobs.call(correlationId, operation, collection -> {
            Document current = collection.find(and(eq(ID, id), inStates)).first();
            if (current == null)
                return null;
            JobV1 job = toJob(current);
            List<Bson> all = new ArrayList<>(updates.apply(job));
            JobErrorV1 lost = JobState.lostLease(JobState.millis(job.getStarted()), JobState.millis(job.getCompleted()),
                    JobState.millis(job.getFailed()), JobState.millis(job.getCancelled()),
                    JobState.millis(job.getLockedUntil()), job.getRetries(), JobState.millis(at.now()));
            if (lost != null)
                all.add(pushError(lost));
            Bson same = and(eq(ID, id), inStates, eq(RETRIES, job.getRetries()), eq(LOCK_TOKEN, job.getLockToken()),
                    eq(LOCKED_UNTIL, date(job.getLockedUntil())));
            return toJob(collection.findOneAndUpdate(same, Updates.combine(all), AFTER));
        });
    }

    private JobV1 update(String correlationId, String operation, Bson filter, Bson update) throws ApplicationException {
        return _jobs.call(correlationId, operation, collection -> toJob(collection.findOneAndUpdate(filter, update, AFTER)));
    }

    /** Sets run_at and the lease order with it. */
    static Bson setRunAt(ZonedDateTime runAt) {
        return Updates.combine(Updates.set(RUN_AT, date(runAt)), Updates.set(ORDER_AT, date(runAt)));
    }

    /** Appends an error, keeping the last {@link JobErrorV1#MAX_KEPT}. */
    static Bson pushError(JobErrorV1 error) {
        return Updates.pushEach(ERRORS, List.of(error(error)), new PushOptions().slice(-JobErrorV1.MAX_KEPT));
    }
}
