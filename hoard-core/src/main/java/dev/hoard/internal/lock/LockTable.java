package dev.hoard.internal.lock;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The JVM's one table of lock files, shared by every {@link EntryLocks} implementation: per lock file, the
 * {@link LockFile} with the thread lock that threads take first and the one channel this JVM may open on it.
 *
 * <p>A lock file is in the table while threads hold or wait for it ({@code users}, a reference count), and leaves it,
 * its channel closed, with the last of them. Closing the channel earlier would drop the OS lock of whichever thread
 * holds it: Java file locks belong to the whole JVM.
 */
final class LockTable {
    static final LockTable JVM_WIDE = new LockTable();
    private static final long POLL_MILLIS = 50;

    /** Guarded by {@link ConcurrentHashMap#compute}: a LockFile's {@code users} changes only inside compute. */
    private final ConcurrentHashMap<Path, LockFile> files = new ConcurrentHashMap<>();

    /** The lock file with its thread lock taken, if no other thread holds it right now; else null. */
    LockFile tryLockThread(Path lockFile) {
        LockFile file = retain(lockFile);
        if (file.threadLock.tryLock()) {
            return file;
        }
        release(file);
        return null;
    }

    /**
     * The lock file with its thread lock taken, waiting as long as {@code waiting} allows. Polled, so that the waiter
     * is told of its wait and a timeout or an interrupt ends it.
     */
    LockFile lockThread(Path lockFile, Waiting waiting) throws InterruptedException, TimeoutException {
        LockFile file = retain(lockFile);
        boolean locked = false;
        try {
            while (!file.threadLock.tryLock(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                waiting.tick();
            }
            locked = true;
            return file;
        } finally {
            if (!locked) {
                release(file);
            }
        }
    }

    /** Releases the thread lock taken by {@link #tryLockThread} or {@link #lockThread}. */
    void unlockThread(LockFile file) {
        file.threadLock.unlock();
        release(file);
    }

    /** How many threads hold or wait for this lock file (0 when it is not in the table). For tests. */
    int users(Path lockFile) {
        LockFile file = files.get(key(lockFile));
        return file == null ? 0 : file.users;
    }

    private LockFile retain(Path lockFile) {
        return files.compute(key(lockFile), (path, existing) -> {
            LockFile file = existing == null ? new LockFile(path) : existing;
            file.users++;
            return file;
        });
    }

    private void release(LockFile file) {
        files.compute(file.path, (path, existing) -> {
            if (existing != file) {
                throw new IllegalStateException("lock table corrupted for " + path);
            }
            if (--file.users > 0) {
                return file;
            }
            file.closeChannel(); // no thread of this JVM holds or waits for the file lock now
            return null;
        });
    }

    private static Path key(Path lockFile) {
        return lockFile.toAbsolutePath().normalize();
    }
}
