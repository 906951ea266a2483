package dev.hoard.internal.lock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Entry locks that exclude the threads of this JVM only: the same thread locks {@link FileEntryLocks} takes first,
 * without the OS file lock. For mounts where file locks silently do nothing or fail; the lock file is not even
 * opened. Other processes are not excluded, so a fetch must not take their partial downloads for a dead holder's.
 */
final class ThreadEntryLocks implements EntryLocks {
    static final ThreadEntryLocks JVM_WIDE = new ThreadEntryLocks(LockTable.JVM_WIDE);

    private final LockTable table;

    private ThreadEntryLocks(LockTable table) {
        this.table = table;
    }

    @Override
    public EntryLock tryAcquire(Path lockFile) {
        LockFile file = table.tryLockThread(lockFile);
        return file == null ? null : new EntryLock(table, file, null);
    }

    @Override
    public EntryLock acquire(Path lockFile, Duration timeout, WaitObserver observer)
            throws InterruptedException, TimeoutException {
        return new EntryLock(table, table.lockThread(lockFile, new Waiting(timeout, observer)), null);
    }

    @Override
    public boolean excludesOtherProcesses() {
        return false;
    }
}
