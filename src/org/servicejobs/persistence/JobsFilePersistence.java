package org.servicejobs.persistence;

import org.pipservices3.commons.config.ConfigParams;
import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.ConfigException;
import org.pipservices3.commons.errors.FileException;
import org.pipservices3.commons.errors.InvalidStateException;
import org.servicejobs.config.ConfigOptions;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Durable jobs: the indexes and rules of {@link JobsMemoryPersistence}, plus a write-ahead
 * journal on disk. Every change is appended to the journal before its caller is answered (how
 * durably: see <code>options.sync</code>). When the journal outgrows a threshold, a snapshot of
 * every job is written beside it (to a temporary file, fsynced, renamed), and the journal starts
 * again, without stopping requests for more than the time to copy the list of jobs.
 * <p>
 * On open, the newest snapshot is read and the journals after it replayed. A torn last record
 * (a crash in the middle of a write) is dropped; a damaged record with valid records after it
 * stops the open with an error that names the file and the offset. A lock file keeps a second
 * process from opening the same folder.
 * <p>
 * ### Configuration parameters ###
 * <ul>
 * <li>path: the data folder (default ./data)</li>
 * <li>options:
 * <ul>
 * <li>sync: always (fsync before answering), batch (group commit: concurrent changes share an
 * fsync, no answer before it; the default), none (written to the OS, never fsynced: a machine
 * crash can lose the last moments)</li>
 * <li>batch_delay: with sync batch, the least ms between two fsyncs: the changes that come
 * meanwhile share the next one (default 0: an fsync as soon as the last one ends)</li>
 * <li>compact_size: journal bytes before a snapshot is written, at least the size of the last
 * snapshot (default 67108864, 64 MiB)</li>
 * <li>clean_batch: jobs the cleaner and the statistics look at per turn of the lock (default 4096)</li>
 * </ul></li>
 * </ul>
 * <p>
 * ### References ###
 * <ul>
 * <li>*:logger:*:*:1.0 (optional) ILogger components to pass log messages</li>
 * </ul>
 */
public class JobsFilePersistence extends JobsMemoryPersistence {
    public static final String DEFAULT_PATH = "./data";
    public static final String DEFAULT_SYNC = "batch";
    public static final long DEFAULT_COMPACT_SIZE = 64L * 1024 * 1024;
    public static final long DEFAULT_BATCH_DELAY = 0;
    static final String LOCK_FILE = DataFolderLock.LOCK_FILE;

    private String _path = DEFAULT_PATH;
    private JobsJournal.Sync _sync = JobsJournal.Sync.BATCH;
    private long _compactSize = DEFAULT_COMPACT_SIZE;
    private long _batchDelay = DEFAULT_BATCH_DELAY;
    private Path _folder;
    private DataFolderLock _folderLock;
    private volatile JobsJournal _journal;
    private volatile long _snapshotSize;
    private final AtomicBoolean _compacting = new AtomicBoolean();
    private ExecutorService _compactor;

    public JobsFilePersistence() {
    }

    public JobsFilePersistence(String path) {
        _path = path;
    }

    @Override
    public void configure(ConfigParams config) throws ConfigException {
        super.configure(config);
        _path = config.getAsStringWithDefault("path", _path);
        _compactSize = ConfigOptions.getLong(config, "options.compact_size", _compactSize, 0, Long.MAX_VALUE);
        _batchDelay = ConfigOptions.getLong(config, "options.batch_delay", _batchDelay, 0, Long.MAX_VALUE);
        String sync = config.getAsStringWithDefault("options.sync", _sync.name()).trim().toUpperCase(Locale.ROOT);
        try {
            _sync = JobsJournal.Sync.valueOf(sync);
        } catch (IllegalArgumentException ex) {
            throw new ConfigException(null, "INVALID_SYNC", "options.sync must be always, batch or none, not "
                    + sync.toLowerCase(Locale.ROOT));
        }
    }

    /** The data folder, as configured. */
    public String getPath() {
        return _path;
    }

