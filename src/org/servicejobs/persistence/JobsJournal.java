package org.servicejobs.persistence;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The write-ahead journal of the file store: one file per generation, records appended in the
 * order the changes were made. {@link #append} copies a record into memory (it is called under
 * the store's lock); {@link #await} returns once the record is as durable as the sync policy
 * promises:
 * <ul>
 * <li>{@link Sync#ALWAYS}: written and fsynced by the caller itself before it answers (callers
 * that queue behind one fsync find their record already synced);</li>
 * <li>{@link Sync#BATCH}: a flusher thread writes and fsyncs whatever is waiting, at most once per
 * batch delay: the changes of concurrent callers share one fsync (group commit); callers wait
 * for it;</li>
 * <li>{@link Sync#NONE}: written to the operating system before the caller answers, never
 * fsynced: a crash of the machine (not of the process) can lose the last moments.</li>
 * </ul>
 * The file itself (header, preallocation) is a {@link JournalFile}.
 * <p>
 * After a write or fsync fails, every later call fails: the store must be reopened.
 */
final class JobsJournal implements AutoCloseable {
    enum Sync { ALWAYS, BATCH, NONE }

    /**
     * How a journal writes.
     *
     * @param sync       the sync policy.
     * @param batchDelay with {@link Sync#BATCH}, the least ms between two fsyncs.
     * @param opener     opens the journal files.
     */
    record Settings(Sync sync, long batchDelay, JournalFile.Opener opener) {
    }

    private final Sync _sync;
    private final Object _ioLock = new Object();
    private final Object _bufferLock = new Object();
    private final Object _progress = new Object();
    private RecordBuffer _pending = new RecordBuffer(1 << 16);
    private RecordBuffer _writing = new RecordBuffer(1 << 16);
    private long _appended;
    private volatile long _written;
    private volatile long _synced;
    private volatile IOException _failure;
    private volatile boolean _closed;
    private volatile JournalFile _file;
    private volatile long _fileSize;
    private Thread _flusher;
    private final long _batchDelayNanos;
    private long _lastSync;

    private final JournalFile.Opener _opener;

    private JobsJournal(Settings settings, JournalFile file) {
        _sync = settings.sync();
        _batchDelayNanos = TimeUnit.MILLISECONDS.toNanos(settings.batchDelay());
        _opener = settings.opener();
        _file = file;
        _fileSize = file.size();
        if (_sync == Sync.BATCH) {
            _flusher = new Thread(this::flushLoop, "jobs-journal-flusher");
            _flusher.setDaemon(true);
            _flusher.start();
        }
    }

    /** Creates the journal file of a generation, synced, and opens it. */
    static JobsJournal create(Path folder, long generation, Settings settings) throws IOException {
        return new JobsJournal(settings, JournalFile.create(settings.opener(), folder, generation));
    }

    /** Opens an existing journal file for appending after <code>validEnd</code>, dropping what follows. */
    static JobsJournal reopen(Path file, long generation, long validEnd, Settings settings) throws IOException {
        return new JobsJournal(settings, JournalFile.reopen(settings.opener(), file, generation, validEnd));
    }

    long generation() {
        return _file.generation();
    }

    Path file() {
        return _file.path();
    }

    /** The size of the journal file, with what waits to be written. */
    long size() {
        return _fileSize + (_appended - _written);
    }

    /**
     * Adds a record; called under the store's lock.
     *
     * @return the ticket to {@link #await}.
     */
    long append(Consumer<RecordBuffer> encoder) throws IOException {
        checkUsable();
        synchronized (_bufferLock) {
            int before = _pending.size();
            try {
                encoder.accept(_pending);
            } catch (RuntimeException ex) {
                // Nothing of a failed append is kept, even when it had written whole records.
                _pending.truncate(before);
                throw ex;
            }
            _appended += _pending.size() - before;
            if (_flusher != null)
                _bufferLock.notify();
            return _appended;
        }
    }

    /** Returns once the record of a ticket is as durable as the sync policy promises. */
    void await(long ticket) throws IOException {
        switch (_sync) {
            case NONE -> {
                if (_written < ticket)
                    synchronized (_ioLock) {
                        if (_written < ticket)
                            writePending();
                    }
            }
            case ALWAYS -> {
                if (_synced < ticket)
                    synchronized (_ioLock) {
                        if (_synced < ticket) {
                            writePending();
                            sync();
                        }
                    }
            }
            case BATCH -> {
                synchronized (_progress) {
                    while (_synced < ticket) {
                        checkFailure();
                        try {
                            _progress.wait();
                        } catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted while waiting for the journal", ex);
                        }
                    }
                }
            }
        }
        checkFailure();
    }

    /**
     * Writes and syncs everything, then continues in a new file of the next generation; called
     * under the store's lock, so no record is appended meanwhile.
     */
    void rotate(Path folder, long generation) throws IOException {
        synchronized (_ioLock) {
            writePending();
            sync();
            _file.cutToRecords();
            JournalFile next = JournalFile.create(_opener, folder, generation);
            _file.close();
            _file = next;
            _fileSize = next.size();
        }
    }

    @Override
    public void close() throws IOException {
        _closed = true;
        if (_flusher != null) {
            synchronized (_bufferLock) {
                _bufferLock.notifyAll();
            }
            try {
                _flusher.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (_ioLock) {
            try {
                if (_failure == null) {
                    writePending();
                    sync();
                    _file.cutToRecords();
                }
            } finally {
                _file.close();
            }
        }
        synchronized (_progress) {
            _progress.notifyAll();
        }
    }

    private void flushLoop() {
        while (true) {
            synchronized (_bufferLock) {
                while (_appended == _written && !_closed) {
                    try {
                        _bufferLock.wait();
                    } catch (InterruptedException ex) {
                        return;
                    }
                }
                if (_appended == _written)
                    return;
            }
            // Group commit: the changes that come within the batch delay after the last fsync
            // share the next one.
            long wait = _lastSync + _batchDelayNanos - System.nanoTime();
            if (wait > 0 && !_closed)
                LockSupport.parkNanos(wait);
            try {
                synchronized (_ioLock) {
                    writePending();
                    sync();
                }
                _lastSync = System.nanoTime();
            } catch (IOException ex) {
                return;
            }
        }
    }

    /** Writes what is pending; under the IO lock. */
    private void writePending() throws IOException {
        checkFailure();
        long upto;
        synchronized (_bufferLock) {
            if (_pending.size() == 0)
                return;
            RecordBuffer full = _pending;
            _pending = _writing;
            _writing = full;
            upto = _appended;
        }
        try {
            _file.write(_writing.asByteBuffer());
            _fileSize = _file.size();
            _writing.clear();
            _written = upto;
        } catch (IOException ex) {
            fail(ex);
            throw ex;
        }
    }

    /** Fsyncs what is written; under the IO lock. */
    private void sync() throws IOException {
        checkFailure();
        long upto = _written;
        if (_synced >= upto)
            return;
        try {
            _file.force();
        } catch (IOException ex) {
            fail(ex);
            throw ex;
        }
        synchronized (_progress) {
            _synced = upto;
            _progress.notifyAll();
        }
    }

    private void fail(IOException ex) {
        _failure = ex;
        synchronized (_progress) {
            _progress.notifyAll();
        }
    }

    private void checkFailure() throws IOException {
        IOException failure = _failure;
        if (failure != null)
            throw new IOException("the journal " + _file.path() + " failed earlier: " + failure.getMessage(), failure);
    }

    private void checkUsable() throws IOException {
        checkFailure();
        if (_closed)
            throw new IOException("the journal " + _file.path() + " is closed");
    }
}
