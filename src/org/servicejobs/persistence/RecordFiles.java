package org.servicejobs.persistence;

import org.pipservices3.commons.errors.ApplicationException;
import org.pipservices3.commons.errors.FileException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads files of records framed by {@link RecordBuffer}, checking each record's marker, length
 * and checksum.
 * <p>
 * A record that fails the checks is either a <i>torn tail</i> - the last write, cut by a crash:
 * no valid record follows it - or <i>damage</i>: valid records follow it. A torn tail is dropped
 * when the file may have one (the newest journal), and a tail of zeros (preallocated space) in
 * any file; damage is never skipped: reading stops with an error that names the file and the
 * offset, so that no change is silently lost.
 */
final class RecordFiles {
    /** The largest record read: a job's params are limited by the HTTP body limit, far below. */
    static final int MAX_RECORD = 256 * 1024 * 1024;

    @FunctionalInterface
    interface Visitor {
        /** One valid record: its payload is <code>bytes[offset, offset + length)</code>. */
        void record(byte[] bytes, int offset, int length, long fileOffset) throws Exception;
    }

    private RecordFiles() {
    }

    /**
     * Reads the records of a file from <code>start</code> to its end.
     *
     * @param mayBeTorn whether a torn last record is dropped (else it is an error).
     * @return the offset where the valid records end (the file size unless a torn tail was found).
     */
    static long read(Path file, FileChannel channel, long start, boolean mayBeTorn, Visitor visitor)
            throws ApplicationException, IOException {
        long size = channel.size();
        byte[] buffer = new byte[1 << 20];
        long bufferOffset = start; // the file offset of buffer[0]
        int filled = 0;
        long position = start;
        while (position < size) {
            int at = (int) (position - bufferOffset);
            String problem = null;
            if (size - position < RecordBuffer.HEADER_SIZE) {
                problem = "incomplete record header";
            } else {
                if (at + RecordBuffer.HEADER_SIZE > filled) {
                    buffer = compact(buffer, at, filled, RecordBuffer.HEADER_SIZE);
                    filled -= at;
                    bufferOffset = position;
                    at = 0;
                    filled += fill(channel, buffer, filled, bufferOffset + filled, size);
                }
                int magic = intAt(buffer, at);
                int length = intAt(buffer, at + 4);
                int crc = intAt(buffer, at + 8);
                if (magic != RecordBuffer.MAGIC) {
                    problem = "bad record marker";
                } else if (length < 1 || length > MAX_RECORD) {
                    problem = "bad record length " + length;
                } else if (position + RecordBuffer.HEADER_SIZE + length > size) {
                    problem = "record runs past the end of the file";
                } else {
                    int total = RecordBuffer.HEADER_SIZE + length;
                    if (at + total > filled) {
                        buffer = compact(buffer, at, filled, total);
                        filled -= at;
                        bufferOffset = position;
                        at = 0;
                        filled += fill(channel, buffer, filled, bufferOffset + filled, size);
                    }
                    if (checksum(buffer, at + RecordBuffer.HEADER_SIZE, length) != crc) {
                        problem = "bad checksum";
                    } else {
                        try {
                            visitor.record(buffer, at + RecordBuffer.HEADER_SIZE, length, position);
                        } catch (ApplicationException ex) {
                            throw ex;
                        } catch (Exception ex) {
                            throw damaged(file, position, "unreadable record: " + ex.getMessage(), ex);
                        }
                        position += total;
                    }
                }
            }
            if (problem != null) {
                // Zeros only (preallocated space never written) hide no record in any file.
                if (isZeros(channel, position, size) || mayBeTorn && !hasValidRecord(channel, position + 1, size))
                    return position;
                throw damaged(file, position, problem, null);
            }
        }
        return position;
    }

    static FileException damaged(Path file, long offset, String problem, Throwable cause) {
        FileException error = new FileException(null, "STORE_DAMAGED",
                "The file " + file.toAbsolutePath() + " is damaged at offset " + offset + " (" + problem
                        + "). The store will not open rather than lose the changes after it: restore the file"
                        + " from a backup, or move the data folder away to start empty.");
        error.withDetails("file", file.toAbsolutePath().toString()).withDetails("offset", offset);
        if (cause != null)
            error.withCause(cause);
        return error;
    }

    /** Whether the bytes in <code>[from, to)</code> are all zero. */
    static boolean isZeros(FileChannel channel, long from, long to) throws IOException {
        byte[] window = new byte[1 << 16];
        for (long at = from; at < to; ) {
            int read = readAt(channel, window, 0, (int) Math.min(window.length, to - at), at);
            if (read <= 0)
                return true;
            for (int i = 0; i < read; i++) {
                if (window[i] != 0)
                    return false;
            }
            at += read;
        }
        return true;
    }

    /** Whether a valid record starts anywhere in <code>[from, size)</code>. */
    private static boolean hasValidRecord(FileChannel channel, long from, long size) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(RecordBuffer.HEADER_SIZE);
        byte[] window = new byte[1 << 16];
        for (long base = from; base + RecordBuffer.HEADER_SIZE <= size; ) {
            int read = readAt(channel, window, 0, (int) Math.min(window.length, size - base), base);
            for (int i = 0; i + 4 <= read; i++) {
                if (intAt(window, i) != RecordBuffer.MAGIC)
                    continue;
                long candidate = base + i;
                header.clear();
                if (candidate + RecordBuffer.HEADER_SIZE > size || channel.read(header, candidate) < RecordBuffer.HEADER_SIZE)
                    continue;
                int length = header.getInt(4);
                if (length < 1 || length > MAX_RECORD || candidate + RecordBuffer.HEADER_SIZE + length > size)
                    continue;
                byte[] payload = new byte[length];
                readAt(channel, payload, 0, length, candidate + RecordBuffer.HEADER_SIZE);
                if (checksum(payload, 0, length) == header.getInt(8))
                    return true;
            }
            base += Math.max(1, read - 3);
        }
        return false;
    }

    private static int checksum(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /** Moves <code>buffer[from, filled)</code> to the front, growing it to hold <code>needed</code> bytes. */
    private static byte[] compact(byte[] buffer, int from, int filled, int needed) {
        byte[] target = needed > buffer.length ? new byte[Math.max(needed, buffer.length * 2)] : buffer;
        System.arraycopy(buffer, from, target, 0, filled - from);
        return target;
    }

    /** Fills the buffer from <code>offset</code> of the file as far as it goes. */
    private static int fill(FileChannel channel, byte[] buffer, int at, long fileOffset, long size) throws IOException {
        return readAt(channel, buffer, at, (int) Math.min(buffer.length - at, size - fileOffset), fileOffset);
    }

    private static int readAt(FileChannel channel, byte[] buffer, int at, int length, long fileOffset) throws IOException {
        ByteBuffer target = ByteBuffer.wrap(buffer, at, length);
        int total = 0;
        while (target.hasRemaining()) {
            int read = channel.read(target, fileOffset + total);
            if (read < 0)
                break;
            total += read;
        }
        return total;
    }

    static int intAt(byte[] bytes, int at) {
        return ((bytes[at] & 0xff) << 24) | ((bytes[at + 1] & 0xff) << 16) | ((bytes[at + 2] & 0xff) << 8)
                | (bytes[at + 3] & 0xff);
    }
}
