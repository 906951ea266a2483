package dev.hoard.internal.store;

import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import dev.hoard.internal.auth.UserInfo;
import dev.hoard.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The cache directory on disk. The layout, its format version and its crash recovery are documented in
 * docs/cache-layout.md; in short:
 *
 * <pre>
 * ROOT/hoard-cache.json          {"format": 1}
 * ROOT/blobs/HEX                 complete content, named by its SHA-256; immutable
 * ROOT/blobs/.partial-KEY.PID-N  the download in progress for entry KEY, by its lock holder PID
 * ROOT/blobs/.*.tmp              temp files of atomic writes; garbage if their writer died
 * ROOT/aliases/sha512/HEX        "sha256:HEX" of the blob whose SHA-512 is HEX (verified once)
 * ROOT/entries/KEY/              one URL's entry; KEY = SHA-256 of the URL without user:password@
 *        lock                    the entry's lock file; deleted only by its holder, with the emptied entry
 *        meta.json               EntryMetadata
 *        owner.json              HolderRecord: who holds the lock now, its partial, the URL; stale once it is free
 *        partial.json            PartialRecord: what the resumable partial holds; absent when there is none
 *        used                    its mtime is the entry's last use (updated at most hourly)
 * </pre>
 */
public final class CacheStore {
    public static final int FORMAT = 1;
    private static final String FORMAT_FILE = "hoard-cache.json";

    private final Path root;
    private final Path blobs;
    private final Path entries;
    private final Path sha512Aliases;

    private CacheStore(Path root) {
        this.root = root;
        this.blobs = root.resolve("blobs");
        this.entries = root.resolve("entries");
        this.sha512Aliases = root.resolve("aliases").resolve("sha512");
    }

    /**
     * Opens (creating if needed) the cache at {@code root}.
     *
     * @throws IOException if the directory cannot be created or holds a cache of another format
     */
    public static CacheStore open(Path root) throws IOException {
        return open(root, true);
    }

    /**
     * Opens the cache at {@code root}; with {@code create}, makes it if there is none.
     *
     * @throws IllegalArgumentException if {@code root} is the empty path (which would mean the working directory)
     * @throws NoSuchFileException      without {@code create}, naming {@code root}, if it holds no cache
     * @throws IOException              if the directory cannot be created or holds a cache of another format
     */
    public static CacheStore open(Path root, boolean create) throws IOException {
        if (root.toString().isEmpty()) {
            throw new IllegalArgumentException("the cache directory is empty: name a directory");
        }
        CacheStore store = new CacheStore(root.toAbsolutePath().normalize());
        if (!create && !store.exists()) {
            throw new NoSuchFileException(store.root.toString(), null,
                    "holds no hoard cache (no " + FORMAT_FILE + ", blobs or entries); nothing was changed");
        }
        store.checkFormat(create);
        return store;
    }

