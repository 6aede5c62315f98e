package org.servicejobs.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A file channel on a simulated disk that keeps what is written in memory until
 * {@link #force(boolean)}, as a disk cache does: only fsynced bytes reach the real file, so the
 * real file is what a machine that lost its power would hold. Enough of FileChannel for the
 * journal: positional writes, size, truncate, force.
 */
final class PowerLossChannel extends FileChannel {
    private record Write(long position, byte[] bytes) {
    }

    private final FileChannel file;
    private final List<Write> unsynced = new ArrayList<>();
    private long position;
    private long size;

    PowerLossChannel(FileChannel file) throws IOException {
        this.file = file;
        this.size = file.size();
    }

    /** Bytes written and not yet fsynced. */
    synchronized long unsyncedBytes() {
        return unsynced.stream().mapToLong(write -> write.bytes.length).sum();
    }

    @Override
    public synchronized int write(ByteBuffer source, long at) {
        byte[] bytes = new byte[source.remaining()];
        source.get(bytes);
        unsynced.add(new Write(at, bytes));
        size = Math.max(size, at + bytes.length);
        return bytes.length;
    }

    @Override
    public synchronized int write(ByteBuffer source) {
        int written = write(source, position);
        position += written;
        return written;
    }

    @Override
    public synchronized void force(boolean metaData) throws IOException {
        for (Write write : unsynced) {
            ByteBuffer bytes = ByteBuffer.wrap(write.bytes);
            long at = write.position;
            while (bytes.hasRemaining())
                at += file.write(bytes, at);
        }
        unsynced.clear();
        file.force(metaData);
    }

    @Override
    public synchronized FileChannel truncate(long newSize) throws IOException {
        force(true);
        file.truncate(newSize);
        size = Math.min(size, newSize);
        position = Math.min(position, newSize);
        return this;
    }

    @Override
    public synchronized long size() {
        return size;
    }

    @Override
    public synchronized long position() {
        return position;
    }

    @Override
    public synchronized FileChannel position(long newPosition) {
        position = newPosition;
        return this;
    }

    @Override
    public int read(ByteBuffer target) {
        throw new UnsupportedOperationException("the journal does not read through its writer");
    }

    @Override
    public long read(ByteBuffer[] targets, int offset, int length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int read(ByteBuffer target, long at) throws IOException {
        return file.read(target, at);
    }

    @Override
    public long write(ByteBuffer[] sources, int offset, int length) {
        long written = 0;
        for (int i = offset; i < offset + length; i++)
            written += write(sources[i]);
        return written;
    }

    @Override
    public long transferTo(long at, long count, WritableByteChannel target) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel source, long at, long count) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long at, long length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long at, long length, boolean shared) {
        throw new UnsupportedOperationException();
    }

    @Override
    public FileLock tryLock(long at, long length, boolean shared) {
        throw new UnsupportedOperationException();
    }

    /** Closing drops what was not fsynced, as a power loss would. */
    @Override
    protected void implCloseChannel() throws IOException {
        synchronized (this) {
            unsynced.clear();
        }
        file.close();
    }
}
