package dev.hoard.internal.lima;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Lima's lock on a cache entry: {@code flock(2)} with {@code LOCK_EX} on the entry directory itself, as
 * {@code pkg/lockutil} takes it. Java's own {@code FileChannel.lock} is {@code fcntl} on Linux, which does not exclude
 * {@code flock}, and Java cannot open a directory for writing; so the lock is taken through the FFM API, final in
 * Java 22.
 *
 * <p>This is the Java 21 version, which only says so: the one that locks is in {@code META-INF/versions/22} of the
 * multi-release jar ({@code src/main/java22}), and the JVM picks it from Java 22 on. Nothing else in hoard needs it.
 */
public final class DirectoryLock implements AutoCloseable {

    private DirectoryLock() {
    }

    /** Throws the reason {@code hoard lima} cannot lock here, if there is one; returns on a JVM that can. */
    public static void checkSupported() throws IOException {
        throw new IOException("hoard lima needs Java 22 or newer (running on " + Runtime.version() + "): it takes "
                + "Lima's lock with flock(2) through the FFM API. The rest of hoard runs on 21");
    }

    /**
     * Takes the lock on {@code dir}, waiting as long as another process holds it.
     *
     * @param onWait run once, before the first wait, if the lock is held
     */
    public static DirectoryLock acquire(Path dir, Runnable onWait) throws IOException, InterruptedException {
        checkSupported();
        throw new AssertionError("unreachable");
    }

    /** Takes the lock on {@code dir} if it is free, else returns null. */
    public static DirectoryLock tryAcquire(Path dir) throws IOException {
        checkSupported();
        throw new AssertionError("unreachable");
    }

    @Override
    public void close() {
    }
}
