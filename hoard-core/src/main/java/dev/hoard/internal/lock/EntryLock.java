package dev.hoard.internal.lock;

import java.io.IOException;
import java.nio.channels.FileLock;

/** A held entry lock: the JVM's thread lock and, with file locks, the OS file lock. Close it to release both. */
public final class EntryLock implements AutoCloseable {
    private final LockTable table;
    private final LockFile file;
    /** Null where only threads are excluded. */
    private final FileLock osLock;
    private boolean released;

    EntryLock(LockTable table, LockFile file, FileLock osLock) {
        this.table = table;
        this.file = file;
        this.osLock = osLock;
    }

    /** Releases the file lock, then the thread lock. Must be called by the thread that acquired it. */
    @Override
    public void close() throws IOException {
        if (released) {
            return;
        }
        released = true;
        try {
            if (osLock != null && osLock.isValid()) {
                osLock.release();
            }
        } finally {
            table.unlockThread(file);
        }
    }
}
