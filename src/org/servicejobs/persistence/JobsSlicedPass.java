package org.servicejobs.persistence;

import org.pipservices3.commons.errors.ApplicationException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pass over every job of a memory or file store (the cleaner, the statistics): one type at a
 * time, in slices of at most <code>batch</code> jobs by created time then id, one turn of the
 * store's lock per slice, so that writers wait at most for one slice. No change alters a job's
 * place in that order, so a job is seen once, in its state when its slice was read.
 */
final class JobsSlicedPass {
    /** The work on one slice, under the store's lock. */
    @FunctionalInterface
    interface SliceWork {
        /** @return a journal ticket to await once the lock is released, or 0. */
        long apply(List<JobRecord> slice) throws ApplicationException;
    }

    /** Waits for a journal ticket, outside the lock. */
    @FunctionalInterface
    interface Await {
        void await(long ticket) throws ApplicationException;
    }

    private final ReentrantLock _lock;
    private final JobsIndex _index;
    private final int _batch;

    JobsSlicedPass(ReentrantLock lock, JobsIndex index, int batch) {
        _lock = lock;
        _index = index;
        _batch = batch;
    }

    /** The types that have jobs now, sorted. */
    List<String> types() {
        List<String> types;
        _lock.lock();
        try {
            types = new ArrayList<>(_index.typeNames());
        } finally {
            _lock.unlock();
        }
        types.sort(null);
        return types;
    }

    /** Runs <code>work</code> on each slice of a type's jobs, then awaits the ticket it gave. */
    void forEachSlice(String type, SliceWork work, Await await) throws ApplicationException {
        JobRecord cursor = null;
        while (true) {
            long ticket;
            _lock.lock();
            try {
                List<JobRecord> slice = _index.slice(type, cursor, _batch);
                if (slice.isEmpty())
                    return;
                cursor = slice.get(slice.size() - 1);
                ticket = work.apply(slice);
            } finally {
                _lock.unlock();
            }
            if (ticket != 0)
                await.await(ticket);
        }
    }
}
