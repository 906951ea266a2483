package dev.hoard.internal.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes that never leave a half-written file at the destination: every write goes to a uniquely named temp file in
 * the destination's directory and is renamed into place (rename(2) is atomic within a directory).
 */
public final class AtomicFiles {
    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicLong COUNTER = new AtomicLong();

    private AtomicFiles() {
    }

    /**
     * A temp path beside {@code target}, unique across processes and threads, starting with a dot so listings skip it.
     * The suffix {@code .tmp} marks it as garbage if its writer dies.
     */
    public static Path tempSibling(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + uniqueSuffix() + ".tmp");
    }

    /** {@code PID-N}: unique across the processes of one host and the calls of one process. */
    public static String uniqueSuffix() {
        return PID + "-" + COUNTER.incrementAndGet();
    }

    /** Writes {@code text} to {@code target} atomically, fsyncing the data before the rename. */
    public static void writeString(Path target, String text) throws IOException {
        Path temp = tempSibling(target);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            move(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Renames {@code source} onto {@code target} atomically, replacing it. */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + source + " to " + target
                    + " atomically; the cache and its files must be on one filesystem", e);
        }
    }

    /**
     * Flushes a directory's entries to disk, so a rename into it survives a power loss. Best effort: some platforms
     * cannot open a directory for sync.
     */
    public static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows and some filesystems refuse; the rename itself is still atomic.
        }
    }
}
