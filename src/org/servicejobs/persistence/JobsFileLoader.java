package org.servicejobs.persistence;

import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.FileException;
import org.pipservices3.components.log.ILogger;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of a data folder and how they are read back: the newest snapshot, then every journal
 * generation after it, in order, into an index. A journal generation that is missing stops the
 * load (<code>JOURNAL_MISSING</code>); a damaged record stops it with the file and offset named
 * (see {@link RecordFiles}); the newest journal may end in a torn record, which is dropped, and
 * it is reopened for appending. Left-over temporary files and the files of older generations are
 * deleted.
 */
final class JobsFileLoader {
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d{16})\\.dat");
    private static final Pattern JOURNAL = Pattern.compile("journal-(\\d{16})\\.log");

    /**
     * What a load found.
     *
     * @param journal      the journal to append to.
     * @param snapshotSize the size of the snapshot read, 0 when there was none.
     */
    record Loaded(JobsJournal journal, long snapshotSize) {
    }

    private final Path _folder;
    private final JobsIndex _index;
    private final Set<String> _paused;
    private final JobsJournal.Settings _settings;
    private final ILogger _logger;
    /** The records of the batch being read, and how many of it are still to come. */
    private final List<byte[]> _batch = new ArrayList<>();
    private int _batchLeft;
    private long _batchStart;

    private JobsFileLoader(Path folder, JobsIndex index, Set<String> paused, JobsJournal.Settings settings,
                           ILogger logger) {
        _folder = folder;
        _index = index;
        _paused = paused;
        _settings = settings;
        _logger = logger;
    }

    /** Reads a folder into an empty index and paused set; the caller holds the store's lock. */
    static Loaded load(String correlationId, Path folder, JobsIndex index, Set<String> paused,
                       JobsJournal.Settings settings, ILogger logger) throws ApplicationException {
        try {
            return new JobsFileLoader(folder, index, paused, settings, logger).load(correlationId);
        } catch (IOException ex) {
            index.clear();
            paused.clear();
            throw new FileException(correlationId, "CANNOT_READ_STORE", "Cannot read the file store at " + folder
                    + ": " + ex.getMessage()).withCause(ex);
        } catch (ApplicationException | RuntimeException ex) {
            index.clear();
            paused.clear();
            throw ex;
        }
    }

    /** Deletes the snapshots and journals of generations before <code>generation</code>, durably. */
    static void deleteOlderThan(Path folder, long generation) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                Matcher snapshot = SNAPSHOT.matcher(name);
                Matcher journal = JOURNAL.matcher(name);
                if (snapshot.matches() && Long.parseLong(snapshot.group(1)) < generation
                        || journal.matches() && Long.parseLong(journal.group(1)) < generation)
                    Files.delete(file);
            }
        }
        JournalFile.syncFolder(folder);
    }

    private Loaded load(String correlationId) throws IOException, ApplicationException {
        _index.clear();
        _paused.clear();
        List<Long> snapshots = new ArrayList<>();
        List<Long> journals = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(_folder)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                Matcher snapshot = SNAPSHOT.matcher(name);
                Matcher journal = JOURNAL.matcher(name);
                if (snapshot.matches())
                    snapshots.add(Long.parseLong(snapshot.group(1)));
                else if (journal.matches())
                    journals.add(Long.parseLong(journal.group(1)));
                else if (name.endsWith(".tmp"))
                    Files.delete(file);
            }
        }
        Collections.sort(journals);
        long first = snapshots.isEmpty() ? (journals.isEmpty() ? 0 : journals.get(0)) : Collections.max(snapshots);
        long snapshotSize = 0;
        if (!snapshots.isEmpty()) {
            Path snapshot = JobsSnapshot.fileOf(_folder, first);
            JobsSnapshot.read(snapshot, this::replayAdd, _paused::add);
            snapshotSize = Files.size(snapshot);
        }
        journals.removeIf(generation -> generation < first);
        for (int i = 0; i < journals.size(); i++) {
            if (journals.get(i) != first + i)
                throw new FileException(correlationId, "JOURNAL_MISSING", "The journal "
                        + JournalFile.fileOf(_folder, first + i) + " is missing: the store cannot be rebuilt");
        }
        JobsJournal journal = null;
        for (int i = 0; i < journals.size(); i++)
            journal = replayJournal(correlationId, journals.get(i), i == journals.size() - 1);
        if (journal == null)
            journal = JobsJournal.create(_folder, first + journals.size(), _settings);
        deleteOlderThan(_folder, first);
        return new Loaded(journal, snapshotSize);
    }

    /** Replays one journal; the last one is reopened for appending and returned. */
    private JobsJournal replayJournal(String correlationId, long generation, boolean last)
            throws IOException, ApplicationException {
        Path file = JournalFile.fileOf(_folder, generation);
        long validEnd;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long header;
            try {
                header = JournalFile.readHeader(channel);
            } catch (IOException ex) {
                if (last && size <= JournalFile.HEADER_SIZE) {
                    // A crash while the journal was created: it holds no record yet.
                    _logger.warn(correlationId, "Recreating the journal %s, cut while it was created", file);
                    Files.delete(file);
                    return JobsJournal.create(_folder, generation, _settings);
                }
                throw RecordFiles.damaged(file, 0, ex.getMessage(), ex);
            }
            if (header != generation)
                throw RecordFiles.damaged(file, 8, "it says it is generation " + header, null);
            validEnd = RecordFiles.read(file, channel, JournalFile.HEADER_SIZE, last, this::replay);
            if (_batchLeft > 0) {
                if (!last)
                    throw RecordFiles.damaged(file, _batchStart, "a batch without its last " + _batchLeft
                            + " records", null);
                _logger.warn(correlationId, "Dropped a batch of %d records cut by a crash at the end of %s (offset %d):"
                        + " it was not acknowledged", _batch.size() + _batchLeft, file, _batchStart);
                validEnd = _batchStart;
                _batchLeft = 0;
                _batch.clear();
            }
            if (validEnd < size && RecordFiles.isZeros(channel, validEnd, size))
                _logger.debug(correlationId, "Dropped %d bytes of preallocated zeros at the end of %s", size - validEnd, file);
            else if (validEnd < size)
                _logger.warn(correlationId, "Dropped a torn record at the end of %s (offset %d, %d bytes): the write"
                        + " was cut by a crash before it was acknowledged", file, validEnd, size - validEnd);
        }
        return last ? JobsJournal.reopen(file, generation, validEnd, _settings) : null;
    }

    private void replayAdd(JobRecord job) {
        if (_index.get(job.id) != null)
            throw new IllegalStateException("job " + job.id + " is added twice");
        _index.add(job);
    }

    /**
     * One record of a journal: applied at once, or, within a batch, kept until the batch's last
     * record has come, then applied with the others.
     */
    private void replay(byte[] bytes, int offset, int length, long fileOffset) {
        if (_batchLeft > 0) {
            _batch.add(Arrays.copyOfRange(bytes, offset, offset + length));
            if (--_batchLeft == 0) {
                for (byte[] record : _batch)
                    apply(record, 0, record.length);
                _batch.clear();
            }
            return;
        }
        if (bytes[offset] == JournalCodec.BATCH) {
            RecordReader in = new RecordReader(bytes, offset + 1, length - 1);
            int count = in.readInt();
            if (count < 1 || !in.atEnd())
                throw new IllegalStateException("a batch head of " + count + " records");
            _batchLeft = count;
            _batchStart = fileOffset;
            return;
        }
        apply(bytes, offset, length);
    }

    private void apply(byte[] bytes, int offset, int length) {
        RecordReader in = new RecordReader(bytes, offset, length);
        int op = in.readByte();
        switch (op) {
            case JournalCodec.JOB -> replayAdd(JournalCodec.readJob(in));
            case JournalCodec.STATE -> {
                JobRecord old = existing(in.readString());
                _index.replace(old, JournalCodec.readStateChange(in, old));
            }
            case JournalCodec.ADD -> replayAdd(JournalCodec.readFirstFormatAdd(in));
            case JournalCodec.UPDATE -> {
                JobRecord old = existing(in.readString());
                _index.replace(old, JournalCodec.readFirstFormatUpdate(in, old));
            }
            case JournalCodec.DELETE -> _index.remove(existing(in.readString()));
            case JournalCodec.CLEAR -> _index.clear();
            case JournalCodec.PAUSED -> {
                String type = in.readString();
                if (in.readByte() != 0)
                    _paused.add(type);
                else
                    _paused.remove(type);
            }
            default -> throw new IllegalStateException("unknown record type " + op);
        }
        if (!in.atEnd())
            throw new IllegalStateException("the record has bytes after its fields");
    }

    private JobRecord existing(String id) {
        JobRecord job = _index.get(id);
        if (job == null)
            throw new IllegalStateException("the record changes job " + id + ", which does not exist");
        return job;
    }
}
