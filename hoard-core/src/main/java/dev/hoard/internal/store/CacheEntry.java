package dev.hoard.internal.store;

import dev.hoard.LockHolder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * One entry directory, {@code entries/<key>/}, and its partial downloads in {@code blobs/} (the files are described
 * in docs/cache-layout.md). A fetch meets an entry by its URL ({@link CacheStore#entry(URI)}); the management
 * commands meet it by its key while walking {@code entries/} ({@link CacheStore#entryByKey}) and learn its URL from
 * what the entry recorded ({@link #recordedUrl}).
 *
 * <p>Reads take no lock and see a snapshot: every file is replaced only by rename. Writes and removals
 * ({@link #writeMetadata}, {@link #writeHolder}, the partial file, {@code partial.json}, the {@code remove...}
 * methods) are made only by the holder of the entry's lock: while it holds the lock no other process writes these
 * files. Only {@link #removeTracesOfFailure} and {@link #removeIfEmpty} delete the lock file, and only the holder's
 * own, of an entry that holds nothing else (see "Lock files" in the layout document).
 *
 * <p><b>Damage from outside.</b> What an outside hand put in place of the entry's files (a symlink, a directory,
 * garbage) is described by {@link #damage()} with its path, never followed, and taken away by {@link #repair()} (the
 * directory and the lock file, under the cache's repair lock) or {@link #removeDamagedFiles()} (the rest, under the
 * entry lock).
 */
public final class CacheEntry {
    /** Last use is recorded at this granularity so that hits do not write to disk each time. */
    static final Duration USE_GRANULARITY = Duration.ofHours(1);

    /** The URL the entry was met by, or null for an entry met by its key. */
    private final URI url;
    private final String key;
    private final Path dir;
    private final Path blobs;

    CacheEntry(URI url, String key, Path dir, Path blobs) {
        this.url = url;
        this.key = key;
        this.dir = dir;
        this.blobs = blobs;
    }

    public String key() {
        return key;
    }

    public Path dir() {
        return dir;
    }

    public Path lockFile() {
        return dir.resolve("lock");
    }

    /** Creates the entry's directory (before locking, or when an outside hand removed it), so its lock can be taken. */
    public void create() throws IOException {
        Files.createDirectories(dir);
    }


    /**
     * The entry's metadata, or empty when there is none, it cannot be read as metadata, or it names another URL (one
     * whose key is not this entry's). A corrupt file is treated as a miss: the next download replaces it.
     */
    public Optional<EntryMetadata> readMetadata() throws IOException {
        return EntryMetadata.read(metadataFile()).filter(metadata -> isOurs(metadata.url()));
    }

    /**
     * The entry's metadata as {@link #readMetadata()} finds it, and if {@code meta.json} is there but not usable, why
     * (naming its path): for a fetch to warn that it downloads again, and for the management commands to report it.
     */
    public EntryMetadata.Found inspectMetadata() {
        EntryMetadata.Found found = EntryMetadata.inspect(metadataFile());
        if (found.metadata().isPresent() && !isOurs(found.metadata().get().url())) {
            return new EntryMetadata.Found(Optional.empty(), metadataFile() + " is the metadata of another URL, "
                    + found.metadata().get().url());
        }
        return found;
    }

    /**
     * What an outside hand broke in this entry, naming the path, or empty: the directory is a symlink or a file, or
     * its lock file or {@code meta.json} is not a regular file, or {@code meta.json} is not this entry's metadata.
     */
    public Optional<String> damage() {
        String problem = Damage.ofDirectory(dir);
        if (problem == null) {
            problem = Damage.ofFile(lockFile());
        }
        if (problem == null) {
            problem = inspectMetadata().damage();
        }
        return Optional.ofNullable(problem);
    }

    /** Why the entry's directory is not one (a symlink, which is never followed, or a file), or null. */
    public String directoryDamage() {
        return Damage.ofDirectory(dir);
    }

    /** Why the entry's lock file is not a regular file (a symlink or a directory in its place), or null. */
    public String lockDamage() {
        return Damage.ofFile(lockFile());
    }

    /**
     * Takes away a symlink or file found in place of the entry's directory (never following it), or a symlink or
     * directory in place of its lock file, so that the entry can be locked again. No one can hold a lock on such a
     * thing, so no download is disturbed; the caller holds the cache's repair lock ({@link CacheStore#repairLock()}),
     * so that two repairs never race (one could otherwise remove the lock file the other just made and someone
     * locked). Returns what was taken away, or null if nothing was damaged.
     */
    public String repair() throws IOException {
        String problem = directoryDamage();
        if (problem != null) {
            Damage.remove(dir);
            return problem;
        }
        problem = lockDamage();
        if (problem != null) {
            Damage.remove(lockFile());
        }
        return problem;
    }

    /**
     * Removes the entry's own files that an outside hand replaced with a directory or a symlink, which would make
     * writing them fail (a rename cannot replace a directory) or be read through. The caller holds the entry lock.
     */
    public void removeDamagedFiles() throws IOException {
        for (Path file : List.of(metadataFile(), holderFile(), partialRecordFile(), segmentProgressFile(),
                usedMarker())) {
            if (Damage.ofFile(file) != null) {
                Damage.remove(file);
            }
        }
    }

    public void writeMetadata(EntryMetadata metadata) throws IOException {
        AtomicFiles.writeString(metadataFile(), metadata.toJson());
    }

    /**
     * The entry's URL as recorded by its metadata, or else by its last lock holder ({@code owner.json}) or its
     * resumable partial ({@code partial.json}): an entry that is still downloading has no metadata yet.
     */
    public Optional<URI> recordedUrl(Optional<EntryMetadata> metadata) {
        Optional<String> recorded = metadata.map(EntryMetadata::url)
                .or(() -> readHolderRecord().map(HolderRecord::url))
                .or(() -> readPartialRecord().map(PartialRecord::source));
        try {
            return recorded.filter(this::isOurs).map(URI::create);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }


    /** Records who holds the lock and where it downloads to, for waiters to show. Only the holder calls this. */
    public void writeHolder(LockHolder holder, Path partial) throws IOException {
        if (url == null) {
            throw new IllegalStateException("entry " + key + " was met by its key: only a fetch, which knows the "
                    + "URL, holds it to download");
        }
        // The URL, so that ls can name an entry that has a partial but no meta.json yet.
        HolderRecord record = new HolderRecord(holder, partial.getFileName().toString(), url.toString());
        AtomicFiles.writeString(holderFile(), record.toJson());
    }

    /** The last recorded lock holder. It may be stale: only a held lock makes it current. */
    public Optional<LockHolder> readHolder() {
        return readHolderRecord().map(HolderRecord::holder);
    }

    /**
     * The last recorded lock holder and how far its download is, for a waiter to show.
     *
     * @param holder         who holds the lock
     * @param partial        the partial file it downloads into
     * @param totalBytes     the full length as {@code partial.json} records it, or -1 if unknown
     * @param segmentedBytes for a download over several connections, the bytes its segments have written, else -1
     */
    public record HolderProgress(LockHolder holder, Path partial, long totalBytes, long segmentedBytes) {
        /**
         * Bytes the holder has downloaded so far, or -1 if unknown: the partial's size, or for a download over
         * several connections (whose file is as long as its furthest write) the segments' progress, which each
         * worker records after every write.
         */
        public long bytesSoFar() {
            if (segmentedBytes >= 0) {
                return segmentedBytes;
            }
            try {
                return Files.size(partial);
            } catch (IOException e) {
                return -1;
            }
        }
    }

    /** The last recorded holder's progress; empty while it has not recorded itself, or if its record is torn. */
    public Optional<HolderProgress> readHolderProgress() {
        Optional<HolderRecord> holder = readHolderRecord();
        Optional<Path> partial = holder.flatMap(h -> inBlobs(h.partial()));
        if (partial.isEmpty()) {
            return Optional.empty();
        }
        String name = partial.get().getFileName().toString();
        Optional<PartialRecord> record = readPartialRecord().filter(r -> r.file().equals(name));
        long total = record.map(PartialRecord::length).orElse(-1L);
        long segmented = record.filter(r -> !r.segments().isEmpty())
                .map(r -> r.currentSegments(segmentProgressFile()).stream()
                        .mapToLong(PartialRecord.Segment::written).sum())
                .orElse(-1L);
        return Optional.of(new HolderProgress(holder.get().holder(), partial.get(), total, segmented));
    }

    private Optional<HolderRecord> readHolderRecord() {
        try {
            return Optional.of(HolderRecord.parse(Files.readString(holderFile(), StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // not written yet, or torn by a crash: the holder is not known
        }
    }


    /**
     * A new file for the lock holder to download into. It lives beside the blobs, so publishing is one rename, and
     * its name is unique to this process and call, so that even where file locks silently do nothing two writers
     * never share a file (and a mixed file can never be published).
     */
    public Path newPartialFile() {
        return blobs.resolve(".partial-" + key + "." + AtomicFiles.uniqueSuffix());
    }

    /**
     * Deletes partial files that earlier holders of this entry left when they died, except {@code keep}. Only the
     * lock holder calls this, and only where file locks work: while it holds the lock, no live process writes a
     * partial of this entry.
     */
    public void deleteStalePartials(Path keep) throws IOException {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(blobs, ".partial-" + key + ".*")) {
            for (Path partial : stale) {
                if (!partial.equals(keep)) {
                    Files.deleteIfExists(partial);
                }
            }
        }
    }

    /**
     * Takes over the partial download a dead holder left, by renaming it to {@code newPartial} (atomic, so of two
     * processes that race for it, one wins and the other starts afresh).
     *
     * @return the record of what the adopted file holds, or empty if there is nothing to resume
     */
    public Optional<PartialRecord> adoptPartial(Path newPartial) {
        try {
            PartialRecord record = PartialRecord.parse(Files.readString(partialRecordFile(), StandardCharsets.UTF_8));
            Path old = blobs.resolve(record.file());
            if (!Files.isRegularFile(old, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            AtomicFiles.move(old, newPartial);
            PartialRecord adopted = record.withFile(newPartial.getFileName().toString());
            writePartialRecord(adopted); // so that if this holder dies too, the next one finds the file
            return Optional.of(adopted);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // no record, a torn one, or another process won the rename: start afresh
        }
    }

    /**
     * Whether {@code partial} holds bytes a later holder can resume: it is not empty, and {@code partial.json}
     * describes it (a partial without a record, e.g. of a response that cannot be resumed, is not worth keeping).
     */
    public boolean holdsResumableBytes(Path partial) {
        try {
            return Files.size(partial) > 0
                    && readPartialRecord().filter(r -> r.file().equals(partial.getFileName().toString())).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * After a download that failed and left nothing worth keeping (its partial is already gone): removes what its
     * holder made, so that a failed request leaves no trace. {@code owner.json} goes if it still names
     * {@code partial}; and where file locks exclude every other process ({@code lockMayGo}), an entry with nothing
     * else in it (no {@code meta.json}) loses its lock file and its directory, as if it had never been asked for. Best
     * effort: what cannot be removed stays, harmless. The caller holds the entry lock.
     *
     * <p>Removing a held lock file is safe because every holder checks, after locking, that the path still names the
     * file it locked ({@code LockFile}): a waiter on the removed file finds it gone and locks the new one, which it
     * or anyone else creates (with the directory) at the same path. Where that check cannot be made (no file keys on
     * this platform) the lock file stays. See "Lock files" in docs/cache-layout.md.
     */
    public void removeTracesOfFailure(Path partial, boolean lockMayGo) {
        try {
            String ours = partial.getFileName().toString();
            if (readHolderRecord().filter(h -> h.partial().equals(ours)).isPresent()) {
                Files.deleteIfExists(holderFile());
            }
        } catch (IOException | RuntimeException e) {
            // read-only, or removed meanwhile: a stale owner.json is only ever advice
        }
        if (lockMayGo) {
            removeIfEmpty();
        }
    }

    /**
     * Deletes the lock file and the directory if nothing else is left in it: after a failed download, or once
     * {@link #removeContents} emptied it. Best effort: what cannot be removed stays, harmless (an entry holding only
     * its lock is not listed). The caller holds the entry lock with file locks, for the reasons given at
     * {@link #removeTracesOfFailure}.
     */
    public void removeIfEmpty() {
        try {
            if (holdsOnlyItsLock()) {
                Files.delete(lockFile());
                Files.delete(dir);
            }
        } catch (IOException | RuntimeException e) {
            // someone put a file in the directory meanwhile, or it is read-only
        }
    }

    /** True if the directory holds nothing but a lock file whose identity the platform can check. */
    private boolean holdsOnlyItsLock() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                if (!file.getFileName().toString().equals("lock")) {
                    return false;
                }
            }
        }
        BasicFileAttributes lock = Files.readAttributes(lockFile(), BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        return lock.isRegularFile() && lock.fileKey() != null;
    }

    public void writePartialRecord(PartialRecord record) throws IOException {
        AtomicFiles.writeString(partialRecordFile(), record.toJson());
    }

    /** The record of the resumable partial, if one is described (for listings; holders use adoptPartial). */
    public Optional<PartialRecord> readPartialRecord() {
        try {
            return Optional.of(PartialRecord.parse(Files.readString(partialRecordFile(), StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Deletes partial.json and the segment progress that goes with it. */
    public void deletePartialRecord() throws IOException {
        Files.deleteIfExists(partialRecordFile());
        Files.deleteIfExists(segmentProgressFile());
    }

    /** The {@link SegmentProgress} file of the partial that partial.json describes, if it is segmented. */
    public Path segmentProgressFile() {
        return dir.resolve(SegmentProgress.FILE_NAME);
    }

    /** The full length of the resumable partial download, from {@code partial.json}, or -1 if not recorded. */
    public long resumableLength() {
        return readPartialRecord().map(PartialRecord::length).filter(n -> n >= 0).orElse(-1L);
    }

    /** The partial file {@code partial.json} names, if it names one in {@code blobs/}. */
    public Optional<Path> resumableFile() {
        return readPartialRecord().flatMap(r -> inBlobs(r.file()));
    }


    /**
     * Records a use of the entry by moving the mtime of its {@code used} marker, at most once per
     * {@link #USE_GRANULARITY}, so most hits cost one stat and no write.
     */
    public void markUsed(Instant now) {
        Path marker = usedMarker();
        try {
            FileTime last = Files.getLastModifiedTime(marker, LinkOption.NOFOLLOW_LINKS);
            if (last.toInstant().plus(USE_GRANULARITY).isAfter(now)) {
                return;
            }
            if (directoryDamage() != null || Damage.ofFile(marker) != null) {
                return; // never write through a symlink planted in the entry's place, or in the marker's
            }
            Files.setLastModifiedTime(marker, FileTime.from(now));
        } catch (NoSuchFileException e) {
            try {
                if (directoryDamage() != null) {
                    return;
                }
                Files.createFile(marker);
            } catch (IOException ignored) {
                // the entry directory is gone (removed meanwhile) or read-only: last-use is advisory
            }
        } catch (IOException ignored) {
            // read-only cache: last-use is advisory
        }
    }

    /** When the entry was last used, or empty if never recorded. */
    public Optional<Instant> lastUsed() {
        try {
            return Optional.of(Files.getLastModifiedTime(usedMarker(), LinkOption.NOFOLLOW_LINKS).toInstant());
        } catch (IOException e) {
            return Optional.empty();
        }
    }


    /**
     * Removes everything but the directory and its lock file: first {@code meta.json}, so the entry is a miss from
     * that moment, then the given partial files, {@code partial.json}, {@code owner.json}, the {@code used} marker and
     * temp files. The caller holds the entry lock.
     *
     * @return the bytes of partial files removed
     */
    public long removeContents(Collection<Path> partials) throws IOException {
        removeDamagedFiles();
        Files.deleteIfExists(metadataFile());
        long freed = removeDownloadLeftovers(partials);
        Files.deleteIfExists(holderFile());
        Files.deleteIfExists(usedMarker());
        return freed;
    }

    /**
     * Removes partial downloads (the given files and the one {@code partial.json} names), {@code partial.json}
     * itself and temp files left in the directory; keeps the metadata. The caller holds the entry lock, so none of
     * them is being written.
     *
     * @return the bytes of partial files removed
     */
    public long removeDownloadLeftovers(Collection<Path> partials) throws IOException {
        long freed = 0;
        for (Path partial : partials) {
            freed += deleteCounting(partial);
        }
        Optional<Path> resumable = resumableFile();
        if (resumable.isPresent() && key.equals(CacheStore.partialKey(resumable.get().getFileName().toString()))
                && !partials.contains(resumable.get())) {
            freed += deleteCounting(resumable.get());
        }
        deletePartialRecord();
        for (Path temp : tempFiles()) {
            Files.deleteIfExists(temp);
        }
        return freed;
    }

    /** Temp files of atomic writes in the directory: garbage unless the lock holder is writing one right now. */
    public List<Path> tempFiles() throws IOException {
        List<Path> temps = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*.tmp")) {
            files.forEach(temps::add);
        } catch (NoSuchFileException e) {
            // the directory itself is gone: nothing in it
        }
        return temps;
    }


    private Path metadataFile() {
        return dir.resolve("meta.json");
    }

    private Path holderFile() {
        return dir.resolve("owner.json");
    }

    private Path partialRecordFile() {
        return dir.resolve("partial.json");
    }

    private Path usedMarker() {
        return dir.resolve("used");
    }

    /** A file named in a record, resolved in {@code blobs/} by its name alone, so a record cannot point elsewhere. */
    private Optional<Path> inBlobs(String name) {
        try {
            return Optional.of(blobs.resolve(Path.of(name).getFileName()));
        } catch (RuntimeException e) {
            return Optional.empty(); // not a path on this platform
        }
    }

    /** Whether a URL found in one of the entry's files is this entry's (files of another URL are a miss). */
    private boolean isOurs(String recordedUrl) {
        return url != null ? recordedUrl.equals(url.toString()) : key.equals(CacheStore.sha256Hex(recordedUrl));
    }

    private static long deleteCounting(Path file) throws IOException {
        try {
            long size = Files.size(file);
            return Files.deleteIfExists(file) ? size : 0;
        } catch (NoSuchFileException e) {
            return 0;
        }
    }
}
