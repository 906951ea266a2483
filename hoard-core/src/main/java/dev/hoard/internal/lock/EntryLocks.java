package dev.hoard.internal.lock;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Exclusive per-entry locks, one per lock file ({@code entries/<key>/lock}): while a thread holds an entry, no other
 * thread of this JVM holds it, nor, where {@link #excludesOtherProcesses()}, any other process.
 *
 * <pre>{@code
 * EntryLock lock = locks.tryAcquire(entry.lockFile()); // null: busy, skip it
 *
 * try (EntryLock lock = locks.acquire(entry.lockFile(), timeout, waited -> report(waited))) {
 *     // look again, download, publish
 * }
 * }</pre>
 *
 * <p><b>Two implementations,</b> chosen once when a cache is opened (from {@code HoardOptions.fileLocks()}) and used
 * by every fetch and management command on it: {@link #withFileLocks()}, an OS file lock behind the JVM's thread
 * lock, which excludes threads and processes; and {@link #threadsOnly()}, the thread lock alone, for mounts where OS
 * file locks silently do nothing or fail (some NFS, Lustre, CIFS setups), where the worst case is a duplicate
 * download.
 *
 * <p><b>One table per JVM, shared by both.</b> Each lock file has one in-JVM thread lock and at most one open channel
 * per JVM ({@link LockTable}), whichever implementation takes it and however many caches are open. So two caches
 * opened in one JVM on the same directory exclude each other's threads even when one has file locks and the other
 * not: both take the same thread lock first. Across processes only file locks exclude: a process with them and one
 * without do not exclude each other, as two processes without them do not.
 *
 * <p><b>Lock order and waiting.</b> Thread lock, then file lock; released in reverse. A thread holds at most one
 * entry lock at a time (hoard never nests them), so the order cannot deadlock. Both layers are polled, never blocked
 * on, so a waiter reports progress about twice a second, honours its timeout and stays interruptible.
 */
public interface EntryLocks {

    /** OS file locks behind the JVM's thread locks: excludes other threads and other processes. */
    static EntryLocks withFileLocks() {
        return FileEntryLocks.JVM_WIDE;
    }

    /** The JVM's thread locks alone: excludes other threads of this JVM, not other processes. */
    static EntryLocks threadsOnly() {
        return ThreadEntryLocks.JVM_WIDE;
    }

    /** Called while a waiter waits, about every half second. */
    @FunctionalInterface
    interface WaitObserver {
        void stillWaiting(Duration waited);
    }

    /** Takes the lock if it is free right now; returns null if another thread (or process) holds it. */
    EntryLock tryAcquire(Path lockFile) throws IOException;

    /**
     * Takes the lock, waiting as long as needed or until {@code timeout}.
     *
     * @param timeout  the longest wait, or null for no limit
     * @param observer told periodically while waiting
     * @throws TimeoutException     if {@code timeout} passed first; nothing is held
     * @throws InterruptedException if the thread was interrupted while waiting; nothing is held
     */
    EntryLock acquire(Path lockFile, Duration timeout, WaitObserver observer)
            throws IOException, InterruptedException, TimeoutException;

    /**
     * Whether holding an entry also keeps every other process out. Only then may a holder treat a partial download
     * that no one holds as a dead holder's, to adopt or delete; without it, that file may be a live process's
     * download on another host, and a holder must verify what it wrote by reading it back.
     */
    boolean excludesOtherProcesses();
}
