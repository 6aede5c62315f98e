package org.servicejobs.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One journal file on disk: a header (<code>JOBJRNL1</code>, its generation), then records,
 * then zeros. The file is preallocated ahead of the records in chunks of zeros (fsynced once), so
 * the fsync of a record changes no file size and costs less; a tail of zeros is dropped on open,
 * and the file is cut to its records when it is closed or rotated.
 * <p>
 * Not thread-safe: the {@link JobsJournal} that writes it holds its IO lock around every call.
 */
final class JournalFile {
    /** Opens the journal's files (a seam where tests simulate a power loss). */
    @FunctionalInterface
    interface Opener {
        FileChannel open(Path file, OpenOption... options) throws IOException;
    }

    static final byte[] MAGIC = "JOBJRNL1".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_SIZE = 16;
    /** Bytes of zeros written ahead of the records at a time. */
    static final int PREALLOCATION = 8 * 1024 * 1024;
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final FileChannel _channel;
    private final Path _path;
    private final long _generation;
    /** The end of the records. */
    private long _size;
    /** The size of the file: the records and the zeros after them. */
    private long _allocated;

    private JournalFile(FileChannel channel, Path path, long generation, long size) {
        _channel = channel;
        _path = path;
        _generation = generation;
        _size = size;
        _allocated = size;
    }

    static Path fileOf(Path folder, long generation) {
        return folder.resolve(String.format("journal-%016d.log", generation));
    }

    /** Creates the file of a generation with its header, durably (the folder too), and opens it. */
    static JournalFile create(Opener opener, Path folder, long generation) throws IOException {
        Path path = fileOf(folder, generation);
        FileChannel channel = opener.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).put(MAGIC).putLong(generation).flip();
            while (header.hasRemaining())
                channel.write(header);
            channel.force(true);
            syncFolder(folder);
            return new JournalFile(channel, path, generation, HEADER_SIZE);
        } catch (IOException ex) {
            channel.close();
            throw ex;
        }
    }

    /** Opens an existing file for appending after <code>validEnd</code>, dropping what follows. */
    static JournalFile reopen(Opener opener, Path path, long generation, long validEnd) throws IOException {
        FileChannel channel = opener.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            if (channel.size() > validEnd) {
                channel.truncate(validEnd);
                channel.force(true);
            }
            return new JournalFile(channel, path, generation, validEnd);
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

    /** Makes the creation, renaming or deletion of files in a folder durable (where the OS allows it). */
    static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ex) {
            // Some systems cannot open or sync a folder; their renames are durable by other means.
        }
    }

    Path path() {
        return _path;
    }

    long generation() {
        return _generation;
    }

    /** The end of the records written. */
    long size() {
        return _size;
    }

    /** Writes records after the last ones, preallocating ahead when they reach the zeros' end. */
    void write(ByteBuffer records) throws IOException {
        preallocate(_size + records.remaining());
        long position = _size;
        while (records.hasRemaining())
            position += _channel.write(records, position);
        _size = position;
    }

    /** Fsyncs what is written (data only: the size does not change within the preallocation). */
    void force() throws IOException {
        _channel.force(false);
    }

    /** Cuts the preallocated zeros off the end of the file; after a {@link #force}. */
    void cutToRecords() throws IOException {
        if (_allocated > _size) {
            _channel.truncate(_size);
            _channel.force(true);
            _allocated = _size;
        }
    }

    void close() throws IOException {
        _channel.close();
    }

    /** Makes the file at least <code>size</code> bytes long with zeros, durably. */
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
}