    /** Whether the root holds anything of a cache, even a damaged one. */
    private boolean exists() {
        return Stream.of(root.resolve(FORMAT_FILE), blobs, entries)
                .anyMatch(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS));
    }

    public Path root() {
        return root;
    }

    public Path blobs() {
        return blobs;
    }

    public Path entries() {
        return entries;
    }

    /**
     * The entry of {@code url}; nothing is created on disk until it is locked. Its key is that of the URL without its
     * user information: a file fetched with {@code user:password@} and without is one entry, and no password is
     * recorded (a request's URL has none already; this is for {@code rm} and {@code verify} given one).
     */
    public CacheEntry entry(URI url) {
        URI bare = url.getRawUserInfo() == null ? url : UserInfo.strip(url);
        String key = sha256Hex(bare.toString());
        return new CacheEntry(bare, key, entries.resolve(key), blobs);
    }

    /**
     * The lock that repairs of damaged lock files and directories take ({@code entries/.repair.lock}), so that two
     * never race; held for microseconds, and never while an entry lock is held (the lock order of a thread that holds
     * one entry lock at a time is kept). See {@link CacheEntry#repair()}.
     */
    public Path repairLock() {
        return entries.resolve(".repair.lock");
    }

    /** The path a blob with this SHA-256 has, whether or not it exists. */
    public Path blobPath(Digest sha256) {
        if (sha256.algorithm() != DigestAlgorithm.SHA256) {
            throw new IllegalArgumentException("blobs are named by sha256, not " + sha256.algorithm().label());
        }
        return blobs.resolve(sha256.hex());
    }

    /** The stored blob whose content has {@code digest}, if there is one. Touches no network and hashes nothing. */
    public Optional<Path> findBlob(Digest digest) throws IOException {
        Digest sha256 = digest.algorithm() == DigestAlgorithm.SHA256 ? digest : readAlias(digest).orElse(null);
        if (sha256 == null) {
            return Optional.empty();
        }
        Path blob = blobPath(sha256);
        return Files.isRegularFile(blob, LinkOption.NOFOLLOW_LINKS) ? Optional.of(blob) : Optional.empty();
    }

    /** The size of the blob with this SHA-256, or -1 if there is none: one stat, not following links. */
    public long blobSize(Digest sha256) throws IOException {
        BasicFileAttributes attributes = attributesOf(blobPath(sha256));
        return attributes == null || !attributes.isRegularFile() ? -1 : attributes.size();
    }

    /**
     * Publishes a complete, verified file as the blob named by its SHA-256. If an identical blob exists (the same
     * bytes came from another URL), the file is dropped and the existing blob serves both; one of another size is
     * damaged, and replaced (a reader that has it open keeps reading what it had).
     *
     * @param size     the file's size
     * @param verified an expected digest the content was checked against; a SHA-512 one is remembered as an alias
     */
    public Path publishBlob(Path complete, Digest sha256, long size, Digest verified) throws IOException {
        Path blob = blobPath(sha256);
        if (blobSize(sha256) == size) {
            Files.delete(complete);
        } else {
            AtomicFiles.move(complete, blob);
            AtomicFiles.syncDirectory(blobs);
        }
        if (verified != null && verified.algorithm() != DigestAlgorithm.SHA256) {
            Files.createDirectories(sha512Aliases);
            AtomicFiles.writeString(sha512Aliases.resolve(verified.hex()), sha256 + "\n");
        }
        return blob;
    }

    /**
     * The keys of every entry in {@code entries/}, in no particular order, also of those an outside hand replaced
     * with a symlink or a file ({@link CacheEntry#damage()} says so); none if {@code entries/} is not a directory
     * ({@link #layoutDamage()}). For the management commands.
     */
    public List<String> entryKeys() throws IOException {
        List<String> keys = new ArrayList<>();
        if (Damage.ofDirectory(entries) != null) {
            return keys;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(entries)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (isSha256Hex(name)) {
                    keys.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            // removed since the cache was opened: no entries
        }
        return keys;
    }

    /**
     * The entry with this key, for callers that walk {@code entries/} rather than start from a URL; it learns its URL
     * from its files ({@link CacheEntry#recordedUrl}).
     */
    public CacheEntry entryByKey(String key) {
        return new CacheEntry(null, key, entries.resolve(key), blobs);
    }

    /** Reads {@code blobs/} once: every blob and every partial download, with sizes and times. */
    public BlobScan scanBlobs() throws IOException {
        List<BlobScan.Blob> found = new ArrayList<>();
        List<BlobScan.Partial> partials = new ArrayList<>();
        if (Damage.ofDirectory(blobs) != null) {
            return new BlobScan(found, partials); // reported by layoutDamage()
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(blobs)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                BasicFileAttributes attributes = attributesOf(file);
                if (attributes == null || !attributes.isRegularFile()) {
                    continue;
                }
                Instant modified = attributes.lastModifiedTime().toInstant();
                String partialKey = partialKey(name);
                if (isSha256Hex(name)) {
                    found.add(new BlobScan.Blob(Digest.sha256(name), file, attributes.size(), modified));
                } else if (partialKey != null) {
                    partials.add(new BlobScan.Partial(partialKey, file, attributes.size(), modified));
                }
            }
        }
        return new BlobScan(found, partials);
    }

    /**
     * The temp files of atomic writes outside the entry directories: in the root, {@code blobs/} and
     * {@code aliases/sha512/}. Their writers hold no entry lock that would tell whether they are still alive.
     */
    public List<Path> tempFilesOutsideEntries() throws IOException {
        List<Path> temps = new ArrayList<>();
        for (Path dir : List.of(root, blobs, sha512Aliases)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*.tmp")) {
                files.forEach(temps::add);
            }
        }
        return temps;
    }

    /**
     * Deletes the blob with this SHA-256 and returns the bytes freed (0 if it was already gone). A process that has
     * it open keeps reading it: unlinking a file does not touch an open inode.
     */
    public long deleteBlob(Digest sha256) throws IOException {
        Path blob = blobPath(sha256);
        BasicFileAttributes attributes = attributesOf(blob);
        if (attributes == null || !attributes.isRegularFile() || !Files.deleteIfExists(blob)) {
            return 0;
        }
        return attributes.size();
    }

    /** Deletes SHA-512 aliases whose blob is gone, so they cannot outlive what they point at for long. */
    public void deleteDanglingAliases() throws IOException {
        if (!Files.isDirectory(sha512Aliases, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> aliases = Files.newDirectoryStream(sha512Aliases)) {
            for (Path alias : aliases) {
                String name = alias.getFileName().toString();
                if (name.startsWith(".")) {
                    continue; // a temp file of a writer in progress
                }
                Digest sha512;
                try {
                    sha512 = new Digest(DigestAlgorithm.SHA512, name);
                } catch (IllegalArgumentException e) {
                    continue; // not named by a SHA-512: not ours, leave it
                }
                if (!sha512.hex().equals(name)) {
                    continue;
                }
                Optional<Digest> target = readAlias(sha512);
                if (target.isEmpty() || !Files.exists(blobPath(target.get()), LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(alias);
                }
            }
        }
    }

    private static BasicFileAttributes attributesOf(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null; // removed since it was listed
        }
    }

    /** The entry key in a partial file's name, {@code .partial-<key>} or {@code .partial-<key>.<anything>}. */
    static String partialKey(String name) {
        String prefix = ".partial-";
        int end = prefix.length() + 64;
        if (!name.startsWith(prefix) || name.length() < end
                || name.length() > end && name.charAt(end) != '.') {
            return null;
        }
        String key = name.substring(prefix.length(), end);
        return isSha256Hex(key) ? key : null;
    }

    static boolean isSha256Hex(String name) {
        if (name.length() != 64) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private Optional<Digest> readAlias(Digest digest) throws IOException {
        try {
            String text = Files.readString(sha512Aliases.resolve(digest.hex()), StandardCharsets.UTF_8).trim();
            return Optional.of(Digest.parse(text));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // a corrupt alias is a miss; the next verified download rewrites it
        }
    }

    /**
     * Reads the format file, refusing another format. One that is torn, not UTF-8, unreadable, or a directory or a
     * symlink in its place is rewritten: every writer writes the same content, so nothing can be lost. Then makes
     * {@code blobs/} and {@code entries/} if they are missing; one that is not a directory is reported
     * ({@link #layoutDamage()}), and refused when the cache is opened to fetch into.
     */
    private void checkFormat(boolean fetching) throws IOException {
        Path formatFile = root.resolve(FORMAT_FILE);
        Object format = readFormat(formatFile);
        if (format != null && !Long.valueOf(FORMAT).equals(format)) {
            throw new IOException("the cache at " + root + " has format " + format + ", this hoard reads format "
                    + FORMAT + "; use another cache directory or a matching hoard version");
        }
        Files.createDirectories(root);
        for (Path dir : List.of(blobs, entries)) {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir);
            } else if (fetching && Damage.ofDirectory(dir) != null) {
                throw new IOException(Damage.ofDirectory(dir) + ": the cache is damaged and cannot store files; "
                        + "pruning all of it repairs it");
            }
        }
        if (format == null) {
            if (Damage.ofFile(formatFile) != null) {
                Damage.remove(formatFile);
            }
            AtomicFiles.writeString(formatFile, Json.write(Map.of("format", FORMAT)));
        }
    }

    /** The format the format file names, or null if there is none or it cannot be read (then it is rewritten). */
    private static Object readFormat(Path formatFile) {
        try (InputStream in = Files.newInputStream(formatFile, LinkOption.NOFOLLOW_LINKS)) {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(in.readNBytes(4096))).toString();
            return Json.parseObject(text).get("format");
        } catch (IOException | IllegalArgumentException e) {
            return null; // absent, torn, not UTF-8, a directory or symlink in its place, or unreadable
        }
    }

    /**
     * What is wrong with the cache's layout, naming the path: {@code blobs/} or {@code entries/} is not a directory.
     * Empty for a sound cache.
     */
    public List<String> layoutDamage() {
        return Stream.of(blobs, entries).map(Damage::ofDirectory).filter(Objects::nonNull).toList();
    }

    /** {@code blobs/} and {@code entries/}, those of them that are not directories. */
    public List<Path> damagedDirectories() {
        return Stream.of(blobs, entries).filter(dir -> Damage.ofDirectory(dir) != null).toList();
    }

    /**
     * Replaces a {@code blobs/} or {@code entries/} that is not a directory (a file, a symlink, never followed) with
     * an empty directory: for pruning everything, which leaves an empty, working cache. Returns what was replaced.
     */
    public List<String> repairLayout() throws IOException {
        List<String> repaired = new ArrayList<>();
        for (Path dir : List.of(blobs, entries)) {
            String damage = Damage.ofDirectory(dir);
            if (damage != null) {
                Damage.remove(dir);
                Files.createDirectories(dir);
                repaired.add(damage);
            }
        }
        return repaired;
    }

    static String sha256Hex(String text) {
        return KeyHash.sha256Hex(text); // not MessageDigest: see KeyHash
    }
}
