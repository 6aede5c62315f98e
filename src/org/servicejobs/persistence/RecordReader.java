package org.servicejobs.persistence;

import java.nio.charset.StandardCharsets;

/** Reads the fields of one record payload written by {@link RecordBuffer}. */
final class RecordReader {
    private final byte[] bytes;
    private int position;
    private final int end;

    RecordReader(byte[] bytes, int offset, int length) {
        this.bytes = bytes;
        this.position = offset;
        this.end = offset + length;
    }

    boolean atEnd() {
        return position == end;
    }

    int readByte() {
        check(1);
        return bytes[position++];
    }

    int readInt() {
        check(4);
        int value = ((bytes[position] & 0xff) << 24) | ((bytes[position + 1] & 0xff) << 16)
                | ((bytes[position + 2] & 0xff) << 8) | (bytes[position + 3] & 0xff);
        position += 4;
        return value;
    }

    long readLong() {
        check(8);
        long value = 0;
        for (int i = 0; i < 8; i++)
            value = (value << 8) | (bytes[position + i] & 0xff);
        position += 8;
        return value;
    }

    String readString() {
        int length = readInt();
        if (length < 0)
            return null;
        check(length);
        String value = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return value;
    }

    /** Reads length-prefixed bytes; the length -1 is null. */
    byte[] readBytes() {
        int length = readInt();
        if (length < 0)
            return null;
        check(length);
        byte[] value = java.util.Arrays.copyOfRange(bytes, position, position + length);
        position += length;
        return value;
    }

    private void check(int count) {
        if (count < 0 || position + count > end)
            throw new IllegalStateException("record ends early");
    }
}
