package org.servicejobs.persistence;

import java.io.IOException;

/**
 * The payloads of journal and snapshot records. Every change is one record:
 * <ul>
 * <li>ADD: every field of a job, its params as JSON;</li>
 * <li>UPDATE: the fields a state change may touch (started, locked_until, completed, retries,
 * lock_token) - params, type, ref_id, created and execute_until never change;</li>
 * <li>DELETE: an id; CLEAR: nothing; END (snapshots only): the number of jobs written.</li>
 * </ul>
 */
final class JournalCodec {
    static final byte ADD = 1;
    static final byte UPDATE = 2;
    static final byte DELETE = 3;
    static final byte CLEAR = 4;
    static final byte END = 9;

    private JournalCodec() {
    }

    static void writeAdd(RecordBuffer out, JobRecord job, byte[] paramsJson) {
        out.beginRecord();
        out.writeByte(ADD);
        out.writeString(job.id);
        out.writeString(job.type);
        out.writeString(job.refId);
        out.writeLong(job.created);
        out.writeLong(job.started);
        out.writeLong(job.lockedUntil);
        out.writeLong(job.executeUntil);
        out.writeLong(job.completed);
        out.writeInt(job.retries);
        out.writeString(job.lockToken);
        out.writeBytes(paramsJson);
        out.endRecord();
    }

    static void writeUpdate(RecordBuffer out, JobRecord job) {
        out.beginRecord();
        out.writeByte(UPDATE);
        out.writeString(job.id);
        out.writeLong(job.started);
        out.writeLong(job.lockedUntil);
        out.writeLong(job.completed);
        out.writeInt(job.retries);
        out.writeString(job.lockToken);
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

    static void writeEnd(RecordBuffer out, long count) {
        out.beginRecord();
        out.writeByte(END);
        out.writeLong(count);
        out.endRecord();
    }

    /** A job from an ADD payload (the op byte already read). */
    static JobRecord readAdd(RecordReader in) throws IOException {
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
        Object params = JobJson.parse(in.readUtf8());
        return new JobRecord(id, type, refId, params, created, started, lockedUntil, executeUntil, completed, retries,
                lockToken);
    }

    /** The new version of <code>old</code> from an UPDATE payload, after its id. */
    static JobRecord readUpdate(RecordReader in, JobRecord old) {
        long started = in.readLong();
        long lockedUntil = in.readLong();
        long completed = in.readLong();
        int retries = in.readInt();
        String lockToken = in.readString();
        return new JobRecord(old.id, old.type, old.refId, old.params, old.created, started, lockedUntil,
                old.executeUntil, completed, retries, lockToken);
    }
}
