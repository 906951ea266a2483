package dev.hoard.internal.store;

import dev.hoard.LockHolder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One URL's entry in the cache. Reads are safe without the lock: every file is replaced only by rename. Writes
 * ({@link #writeMetadata}, {@link #writeOwner}, the partial file) are made only by the lock holder.
 */
public final class CacheEntry {
    /** Last use is recorded at this granularity so that hits do not write to disk each time. */
    static final Duration USE_GRANULARITY = Duration.ofHours(1);

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

    public URI url() {
        return url;
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

    public void deletePartialRecord() throws IOException {
        Files.deleteIfExists(partialRecordFile());
    }

    Path partialRecordFile() {
        return dir.resolve("partial.json");
    }

    Path metadataFile() {
        return dir.resolve("meta.json");
    }

    Path ownerFile() {
        return dir.resolve("owner.json");
    }

    Path usedMarker() {
        return dir.resolve("used");
    }

    /** Creates the entry's directory; called before locking. */
    public void create() throws IOException {
        Files.createDirectories(dir);
    }

    /**
     * The entry's metadata, or empty when there is none or it cannot be read as metadata. A corrupt file is treated
     * as a miss: the next download replaces it.
     */
    public Optional<EntryMetadata> readMetadata() throws IOException {
        return EntryMetadata.read(metadataFile()).filter(metadata -> metadata.url().equals(url.toString()));
    }

    public void writeMetadata(EntryMetadata metadata) throws IOException {
        AtomicFiles.writeString(metadataFile(), metadata.toJson());
    }

    /** Records who holds the lock and where it downloads to, for waiters to show. Only the holder calls this. */
    public void writeOwner(LockHolder owner, Path partial) throws IOException {
        // The URL, so that ls can name an entry that has a partial but no meta.json yet.
        HolderRecord record = new HolderRecord(owner, partial.getFileName().toString(), url.toString());
        AtomicFiles.writeString(ownerFile(), record.toJson());
    }

    /** What {@code owner.json} says, if it can be read; torn or absent means unknown. */
    Optional<HolderRecord> readHolderRecord() {
        try {
            return Optional.of(HolderRecord.parse(Files.readString(ownerFile(), StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The last recorded lock holder, its partial file and the expected size (-1 if unknown). It may be stale: only a
     * held lock makes it current.
     */
    public record Holder(LockHolder owner, Path partial, long totalBytes, long segmentedBytes) {
        /**
         * Bytes the holder has downloaded so far, or -1 if unknown: the partial's size, or for a download over
         * several connections (whose file is as long as its furthest write) the segments' progress, recorded every
         * second.
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

    public Optional<Holder> readHolder() {
        // Absent when not written yet, or torn by a crash: the waiter just cannot name the holder.
        return readHolderRecord().map(holder -> {
            Path partial;
            try {
                partial = blobs.resolve(Path.of(holder.partial()).getFileName());
            } catch (InvalidPathException e) {
                return null;
            }
            Optional<PartialRecord> record = readPartialRecord()
                    .filter(r -> r.file().equals(partial.getFileName().toString()));
            long total = record.map(PartialRecord::length).orElse(-1L);
            long segmented = record.filter(r -> !r.segments().isEmpty())
                    .map(r -> r.segments().stream().mapToLong(PartialRecord.Segment::written).sum()).orElse(-1L);
            return new Holder(holder.holder(), partial, total, segmented);
        });
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
            Files.setLastModifiedTime(marker, FileTime.from(now));
        } catch (NoSuchFileException e) {
            try {
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
}
