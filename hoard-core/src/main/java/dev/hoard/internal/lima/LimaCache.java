package dev.hoard.internal.lima;

import dev.hoard.Digest;
import dev.hoard.internal.digest.FileHash;
import dev.hoard.internal.store.AtomicFiles;
import dev.hoard.internal.store.KeyHash;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lima's download cache, as {@code pkg/downloader} lays it out and reads it.
 *
 * <pre>
 * &lt;root&gt;/download/by-url-sha256/&lt;hex SHA-256 of the URL string&gt;/   mode 0700; Lima's lock is flock on it
 *     url            the URL, no newline
 *     data           the file (renamed from data.tmp.&lt;pid&gt;.&lt;n&gt; after fsync)
 *     sha256.digest  "sha256:&lt;hex&gt;", when the template gave a digest (the algorithm names the file)
 *     time           the Last-Modified header as the server sent it
 *     type           the Content-Type header
 * </pre>
 *
 * <p>hoard writes {@code data} as a hard link to its own blob when both caches are on one file system (the bytes are
 * stored once; a hoard blob is never written in place, so the link can never change under Lima), else as a copy
 * through {@code data.tmp.<pid>.<n>}, fsync and rename, the way Lima does. The small files are written through a
 * temp file and a rename too. Every write happens under Lima's lock ({@link DirectoryLock}) on the entry.
 *
 * <p>{@code data.tmp.*} files are left alone, whoever left them: one may belong to a {@code limactl} that is writing
 * it now, and {@code limactl prune} removes the whole cache anyway.
 */
public final class LimaCache {
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();

    private final Path root;

    public LimaCache(Path root) {
        this.root = root;
    }

    /**
     * Lima's cache root: Go's {@code os.UserCacheDir()} + {@code /lima}, from {@code env}: {@code $XDG_CACHE_HOME}
     * or {@code $HOME/.cache} on Linux, {@code ~/Library/Caches} on macOS, {@code %LocalAppData%} on Windows.
     */
    public static Path defaultRoot(Map<String, String> env) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        if (os.startsWith("windows")) {
            String local = env.get("LocalAppData");
            return (local != null ? Path.of(local) : Path.of(home, "AppData", "Local")).resolve("lima");
        }
        if (os.contains("mac")) {
            return Path.of(home, "Library", "Caches", "lima");
        }
        String xdg = env.get("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(home, ".cache")).resolve("lima");
    }

    public Path root() {
        return root;
    }

    /** The entry directory of {@code url} (the exact string: Lima hashes it as written in the template). */
    public Path entry(String url) {
        return root.resolve("download").resolve("by-url-sha256").resolve(KeyHash.sha256Hex(url));
    }

    /** Creates the entry directory, mode 0700 as Lima makes it, and its parents. */
    public Path createEntry(String url) throws IOException {
        Path entry = entry(url);
        Files.createDirectories(entry.getParent());
        try {
            Files.createDirectory(entry, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
        } catch (FileAlreadyExistsException e) {
            // Lima or an earlier run made it
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(entry);
        }
        return entry;
    }

    /**
     * Lima's hit rule ({@code getCached}) for an entry: {@code data} exists, and with an expected digest
     * {@code <algo>.digest} says exactly that digest, or else {@code data} hashes to it; without one, {@code time}
     * equals the server's Last-Modified (which must be known: an empty one proves nothing).
     */
    public static boolean isHit(Path entry, Digest expected, String serverLastModified) throws IOException {
        Path data = entry.resolve("data");
        if (!Files.isRegularFile(data)) {
            return false;
        }
        if (expected != null) {
            String recorded = read(digestFile(entry, expected));
            return expected.toString().equals(recorded == null ? null : recorded.strip())
                    || expected.equals(FileHash.of(data, expected.algorithm()));
        }
        String time = read(entry.resolve("time"));
        return serverLastModified != null && !serverLastModified.isEmpty() && serverLastModified.equals(time);
    }

    /** How {@link #write} placed {@code data}. */
    public enum Placement {
        LINKED, COPIED
    }

    /**
     * Writes the entry as Lima would after a download: {@code url}, {@code data} from {@code blob},
     * {@code <algo>.digest} when {@code digest} is given (other algorithms' digest files, describing an older
     * {@code data}, are removed), {@code time} and {@code type}. Call it holding the entry's lock.
     */
    public static Placement write(Path entry, String url, Path blob, Digest digest, String lastModified,
            String contentType) throws IOException {
        AtomicFiles.writeString(entry.resolve("url"), url);
        Placement placement = placeData(entry, blob);
        try (var files = Files.newDirectoryStream(entry, "*.digest")) {
            for (Path stale : files) {
                if (digest == null || !stale.equals(digestFile(entry, digest))) {
                    Files.deleteIfExists(stale);
                }
            }
        }
        if (digest != null) {
            AtomicFiles.writeString(digestFile(entry, digest), digest.toString());
        }
        AtomicFiles.writeString(entry.resolve("time"), lastModified == null ? "" : lastModified);
        AtomicFiles.writeString(entry.resolve("type"), contentType == null ? "" : contentType);
        return placement;
    }

    /** {@code <algo>.digest}, e.g. {@code sha256.digest}. */
    public static Path digestFile(Path entry, Digest digest) {
        return entry.resolve(digest.algorithm().label() + ".digest");
    }

    /**
     * {@code data} as a hard link to {@code blob}, else a copy; either way through {@code data.tmp.<pid>.<n>} and a
     * rename, so that {@code data} is at every instant absent, the old file or the new one.
     */
    private static Placement placeData(Path entry, Path blob) throws IOException {
        Path temp = entry.resolve("data.tmp." + PID + "." + TEMP_COUNTER.incrementAndGet());
        Placement placement;
        try {
            try {
                Files.createLink(temp, blob);
                placement = Placement.LINKED;
            } catch (FileSystemException | UnsupportedOperationException e) {
                // another file system (EXDEV), or one without hard links: copy
                Files.deleteIfExists(temp);
                Files.copy(blob, temp, StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                placement = Placement.COPIED;
            }
            AtomicFiles.move(temp, entry.resolve("data"));
            return placement;
        } finally {
            Files.deleteIfExists(temp); // only this process's own temp file, gone already after the rename
        }
    }

    private static String read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }
}
