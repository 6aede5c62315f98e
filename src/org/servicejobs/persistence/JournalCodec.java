package org.servicejobs.persistence;

import org.servicejobs.data.version1.JobBackoffV1;
import org.servicejobs.data.version1.JobErrorV1;

import java.util.Arrays;

import static org.servicejobs.persistence.JobDates.NONE;

/**
 * The payloads of journal and snapshot records. Every change is one record:
 * <ul>
 * <li>JOB: every field of a job (an add, and each job of a snapshot);</li>
 * <li>STATE: the fields a change may touch (run_at, started, locked_until, completed, failed,
 * cancelled, retries, lock_token, and progress, result, errors and execute_until when they
 * changed: a retry renews a ttl that ran out) - id, type, ref_id, params, created, max_retries,
 * priority and backoff never change;</li>
 * <li>DELETE: an id; CLEAR: nothing; PAUSED: a type and whether it is paused; END (snapshots
 * only): the number of jobs written.</li>
 * </ul>
 * The records of the first format, ADD and UPDATE (before failed, cancelled, errors, results,
 * schedules and priorities), are still read: a data folder written by an earlier version opens
 * with the same jobs.
 */
final class JournalCodec {
    /** The first format's records, read only. */
    static final byte ADD = 1;
    static final byte UPDATE = 2;
    static final byte DELETE = 3;
    static final byte CLEAR = 4;
    static final byte JOB = 5;
    static final byte STATE = 6;
    static final byte PAUSED = 7;
    /** The records that follow, as many as it says, are one batch: applied all together, or none. */
    static final byte BATCH = 8;
    static final byte END = 9;
    private static final int HAS_PROGRESS = 1, HAS_RESULT = 2, HAS_ERRORS = 4, HAS_EXECUTE_UNTIL = 8;

    private JournalCodec() {
    }

    static void writeJob(RecordBuffer out, JobRecord job) {
        out.beginRecord();
        out.writeByte(JOB);
        out.writeString(job.id);
        out.writeString(job.type);
        out.writeString(job.refId);
        out.writeBytes(job.params);
        out.writeLong(job.created);
        out.writeLong(job.executeUntil);
        out.writeInt(job.maxRetries);
        out.writeInt(job.priority);
        writeBackoff(out, job.backoff);
        writeState(out, job, HAS_PROGRESS | HAS_RESULT | HAS_ERRORS);
        out.endRecord();
    }

    /** The new state of a job; progress, result and errors only when they differ from <code>old</code>'s. */
    static void writeStateChange(RecordBuffer out, JobRecord job, JobRecord old) {
        int parts = (old == null || job.progress != old.progress ? HAS_PROGRESS : 0)
                | (old == null || job.result != old.result ? HAS_RESULT : 0)
                | (old == null || job.errors != old.errors ? HAS_ERRORS : 0)
                | (old != null && job.executeUntil != old.executeUntil ? HAS_EXECUTE_UNTIL : 0);
        out.beginRecord();
        out.writeByte(STATE);
        out.writeString(job.id);
        writeState(out, job, parts);
        out.endRecord();
    }

    static void writeDelete(RecordBuffer out, String id) {
        out.beginRecord();
        out.writeByte(DELETE);
        out.writeString(id);
        out.endRecord();
    }

    static void writeClear(RecordBuffer out) {
        out.beginRecord();
        out.writeByte(CLEAR);
        out.endRecord();
    }

    static void writePaused(RecordBuffer out, String type, boolean paused) {
        out.beginRecord();
        out.writeByte(PAUSED);
        out.writeString(type);
        out.writeByte(paused ? 1 : 0);
        out.endRecord();
    }

    /** The head of a batch of <code>count</code> records, which follow it in the same write. */
    static void writeBatch(RecordBuffer out, int count) {
        out.beginRecord();
        out.writeByte(BATCH);
        out.writeInt(count);
        out.endRecord();
    }

    static void writeEnd(RecordBuffer out, long count) {
        out.beginRecord();
        out.writeByte(END);
        out.writeLong(count);
        out.endRecord();
    }

    /** A job from a JOB payload (the op byte already read). */
    static JobRecord readJob(RecordReader in) {
        String id = in.readString();
        String type = in.readString();
        String refId = in.readString();
        byte[] params = in.readBytes();
        long created = in.readLong();
        long executeUntil = in.readLong();
        int maxRetries = in.readInt();
        int priority = in.readInt();
        JobBackoffV1 backoff = readBackoff(in);
        JobRecord fixed = new JobRecord(id, type, refId, params, created, NONE, NONE, NONE, executeUntil, NONE, NONE,
                NONE, 0, maxRetries, priority, null, backoff, null, null, null);
        return readState(in, fixed);
    }

