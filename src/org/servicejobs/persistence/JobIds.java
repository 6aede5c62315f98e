package org.servicejobs.persistence;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Job ids: 32 lowercase hex digits, 12 of the creation time in milliseconds, 4 of a counter and
 * 16 random. Ids made by one process in one millisecond sort in the order they were made, so the
 * order "created, then id" is first-in first-out.
 */
final class JobIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final AtomicInteger COUNTER = new AtomicInteger(ThreadLocalRandom.current().nextInt());

    private JobIds() {
    }

    static String next(long createdMillis) {
        char[] id = new char[32];
        put(id, 0, createdMillis, 12);
        put(id, 12, COUNTER.getAndIncrement(), 4);
        put(id, 16, ThreadLocalRandom.current().nextLong(), 16);
        return new String(id);
    }

    private static void put(char[] out, int offset, long value, int digits) {
        for (int i = offset + digits - 1; i >= offset; i--) {
            out[i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
    }
}
