package org.servicejobs.persistence;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A growable byte buffer that frames records for the journal and snapshot files:
 * <code>[magic:int][length:int][crc32c of payload:int][payload]</code>, big-endian.
 * The magic lets a reader that meets a damaged record look for valid records after it.
 */
final class RecordBuffer {
    static final int MAGIC = 0x4A4F4231;
    static final int HEADER_SIZE = 12;

    private byte[] bytes;
    private int size;
    private int recordStart = -1;

    RecordBuffer(int capacity) {
        bytes = new byte[Math.max(64, capacity)];
    }

    int size() {
        return size;
    }

    byte[] array() {
        return bytes;
    }

    void clear() {
        size = 0;
        recordStart = -1;
    }

    void beginRecord() {
        recordStart = size;
        ensure(HEADER_SIZE);
        size += HEADER_SIZE;
    }

    void endRecord() {
        int length = size - recordStart - HEADER_SIZE;
        CRC32C crc = new CRC32C();
        crc.update(bytes, recordStart + HEADER_SIZE, length);
        putInt(recordStart, MAGIC);
        putInt(recordStart + 4, length);
        putInt(recordStart + 8, (int) crc.getValue());
        recordStart = -1;
    }

    /** Drops everything after the first <code>length</code> bytes, and a record begun and not ended. */
    void truncate(int length) {
        size = Math.min(size, length);
        recordStart = -1;
    }

    void writeByte(int value) {
        ensure(1);
        bytes[size++] = (byte) value;
    }

    void writeInt(int value) {
        ensure(4);
        putInt(size, value);
        size += 4;
    }

    void writeLong(long value) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            bytes[size + i] = (byte) value;
            value >>>= 8;
        }
        size += 8;
    }

    void writeString(String value) {
        writeBytes(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** Length-prefixed bytes; null is the length -1. */
    void writeBytes(byte[] value) {
        if (value == null) {
            writeInt(-1);
            return;
        }
        writeInt(value.length);
        ensure(value.length);
        System.arraycopy(value, 0, bytes, size, value.length);
        size += value.length;
    }

    void writeRaw(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, bytes, size, value.length);
        size += value.length;
    }

    ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(bytes, 0, size);
    }

    private void putInt(int at, int value) {
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
    }

    private void ensure(int more) {
        if (size + more > bytes.length)
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
}
