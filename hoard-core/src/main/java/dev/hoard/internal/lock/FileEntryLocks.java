package dev.hoard.internal.lock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Entry locks that hold across threads and processes: the JVM's thread lock, then an OS file lock on the lock file
 * ({@link FileChannel#tryLock()}, i.e. {@code fcntl}/{@code LockFileEx}). The kernel releases a file lock when its
 * process dies, however it dies, so a crash never leaves a lock behind and no lock needs a timeout to be broken.
 *
 * <p>Java file locks belong to the whole JVM, not to a thread, so the thread lock comes first and the JVM keeps one
 * channel per lock file ({@link LockFile}). The file lock is polled with a short backoff rather than blocked on:
 * an interrupt in a blocking {@link FileChannel#lock()} would close the shared channel and drop another thread's
 * lock.
 */
final class FileEntryLocks implements EntryLocks {
    static final FileEntryLocks JVM_WIDE = new FileEntryLocks(LockTable.JVM_WIDE);
    private static final long POLL_MIN_MILLIS = 2;
    private static final long POLL_MAX_MILLIS = 50;

    private final LockTable table;

    private FileEntryLocks(LockTable table) {
        this.table = table;
    }

    @Override
    public EntryLock tryAcquire(Path lockFile) throws IOException {
        LockFile file = table.tryLockThread(lockFile);
        if (file == null) {
            return null;
        }
        boolean acquired = false;
        try {
            FileLock osLock = file.tryLockFile();
            acquired = osLock != null;
            return acquired ? new EntryLock(table, file, osLock) : null;
        } finally {
            if (!acquired) {
                table.unlockThread(file);
            }
        }
    }

    @Override
    public EntryLock acquire(Path lockFile, Duration timeout, WaitObserver observer)
            throws IOException, InterruptedException, TimeoutException {
        Waiting waiting = new Waiting(timeout, observer);
        LockFile file = table.lockThread(lockFile, waiting);
        boolean acquired = false;
        try {
            EntryLock lock = new EntryLock(table, file, lockFile(file, waiting));
            acquired = true;
            return lock;
        } finally {
            if (!acquired) {
                table.unlockThread(file);
            }
        }
    }

    /** Polls the OS lock, with a backoff from 2 to 50 ms; the caller holds the thread lock. */
    private static FileLock lockFile(LockFile file, Waiting waiting)
            throws IOException, InterruptedException, TimeoutException {
        long pause = POLL_MIN_MILLIS;
        while (true) {
            FileLock osLock = file.tryLockFile();
            if (osLock != null) {
                return osLock;
            }
            waiting.tick();
            Thread.sleep(pause);
            pause = Math.min(pause * 2, POLL_MAX_MILLIS);
        }
    }

    @Override
    public boolean excludesOtherProcesses() {
        return true;
    }
}
