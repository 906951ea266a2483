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
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JVM's single handle on one lock file: its thread lock and, once file locks are asked for, its one channel. Only
 * {@link LockTable} creates it, so there is never a second channel on the file in this JVM (closing any channel of a
 * locked file can release the JVM's lock on it).
 */
final class LockFile {
    final Path path;
    final ReentrantLock threadLock = new ReentrantLock();
    /** Threads holding or waiting for this lock file; guarded by the table's compute. */
    int users;
    /** Opened lazily; guarded by threadLock (only the thread holding it touches the channel). */
    private FileChannel channel;
    /** The inode the channel was opened on (null where the platform has no file keys); guarded by threadLock. */
    private Object channelFileKey;

    LockFile(Path path) {
        this.path = path;
    }

    /**
     * Tries the OS lock; the caller holds {@link #threadLock}. Creates the file if it is missing.
     *
     * <p>If the file was unlinked while this JVM had it open (someone removed the cache), a new process could lock a
     * new file at the same path, so a lock on the old one excludes no one: after locking, the path must still name
     * the locked file. If it does not, the lock is dropped and the channel closed, so that the next try locks the
     * file that is there now.
     */
    FileLock tryLockFile() throws IOException {
        if (channel == null) {
            channel = open(path);
            try {
                channelFileKey = fileKey(path);
            } catch (NoSuchFileException e) {
                closeChannel(); // removed by its holder as soon as it was opened: the next try opens the new one
                return null;
            }
        }
        FileLock lock = channel.tryLock();
        if (lock != null && !stillNamesLockedFile()) {
            lock.release();
            closeChannel();
            return null;
        }
        return lock;
    }

    /**
     * Opens the lock file, creating it, and its directory if that is gone: a holder whose download left nothing
     * removes both (CacheEntry.removeTracesOfFailure), and the next to lock the entry makes them again.
     */
    private static FileChannel open(Path path) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                if (attempt == 10) {
                    throw e; // removed again each time: something else is deleting it
                }
                Files.createDirectories(path.getParent());
            }
        }
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

    /** Closes the channel; called when no thread of this JVM holds or waits for the file lock. */
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
