package org.servicejobs.persistence;

import org.pipservices3.commons.errors.FileException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hold of one store on its data folder: first in this process (a second store of the same
 * process must not even open the lock file: closing its channel would drop the first store's
 * lock, as the OS ties file locks to the process), then against other processes with an OS lock
 * on the folder's lock file. A second holder gets <code>FOLDER_IN_USE</code>.
 */
final class DataFolderLock {
    static final String LOCK_FILE = "jobs.lock";
    /** The data folders the stores of this process hold. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path _folder;
    private FileChannel _channel;
    private FileLock _lock;

    private DataFolderLock(Path folder) {
        _folder = folder;
    }

    /** Takes a folder (an absolute, normalized path), or fails when another store holds it. */
    static DataFolderLock take(String correlationId, Path folder) throws FileException {
        Path lockFile = folder.resolve(LOCK_FILE);
        if (!HELD.add(folder))
            throw inUse(correlationId, folder, lockFile, "another store of this process");
        DataFolderLock hold = new DataFolderLock(folder);
        try {
            hold._channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            hold._lock = hold._channel.tryLock();
        } catch (IOException ex) {
            hold.release();
            throw (FileException) new FileException(correlationId, "CANNOT_LOCK_FOLDER",
                    "Cannot lock the data folder " + folder).withCause(ex);
        }
        if (hold._lock == null) {
            hold.release();
            throw inUse(correlationId, folder, lockFile, "another process");
        }
        return hold;
    }

    /** Lets the folder go; returns the first problem met, or null. */
    IOException release() {
        IOException problem = null;
        try {
            if (_lock != null)
                _lock.release();
            if (_channel != null)
                _channel.close();
        } catch (IOException ex) {
            problem = ex;
        }
        _lock = null;
        _channel = null;
        HELD.remove(_folder);
        return problem;
    }

    private static FileException inUse(String correlationId, Path folder, Path lockFile, String user) {
        return (FileException) new FileException(correlationId, "FOLDER_IN_USE", "The data folder " + folder
                + " is in use by " + user + " (it holds " + lockFile + ")").withDetails("path", folder.toString());
    }
}
