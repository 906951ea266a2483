package dev.hoard.internal.lima;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Lima's lock on a cache entry: {@code flock(2)} with {@code LOCK_EX} on the entry directory, opened read-only, as
 * Lima's {@code pkg/lockutil} takes it on Unix. The Java 22+ version (FFM); the Java 21 one only says it needs this.
 *
 * <p>A waiter polls {@code LOCK_EX|LOCK_NB} every {@value #POLL_MILLIS} ms instead of blocking in {@code flock}: a
 * thread blocked in a native call cannot be interrupted, and Ctrl-C or a failed sibling must be able to stop it. The
 * kernel releases the lock when the holder's descriptor closes, also when the process dies, so no lock is ever left
 * behind. A {@code flock} lock belongs to the open file description, not the thread: two threads of this JVM that
 * open the directory separately exclude each other, as two processes do.
 *
 * <p>Windows (Lima's {@code LockFileEx} on {@code <entry>.lock}) is not written yet: {@link #checkSupported()} says
 * so there.
 */
public final class DirectoryLock implements AutoCloseable {
    private static final long POLL_MILLIS = 50;
    private static final int O_RDONLY = 0;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int EINTR = 4;
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT)
            .startsWith("windows");
    private static final boolean MAC = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac");
    /** EWOULDBLOCK (= EAGAIN): 11 on Linux, 35 on macOS and the BSDs. */
    private static final int EWOULDBLOCK = MAC ? 35 : 11;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN;
    private static final MethodHandle FLOCK;
    private static final MethodHandle CLOSE;

    static {
        if (WINDOWS) {
            OPEN = null;
            FLOCK = null;
            CLOSE = null;
        } else {
            Linker.Option errno = Linker.Option.captureCallState("errno");
            // int open(const char *path, int flags, ...): called as a variadic function with mode 0
            OPEN = downcall("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno, Linker.Option.firstVariadicArg(2));
            FLOCK = downcall("flock", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT), errno);
            CLOSE = downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        }
    }

    /**
     * A handle on a C library function. Restricted: the JVM warns once unless native access is enabled, which
     * hoard.jar's manifest, ./hoard and the test JVMs do ({@code --enable-native-access=ALL-UNNAMED}).
     */
    @SuppressWarnings("restricted")
    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(), descriptor, options);
    }

    private final Path dir;
    private int fd;

    private DirectoryLock(Path dir, int fd) {
        this.dir = dir;
        this.fd = fd;
    }

    /** Throws the reason {@code hoard lima} cannot lock here, if there is one; returns on a JVM that can. */
    public static void checkSupported() throws IOException {
        if (WINDOWS) {
            throw new IOException("hoard lima is not supported on Windows yet (Lima locks there with LockFileEx "
                    + "on <entry>.lock, which hoard does not take)");
        }
    }

    /**
     * Takes the lock on {@code dir}, waiting as long as another process holds it.
     *
     * @param onWait run once, before the first wait, if the lock is held
     * @throws InterruptedException this thread was interrupted while waiting; the lock is not held
     */
    public static DirectoryLock acquire(Path dir, Runnable onWait) throws IOException, InterruptedException {
        int fd = open(dir);
        boolean waited = false;
        try {
            while (!tryFlock(dir, fd)) {
                if (!waited) {
                    onWait.run();
                    waited = true;
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close(fd);
            throw e;
        }
        return new DirectoryLock(dir, fd);
    }

    /** Takes the lock on {@code dir} if it is free, else returns null. */
    public static DirectoryLock tryAcquire(Path dir) throws IOException {
        int fd = open(dir);
        try {
            if (tryFlock(dir, fd)) {
                return new DirectoryLock(dir, fd);
            }
        } catch (IOException | RuntimeException e) {
            close(fd);
            throw e;
        }
        close(fd);
        return null;
    }

    /** Releases the lock: closing the descriptor drops it. */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            close(fd);
            fd = -1;
        }
    }

    @Override
    public String toString() {
        return "flock on " + dir;
    }

    private static int open(Path dir) throws IOException {
        checkSupported();
        if (!Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir.toString());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment path = arena.allocateFrom(dir.toAbsolutePath().toString());
            int fd;
            do {
                fd = (int) OPEN.invokeExact(state, path, O_RDONLY, 0);
            } while (fd < 0 && errno(state) == EINTR);
            if (fd < 0) {
                throw new IOException(dir + ": cannot open the directory to lock it (errno " + errno(state) + ")");
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** One {@code flock(fd, LOCK_EX|LOCK_NB)}: true if taken, false if another holds it. */
    private static boolean tryFlock(Path dir, int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                int rc = (int) FLOCK.invokeExact(state, fd, LOCK_EX | LOCK_NB);
                if (rc == 0) {
                    return true;
                }
                int errno = errno(state);
                if (errno == EWOULDBLOCK) {
                    return false;
                }
                if (errno != EINTR) {
                    throw new IOException(dir + ": flock failed (errno " + errno + ")");
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static void close(int fd) {
        try {
            int rc = (int) CLOSE.invokeExact(fd);
            assert rc == 0 || rc == -1;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
