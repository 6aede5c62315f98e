package org.servicejobs.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
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
 * The file is preallocated ahead of the records in chunks of zeros (fsynced once), so the fsync
 * of a record changes no file size and costs less; a torn or unused tail of zeros is dropped on
 * open, and the file is cut to its records on close.
 * <p>
 * After a write or fsync fails, every later call fails: the store must be reopened.
 */
final class JobsJournal implements AutoCloseable {
    enum Sync { ALWAYS, BATCH, NONE }

    /** Opens the journal's files (a seam where tests simulate a power loss). */
    @FunctionalInterface
    interface ChannelOpener {
        FileChannel open(Path file, OpenOption... options) throws IOException;
    }

    /**
     * How a journal writes.
     *
     * @param sync       the sync policy.
     * @param batchDelay with {@link Sync#BATCH}, the least ms between two fsyncs.
     * @param opener     opens the journal files.
     */
    record Settings(Sync sync, long batchDelay, ChannelOpener opener) {
    }

    static final byte[] MAGIC = "JOBJRNL1".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_SIZE = 16;
    /** Bytes of zeros written ahead of the records at a time. */
    static final int PREALLOCATION = 8 * 1024 * 1024;
    private static final byte[] ZEROS = new byte[64 * 1024];

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
    private FileChannel _channel;
    private Path _file;
    private long _generation;
    private volatile long _fileSize;
    /** The size of the file: the records and the zeros after them. */
    private long _allocated;
    private Thread _flusher;
    private final long _batchDelayNanos;
    private long _lastSync;

    private final ChannelOpener _opener;

    private JobsJournal(Settings settings, Path file, FileChannel channel, long generation, long fileSize) {
        _sync = settings.sync();
        _batchDelayNanos = TimeUnit.MILLISECONDS.toNanos(settings.batchDelay());
        _opener = settings.opener();
        _file = file;
        _channel = channel;
        _generation = generation;
        _fileSize = fileSize;
        _allocated = fileSize;
        if (_sync == Sync.BATCH) {
            _flusher = new Thread(this::flushLoop, "jobs-journal-flusher");
            _flusher.setDaemon(true);
            _flusher.start();
        }
    }

    static Path fileOf(Path folder, long generation) {
        return folder.resolve(String.format("journal-%016d.log", generation));
    }

    /** Creates the journal file of a generation, synced, and opens it. */
    static JobsJournal create(Path folder, long generation, Settings settings) throws IOException {
        Path file = fileOf(folder, generation);
        return new JobsJournal(settings, file, createFile(settings.opener(), folder, file, generation), generation,
                HEADER_SIZE);
    }

    /** Opens an existing journal file for appending after <code>validEnd</code>, dropping what follows. */
    static JobsJournal reopen(Path file, long generation, long validEnd, Settings settings) throws IOException {
        FileChannel channel = settings.opener().open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            if (channel.size() > validEnd) {
                channel.truncate(validEnd);
                channel.force(true);
            }
            channel.position(validEnd);
            return new JobsJournal(settings, file, channel, generation, validEnd);
        } catch (IOException ex) {
            channel.close();
            throw ex;
        }
    }

    /** Reads and checks the header of a journal file, and returns its generation. */
    static long readHeader(FileChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
        while (header.hasRemaining()) {
            if (channel.read(header, header.position()) < 0)
                break;
        }
        if (header.hasRemaining())
            throw new IOException("the journal header is incomplete");
        header.flip();
        byte[] magic = new byte[MAGIC.length];
        header.get(magic);
        if (!Arrays.equals(magic, MAGIC))
            throw new IOException("not a jobs journal");
        return header.getLong();
    }

    long generation() {
        return _generation;
    }

    Path file() {
        return _file;
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
                _pending.abortRecord();
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
            cutToRecords();
            Path file = fileOf(folder, generation);
            FileChannel channel = createFile(_opener, folder, file, generation);
            _channel.close();
            _channel = channel;
            _file = file;
            _generation = generation;
            _fileSize = HEADER_SIZE;
            _allocated = HEADER_SIZE;
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
                    cutToRecords();
                }
            } finally {
                _channel.close();
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
            ByteBuffer bytes = _writing.asByteBuffer();
            preallocate(_fileSize + bytes.remaining());
            long position = _fileSize;
            while (bytes.hasRemaining())
                position += _channel.write(bytes, position);
            _fileSize += _writing.size();
            _writing.clear();
            _written = upto;
        } catch (IOException ex) {
            fail(ex);
            throw ex;
        }
    }

    /** Makes the file at least <code>size</code> bytes long with zeros, durably; under the IO lock. */
    private void preallocate(long size) throws IOException {
        if (size <= _allocated)
            return;
        long target = Math.max(size, _allocated + PREALLOCATION);
        for (long at = _allocated; at < target; ) {
            ByteBuffer zeros = ByteBuffer.wrap(ZEROS, 0, (int) Math.min(ZEROS.length, target - at));
            while (zeros.hasRemaining())
                at += _channel.write(zeros, at);
        }
        _channel.force(true);
        _allocated = target;
    }

    /** Cuts the preallocated zeros off the end of the file; under the IO lock, after a sync. */
    private void cutToRecords() throws IOException {
        if (_allocated > _fileSize) {
            _channel.truncate(_fileSize);
            _channel.force(true);
            _allocated = _fileSize;
        }
    }

    /** Fsyncs what is written; under the IO lock. */
    private void sync() throws IOException {
        checkFailure();
        long upto = _written;
        if (_synced >= upto)
            return;
        try {
            _channel.force(false);
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
            throw new IOException("the journal " + _file + " failed earlier: " + failure.getMessage(), failure);
    }

    private void checkUsable() throws IOException {
        checkFailure();
        if (_closed)
            throw new IOException("the journal " + _file + " is closed");
    }

    private static FileChannel createFile(ChannelOpener opener, Path folder, Path file, long generation)
            throws IOException {
        FileChannel channel = opener.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).put(MAGIC).putLong(generation).flip();
            while (header.hasRemaining())
                channel.write(header);
            channel.force(true);
            syncFolder(folder);
            return channel;
        } catch (IOException ex) {
            channel.close();
            throw ex;
        }
    }

    /** Makes the creation, renaming or deletion of files in a folder durable (where the OS allows it). */
    static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ex) {
            // Some systems cannot open or sync a folder; their renames are durable by other means.
        }
    }
}
