package org.servicejobs.logic;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes the callers waiting for a free job of a type when one may have become free in this
 * process (added or aborted). A waiter reads the version, tries to lease, and then waits only if
 * no signal came after that version, so a signal between the try and the wait is never lost.
 * The version counts the signals of every type (a waiter may retry once for nothing); only the
 * waiters of the signalled type are woken. Uses a lock and conditions, not monitors, so waiting
 * virtual threads leave their carrier thread.
 */
final class JobSignals {
    private static final class Waiters {
        final Condition changed;
        int count;

        Waiters(Condition changed) {
            this.changed = changed;
        }
    }

    private final ReentrantLock _lock = new ReentrantLock();
    private final Map<String, Waiters> _waiters = new HashMap<>();
    private long _version;

    /** The current version, to pass to {@link #await}. */
    long version() {
        _lock.lock();
        try {
            return _version;
        } finally {
            _lock.unlock();
        }
    }

    /** A job of the type may have become free. */
    void signal(String type) {
        _lock.lock();
        try {
            _version++;
            Waiters waiters = _waiters.get(type);
            if (waiters != null)
                waiters.changed.signalAll();
        } finally {
            _lock.unlock();
        }
    }

    /** Wakes every waiter of every type. */
    void signalAll() {
        _lock.lock();
        try {
            _version++;
            for (Waiters waiters : _waiters.values())
                waiters.changed.signalAll();
        } finally {
            _lock.unlock();
        }
    }

    /**
     * Waits for a signal of the type, for at most <code>nanos</code>; returns at once when any
     * signal came after <code>version</code>.
     */
    void await(String type, long version, long nanos) throws InterruptedException {
        _lock.lock();
        try {
            if (_version != version)
                return;
            Waiters waiters = _waiters.computeIfAbsent(type, t -> new Waiters(_lock.newCondition()));
            waiters.count++;
            try {
                while (_version == version && nanos > 0)
                    nanos = waiters.changed.awaitNanos(nanos);
            } finally {
                if (--waiters.count == 0)
                    _waiters.remove(type);
            }
        } finally {
            _lock.unlock();
        }
    }
}
