package dev.hoard.internal.lock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive per-entry locks that hold across threads and processes.
 *
 * <p><b>Two layers.</b> An OS file lock ({@link FileChannel#tryLock()}, i.e. {@code fcntl}/{@code LockFileEx})
 * excludes other processes and is released by the kernel when its process dies, so a crash never leaves a lock
 * behind. But Java file locks belong to the whole JVM, not to a thread, and closing <em>any</em> channel of a locked
 * file can release them. So each lock file has exactly one {@link LockFile} per JVM — one channel, opened here and
 * nowhere else — and an in-JVM {@link ReentrantLock} that threads take first. A thread holds an entry when it holds
 * both.
 *
 * <p><b>Lock order.</b> Thread lock, then file lock; released in reverse. A thread holds at most one entry lock at a
 * time (hoard never nests them), so the order cannot deadlock.
 *
 * <p><b>Waiting.</b> Both layers are polled ({@code tryLock} with a short timeout or backoff) rather than blocked
 * on, so a waiter can report progress, honour a timeout and respond to interrupts without closing the shared channel
 * (an interrupted blocking {@link FileChannel#lock()} would close it and drop other threads' locks).
 *
 * <p><b>Deleted lock files.</b> If a lock file is unlinked while locked (someone removes the cache), a new process
 * could lock a new file at the same path. After locking, the holder checks that the path still names the locked file
 * and starts over if not.
 *
 * <p>This class is JVM-wide: use {@link #jvmWide()} so that every {@code Hoard} in the JVM shares one table.
 */
public final class EntryLocks {
    private static final EntryLocks JVM_WIDE = new EntryLocks();
    private static final long POLL_MIN_MILLIS = 2;
    private static final long POLL_MAX_MILLIS = 50;
    private static final long REPORT_EVERY_MILLIS = 500;

    /** Guarded by {@link ConcurrentHashMap#compute}: a LockFile's {@code users} changes only inside compute. */
    private final ConcurrentHashMap<Path, LockFile> files = new ConcurrentHashMap<>();

    private EntryLocks() {
    }

    public static EntryLocks jvmWide() {
        return JVM_WIDE;
    }

    /** Called while a waiter waits, about every half second. */
    @FunctionalInterface
    public interface WaitObserver {
        void stillWaiting(Duration waited);
    }

    /**
     * Takes the lock if it is free right now; returns null if another thread or process holds it.
     *
     * @param fileLocks false to skip the OS file lock (only threads of this JVM are excluded)
     */
    public EntryLock tryAcquire(Path lockFile, boolean fileLocks) throws IOException {
        LockFile file = retain(lockFile);
        boolean acquired = false;
        try {
            if (!file.threadLock.tryLock()) {
                return null;
            }
            try {
                FileLock osLock = fileLocks ? file.tryLockFile() : null;
                if (!fileLocks) {
                    acquired = true;
                    return new EntryLock(this, file, null);
                }
                if (osLock != null) {
                    acquired = true;
                    return new EntryLock(this, file, osLock);
                }
                return null;
            } finally {
                if (!acquired) {
                    file.threadLock.unlock();
                }
            }
        } finally {
            if (!acquired) {
                release(file);
            }
        }
    }

    /**
     * Takes the lock, waiting as long as needed or until {@code timeout}.
     *
     * @param fileLocks false to skip the OS file lock (only threads of this JVM are excluded)
     * @param timeout   the longest wait, or null for no limit
     * @param observer  told periodically while waiting
     * @throws TimeoutException     if {@code timeout} passed first
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    public EntryLock acquire(Path lockFile, boolean fileLocks, Duration timeout, WaitObserver observer)
            throws IOException, InterruptedException, TimeoutException {
        Waiting waiting = new Waiting(timeout, observer);
        LockFile file = retain(lockFile);
        boolean acquired = false;
        try {
            while (!file.threadLock.tryLock(POLL_MAX_MILLIS, TimeUnit.MILLISECONDS)) {
                waiting.tick();
            }
            try {
                long pause = POLL_MIN_MILLIS;
                while (true) {
                    if (!fileLocks) {
                        acquired = true;
                        return new EntryLock(this, file, null);
                    }
                    FileLock osLock = file.tryLockFile();
                    if (osLock != null) {
                        acquired = true;
                        return new EntryLock(this, file, osLock);
                    }
                    waiting.tick();
                    Thread.sleep(pause);
                    pause = Math.min(pause * 2, POLL_MAX_MILLIS);
                }
            } finally {
                if (!acquired) {
                    file.threadLock.unlock();
                }
            }
        } finally {
            if (!acquired) {
                release(file);
            }
        }
    }

    private LockFile retain(Path lockFile) {
        Path key = lockFile.toAbsolutePath().normalize();
        return files.compute(key, (path, existing) -> {
            LockFile file = existing == null ? new LockFile(path) : existing;
            file.users++;
            return file;
        });
    }

    void release(LockFile file) {
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

    /** Tracks one waiter's clock: reports progress and enforces its timeout. */
    private static final class Waiting {
        private final long start = System.nanoTime();
        private final Duration timeout;
        private final WaitObserver observer;
        private long lastReport = start - TimeUnit.MILLISECONDS.toNanos(REPORT_EVERY_MILLIS);

        Waiting(Duration timeout, WaitObserver observer) {
            this.timeout = timeout;
            this.observer = Objects.requireNonNull(observer);
        }

        void tick() throws TimeoutException, InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            long now = System.nanoTime();
            Duration waited = Duration.ofNanos(now - start);
            if (timeout != null && waited.compareTo(timeout) >= 0) {
                throw new TimeoutException();
            }
            if (now - lastReport >= TimeUnit.MILLISECONDS.toNanos(REPORT_EVERY_MILLIS)) {
                lastReport = now;
                observer.stillWaiting(waited);
            }
        }
    }

    /** The JVM's single handle on one lock file. */
    static final class LockFile {
        final Path path;
        final ReentrantLock threadLock = new ReentrantLock();
        /** Threads using this handle; guarded by the table's compute. */
        int users;
        /** Opened lazily; guarded by threadLock (only the thread holding it touches the channel). */
        private FileChannel channel;
        /** The inode the channel was opened on (null where the platform has no file keys); guarded by threadLock. */
        private Object channelFileKey;

        LockFile(Path path) {
            this.path = path;
        }

        /** Tries the OS lock; the caller holds {@link #threadLock}. */
        FileLock tryLockFile() throws IOException {
            if (channel == null) {
                channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
                channelFileKey = fileKey(path);
            }
            FileLock lock = channel.tryLock();
            if (lock != null && !stillNamesLockedFile()) {
                lock.release();
                closeChannel(); // the file was unlinked; lock the new one at the same path next time
                return null;
            }
            return lock;
        }

        private boolean stillNamesLockedFile() throws IOException {
            try {
                return Objects.equals(channelFileKey, fileKey(path));
            } catch (NoSuchFileException e) {
                return false;
            }
        }

        private static Object fileKey(Path path) throws IOException {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        }

        void closeChannel() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing a lock file we no longer use cannot fail in a way that matters
                }
                channel = null;
            }
        }
    }
}
