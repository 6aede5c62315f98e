package org.servicejobs.clients.version1;

import org.servicejobs.data.version1.JobV1;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The leases of a worker's threads, in batches: one thread at a time asks the service
 * (start_jobs_by_type) for as many jobs as there are threads waiting for one, the worker's free
 * concurrency (at most {@link #MAX_COUNT}); it keeps the first and hands the others to the threads
 * that wait. A job leased once the worker is stopping is given back at once.
 */
final class JobsWorkerLeases {
    /** The most jobs one call leases (the service's limit). */
    static final int MAX_COUNT = 100;
    private final JobsWorker _worker;
    private final ArrayDeque<JobV1> _ready = new ArrayDeque<>();
    private int _waiting;
    private boolean _asking;

    JobsWorkerLeases(JobsWorker worker) {
        _worker = worker;
    }

    /**
     * A leased job for the calling thread: one handed over by the thread that asked last, or one
     * of the batch this thread asks for.
     *
     * @return the job, or null when the service had none within its wait.
     * @throws InterruptedException the worker is stopping.
     */
    JobV1 take() throws Exception {
        int count;
        synchronized (this) {
            _waiting++;
            try {
                while (_asking && _ready.isEmpty())
                    wait();
                JobV1 ready = _ready.poll();
                if (ready != null)
                    return ready;
                _asking = true;
                count = Math.min(_waiting, MAX_COUNT);
            } finally {
                _waiting--;
            }
        }
        List<JobV1> jobs = List.of();
        List<JobV1> late = List.of();
        try {
            jobs = _worker.lease(count);
        } finally {
            synchronized (this) {
                _asking = false;
                if (jobs.size() > 1) {
                    if (_worker.isStopping())
                        late = jobs.subList(1, jobs.size());
                    else
                        _ready.addAll(jobs.subList(1, jobs.size()));
                }
                notifyAll();
            }
        }
        late.forEach(_worker::giveBack);
        return jobs.isEmpty() ? null : jobs.get(0);
    }

    /** The threads that wait for the answer of another one's call. */
    synchronized int waiting() {
        return _waiting;
    }

    /** Gives back the jobs no thread took; called by a stop. */
    void giveBackReady() {
        List<JobV1> left;
        synchronized (this) {
            left = List.copyOf(_ready);
            _ready.clear();
        }
        left.forEach(_worker::giveBack);
    }
}