    @Override
    public void open(String correlationId) throws ApplicationException {
        if (isOpen())
            return;
        _folder = Paths.get(_path).toAbsolutePath().normalize();
        try {
            Files.createDirectories(_folder);
        } catch (IOException ex) {
            throw new FileException(correlationId, "CANNOT_CREATE_FOLDER", "Cannot create the data folder " + _folder)
                    .withCause(ex);
        }
        _folderLock = DataFolderLock.take(correlationId, _folder);
        _lock.lock();
        try {
            JobsFileLoader.Loaded loaded = JobsFileLoader.load(correlationId, _folder, _index, _paused, journalSettings(),
                    _logger);
            _journal = loaded.journal();
            _snapshotSize = loaded.snapshotSize();
        } catch (ApplicationException | RuntimeException ex) {
            releaseFolder();
            throw ex;
        } finally {
            _lock.unlock();
        }
        _compactor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "jobs-compactor");
            thread.setDaemon(true);
            return thread;
        });
        super.open(correlationId);
        _logger.info(correlationId, "Opened the file store at %s with %d jobs (sync %s)", _folder, _index.size(),
                _sync.name().toLowerCase(Locale.ROOT));
    }

    @Override
    public void close(String correlationId) throws ApplicationException {
        if (!isOpen())
            return;
        super.close(correlationId);
        _compactor.shutdown();
        try {
            _compactor.awaitTermination(10, TimeUnit.MINUTES);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        JobsJournal journal;
        _lock.lock();
        try {
            journal = _journal;
            _journal = null;
            _index.clear();
            _paused.clear();
        } finally {
            _lock.unlock();
        }
        try {
            journal.close();
        } catch (IOException ex) {
            throw new FileException(correlationId, "JOURNAL_FAILED", "Cannot close the journal " + journal.file())
                    .withCause(ex);
        } finally {
            releaseFolder();
        }
    }

    /** Writes a snapshot now and starts a new journal generation; waits for it. */
    public void compact(String correlationId) throws ApplicationException {
        if (!isOpen())
            throw new InvalidStateException(correlationId, "NOT_OPENED", "The file store is not open");
        Future<?> done = _compactor.submit(() -> compactNow(correlationId, false));
        try {
            done.get();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException ex) {
            throw new FileException(correlationId, "COMPACTION_FAILED", "Compaction failed").withCause(ex.getCause());
        }
    }

    @Override
    protected long journal(String correlationId, Change change, JobRecord job) throws ApplicationException {
        return append(correlationId, out -> {
            switch (change) {
                case ADD -> JournalCodec.writeJob(out, job);
                // Before the change is applied: the index still holds the old version.
                case UPDATE -> JournalCodec.writeStateChange(out, job, _index.get(job.id));
                case DELETE -> JournalCodec.writeDelete(out, job.id);
                case CLEAR -> JournalCodec.writeClear(out);
            }
        });
    }

    /**
     * The records of a batch in one append: one write and one fsync, behind a batch head, so that
     * a batch cut by a crash is dropped whole when the journal is replayed.
     */
    @Override
    protected long journalAll(String correlationId, Change change, List<JobRecord> jobs) throws ApplicationException {
        if (jobs.isEmpty())
            return 0;
        return append(correlationId, out -> {
            if (jobs.size() > 1)
                JournalCodec.writeBatch(out, jobs.size());
            for (JobRecord job : jobs) {
                switch (change) {
                    case ADD -> JournalCodec.writeJob(out, job);
                    case UPDATE -> JournalCodec.writeStateChange(out, job, _index.get(job.id));
                    case DELETE -> JournalCodec.writeDelete(out, job.id);
                    case CLEAR -> JournalCodec.writeClear(out);
                }
            }
        });
    }

    @Override
    protected long journalPaused(String correlationId, String type, boolean paused) throws ApplicationException {
        return append(correlationId, out -> JournalCodec.writePaused(out, type, paused));
    }

    /** Appends a record to the journal, and starts a compaction when the journal has grown enough. */
    private long append(String correlationId, Consumer<RecordBuffer> record)
            throws ApplicationException {
        JobsJournal journal = _journal;
        if (journal == null)
            throw new InvalidStateException(correlationId, "NOT_OPENED", "The file store is not open");
        long ticket;
        try {
            ticket = journal.append(record);
        } catch (IOException ex) {
            throw journalFailed(correlationId, ex);
        }
        if (journal.size() >= Math.max(_compactSize, _snapshotSize) && _compacting.compareAndSet(false, true)) {
            try {
                _compactor.submit(() -> compactNow(correlationId, true));
            } catch (RejectedExecutionException ex) {
                // The store is closing: the journal keeps the change; the next open compacts.
                _compacting.set(false);
            }
        }
        return ticket;
    }

    @Override
    protected void awaitJournal(String correlationId, long ticket) throws ApplicationException {
        JobsJournal journal = _journal;
        if (ticket == 0 || journal == null)
            return;
        try {
            journal.await(ticket);
        } catch (IOException ex) {
            throw journalFailed(correlationId, ex);
        }
    }

    /**
     * Opens a journal file for writing. Tests override it to put a simulated disk under the
     * journal (for example one that loses what was not fsynced).
     */
    protected FileChannel openJournalChannel(Path file, OpenOption... options) throws IOException {
        return FileChannel.open(file, options);
    }

    private JobsJournal.Settings journalSettings() {
        return new JobsJournal.Settings(_sync, _batchDelay, this::openJournalChannel);
    }

    private FileException journalFailed(String correlationId, IOException ex) {
        _logger.fatal(correlationId, ex, "The journal of the file store failed: changes are refused until it is reopened");
        return (FileException) new FileException(correlationId, "JOURNAL_FAILED",
                "The change could not be written to the journal: " + ex.getMessage()).withCause(ex);
    }

    /** Rotates the journal and writes the snapshot; on the compactor thread. */
    private void compactNow(String correlationId, boolean triggered) {
        try {
            List<JobRecord> jobs;
            List<String> paused;
            long generation;
            _lock.lock();
            try {
                JobsJournal journal = _journal;
                if (journal == null)
                    return;
                generation = journal.generation() + 1;
                journal.rotate(_folder, generation);
                jobs = _index.all();
                paused = new ArrayList<>(_paused);
            } finally {
                _lock.unlock();
            }
            long started = System.nanoTime();
            _snapshotSize = JobsSnapshot.write(_folder, generation, jobs, paused);
            JobsFileLoader.deleteOlderThan(_folder, generation);
            _logger.info(correlationId, "Compacted the file store: %d jobs, snapshot of %d bytes in %d ms",
                    jobs.size(), _snapshotSize, (System.nanoTime() - started) / 1_000_000);
        } catch (Exception ex) {
            _logger.error(correlationId, ex, "Compaction of the file store failed; the journal keeps every change");
            throw new IllegalStateException(ex);
        } finally {
            if (triggered)
                _compacting.set(false);
        }
    }

    private void releaseFolder() {
        IOException problem = _folderLock.release();
        if (problem != null)
            _logger.warn(null, "Cannot release the lock of %s: %s", _folder, problem);
    }
}
