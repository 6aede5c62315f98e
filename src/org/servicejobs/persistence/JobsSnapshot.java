package org.servicejobs.persistence;

import org.pipservices3.commons.errors.ApplicationException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Snapshot files of the file store: every job at the start of a journal generation, written to
 * a temporary file, fsynced, then renamed into place, so a snapshot is either whole or absent.
 * Format: a header (<code>JOBSNAP1</code>, generation, count), one JOB record per job (ADD in
 * snapshots of the first format), one PAUSED record per paused type, an END record with the
 * count of jobs.
 */
final class JobsSnapshot {
    static final byte[] MAGIC = "JOBSNAP1".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_SIZE = 24;
    private static final int CHUNK = 1 << 20;

    private JobsSnapshot() {
    }

    static Path fileOf(Path folder, long generation) {
        return folder.resolve(String.format("snapshot-%016d.dat", generation));
    }

    /**
     * Writes a snapshot of the given jobs durably, and returns its size in bytes. The jobs are
     * written by type and created time, the order in which loading them is fastest.
     */
    static long write(Path folder, long generation, List<JobRecord> jobs, Collection<String> pausedTypes)
            throws IOException {
        jobs.sort(JobRecord.BY_TYPE_AND_CREATED);
        Path file = fileOf(folder, generation);
        Path temp = folder.resolve(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).put(MAGIC).putLong(generation).putLong(jobs.size()).flip();
            writeFully(channel, header);
            RecordBuffer buffer = new RecordBuffer(CHUNK + (CHUNK >> 2));
            for (JobRecord job : jobs) {
                JournalCodec.writeJob(buffer, job);
                if (buffer.size() >= CHUNK) {
                    writeFully(channel, buffer.asByteBuffer());
                    buffer.clear();
                }
            }
            for (String type : pausedTypes)
                JournalCodec.writePaused(buffer, type, true);
            JournalCodec.writeEnd(buffer, jobs.size());
            writeFully(channel, buffer.asByteBuffer());
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        JournalFile.syncFolder(folder);
        return Files.size(file);
    }

    /** Reads a snapshot, passing each job and paused type on; every record must be valid and the count must match. */
    static void read(Path file, Consumer<JobRecord> jobs, Consumer<String> pausedTypes)
            throws IOException, ApplicationException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
            while (header.hasRemaining()) {
                if (channel.read(header, header.position()) < 0)
                    break;
            }
            header.flip();
            byte[] magic = new byte[MAGIC.length];
            if (header.remaining() < HEADER_SIZE)
                throw RecordFiles.damaged(file, 0, "incomplete snapshot header", null);
            header.get(magic);
            if (!Arrays.equals(magic, MAGIC))
                throw RecordFiles.damaged(file, 0, "not a jobs snapshot", null);
            header.getLong();
            long expected = header.getLong();
            long[] count = {0};
            boolean[] ended = {false};
            RecordFiles.read(file, channel, HEADER_SIZE, false, (bytes, offset, length, fileOffset) -> {
                if (ended[0])
                    throw new IOException("a record after the end of the snapshot");
                RecordReader in = new RecordReader(bytes, offset, length);
                int op = in.readByte();
                if (op == JournalCodec.JOB || op == JournalCodec.ADD) {
                    jobs.accept(op == JournalCodec.JOB ? JournalCodec.readJob(in) : JournalCodec.readFirstFormatAdd(in));
                    count[0]++;
                } else if (op == JournalCodec.PAUSED) {
                    String type = in.readString();
                    if (in.readByte() != 0)
                        pausedTypes.accept(type);
                } else if (op == JournalCodec.END) {
                    long written = in.readLong();
                    if (written != count[0] || written != expected)
                        throw new IOException("the snapshot holds " + count[0] + " jobs, it says " + written);
                    ended[0] = true;
                } else {
                    throw new IOException("unexpected record type " + op);
                }
            });
            if (!ended[0])
                throw RecordFiles.damaged(file, channel.size(), "the snapshot has no end record", null);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining())
            channel.write(bytes);
    }
}
