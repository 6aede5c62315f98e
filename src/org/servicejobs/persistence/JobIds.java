package org.servicejobs.persistence;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Job ids: 32 lowercase hex digits. The first 16 are a number that grows with every id this
 * process makes: the creation time in milliseconds shifted left by 20 bits, or one more than
 * the previous id when that is larger. The last 16 are random. So ids made by one process sort in
 * the order they were made, and the order "created, then id" is first-in first-out even for jobs
 * created in the same millisecond.
 */
final class JobIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int COUNTER_BITS = 20;
    private static final AtomicLong LAST = new AtomicLong();

    private JobIds() {
    }

    static String next(long createdMillis) {
        long floor = createdMillis << COUNTER_BITS;
        long sequence = LAST.accumulateAndGet(floor, (last, candidate) -> Math.max(last + 1, candidate));
        char[] id = new char[32];
        put(id, 0, sequence);
        put(id, 16, ThreadLocalRandom.current().nextLong());
        return new String(id);
    }

    private static void put(char[] out, int offset, long value) {
        for (int i = offset + 15; i >= offset; i--) {
            out[i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
    }
}