    /** The new version of <code>old</code> from a STATE payload, after its id. */
    static JobRecord readStateChange(RecordReader in, JobRecord old) {
        return readState(in, old);
    }

    /** A job from an ADD payload of the first format (the op byte already read). */
    static JobRecord readFirstFormatAdd(RecordReader in) {
        String id = in.readString();
        String type = in.readString();
        String refId = in.readString();
        long created = in.readLong();
        long started = in.readLong();
        long lockedUntil = in.readLong();
        long executeUntil = in.readLong();
        long completed = in.readLong();
        int retries = in.readInt();
        String lockToken = in.readString();
        byte[] params = in.readBytes();
        return new JobRecord(id, type, refId, params, created, NONE, started, lockedUntil, executeUntil, completed, NONE,
                NONE, retries, 0, 0, lockToken, null, null, null, null);
    }

    /** The new version of <code>old</code> from an UPDATE payload of the first format, after its id. */
    static JobRecord readFirstFormatUpdate(RecordReader in, JobRecord old) {
        long started = in.readLong();
        long lockedUntil = in.readLong();
        long completed = in.readLong();
        int retries = in.readInt();
        String lockToken = in.readString();
        return new JobRecord(old.id, old.type, old.refId, old.params, old.created, old.runAt, started, lockedUntil,
                old.executeUntil, completed, old.failed, old.cancelled, retries, old.maxRetries, old.priority, lockToken,
                old.backoff, old.progress, old.result, old.errors);
    }

    private static void writeState(RecordBuffer out, JobRecord job, int parts) {
        out.writeLong(job.runAt);
        out.writeLong(job.started);
        out.writeLong(job.lockedUntil);
        out.writeLong(job.completed);
        out.writeLong(job.failed);
        out.writeLong(job.cancelled);
        out.writeInt(job.retries);
        out.writeString(job.lockToken);
        out.writeByte(parts);
        if ((parts & HAS_PROGRESS) != 0)
            out.writeBytes(job.progress);
        if ((parts & HAS_RESULT) != 0)
            out.writeBytes(job.result);
        if ((parts & HAS_ERRORS) != 0) {
            out.writeInt(job.errors.length);
            for (JobErrorV1 error : job.errors) {
                out.writeInt(error.attempt());
                out.writeLong(JobDates.millis(error.at()));
                out.writeString(error.error());
            }
        }
        if ((parts & HAS_EXECUTE_UNTIL) != 0)
            out.writeLong(job.executeUntil);
    }

    private static JobRecord readState(RecordReader in, JobRecord old) {
        long runAt = in.readLong();
        long started = in.readLong();
        long lockedUntil = in.readLong();
        long completed = in.readLong();
        long failed = in.readLong();
        long cancelled = in.readLong();
        int retries = in.readInt();
        String lockToken = in.readString();
        int parts = in.readByte();
        byte[] progress = (parts & HAS_PROGRESS) != 0 ? in.readBytes() : old.progress;
        byte[] result = (parts & HAS_RESULT) != 0 ? in.readBytes() : old.result;
        JobErrorV1[] errors = old.errors;
        if ((parts & HAS_ERRORS) != 0) {
            int count = in.readInt();
            if (count < 0 || count > JobErrorV1.MAX_KEPT)
                throw new IllegalStateException("a record with " + count + " errors");
            errors = new JobErrorV1[count];
            for (int i = 0; i < count; i++)
                errors[i] = new JobErrorV1(in.readInt(), JobDates.date(in.readLong()), in.readString());
        }
        long executeUntil = (parts & HAS_EXECUTE_UNTIL) != 0 ? in.readLong() : old.executeUntil;
        return new JobRecord(old.id, old.type, old.refId, old.params, old.created, runAt, started, lockedUntil,
                executeUntil, completed, failed, cancelled, retries, old.maxRetries, old.priority, lockToken,
                old.backoff, progress, result, Arrays.copyOf(errors, errors.length));
    }

    private static void writeBackoff(RecordBuffer out, JobBackoffV1 backoff) {
        if (backoff == null) {
            out.writeString(null);
            return;
        }
        out.writeString(backoff.type());
        out.writeLong(backoff.delay());
        out.writeLong(backoff.maxDelay() == null ? NONE : backoff.maxDelay());
    }

    private static JobBackoffV1 readBackoff(RecordReader in) {
        String type = in.readString();
        if (type == null)
            return null;
        long delay = in.readLong();
        long maxDelay = in.readLong();
        return new JobBackoffV1(type, delay, maxDelay == NONE ? null : maxDelay);
    }
}
