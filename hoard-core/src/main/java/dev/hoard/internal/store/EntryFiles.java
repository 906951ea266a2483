package dev.hoard.internal.store;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * One entry directory met by its key, as the management commands (ls, verify, rm, prune) meet entries: by walking
 * {@code entries/}, not by starting from a URL. The files are {@link CacheEntry}'s (docs/cache-layout.md), plus the
 * optional {@code partial.json} that describes a resumable partial download.
 *
 * <p>Reads take no lock and see a snapshot, like every reader of the cache. The {@code remove...} methods are for the
 * holder of the entry's lock only: while it holds the lock no other process writes these files. They never delete
 * the lock file itself (see "Lock files are never deleted" in the layout document).
 */
public final class EntryFiles {
    /** CacheEntry's paths and readers that do not need the URL (owner, last use), for an entry known by its key. */
    private final CacheEntry view;
    private final Path blobs;

    EntryFiles(String key, Path dir, Path blobs) {
        this.view = new CacheEntry(null, key, dir, blobs);
        this.blobs = blobs;
    }

    public String key() {
        return view.key();
    }

    public Path dir() {
        return view.dir();
    }

    public Path lockFile() {
        return view.lockFile();
    }

    /** Creates the directory if it is missing (removed by an outside hand), so that its lock can be taken. */
    public void create() throws IOException {
        view.create();
    }

    /**
     * The entry's metadata, or empty if there is none, it cannot be read, or it names a URL whose key is not this
     * one: the same files {@link CacheEntry#readMetadata} would treat as a miss.
     */
    public Optional<EntryMetadata> readMetadata() throws IOException {
        return EntryMetadata.read(view.metadataFile()).filter(metadata -> belongsHere(metadata.url()));
    }

    /**
     * The entry's URL as recorded by its metadata, or else by its last lock holder ({@code owner.json}) or its
     * resumable partial ({@code partial.json}): an entry that is still downloading has no metadata yet.
     */
    public Optional<URI> recordedUrl(Optional<EntryMetadata> metadata) {
        Optional<String> url = metadata.map(EntryMetadata::url)
                .or(() -> view.readHolderRecord().map(HolderRecord::url))
                .or(() -> readPartialRecord().map(PartialRecord::source));
        try {
            return url.filter(this::belongsHere).map(URI::create);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The last recorded lock holder; current only while the lock is held. */
    public Optional<CacheEntry.Holder> readHolder() {
        return view.readHolder();
    }

    /** When the entry was last used (the {@code used} marker), or empty if never recorded. */
    public Optional<Instant> lastUsed() {
        return view.lastUsed();
    }

    /** The full length of the resumable partial download, from {@code partial.json}, or -1 if not recorded. */
    public long resumableLength() {
        return readPartialRecord().map(PartialRecord::length).filter(n -> n >= 0).orElse(-1L);
    }

    /** The partial file {@code partial.json} names, if it names one in {@code blobs/}. */
    public Optional<Path> resumableFile() {
        return readPartialRecord().map(r -> blobs.resolve(Path.of(r.file()).getFileName()));
    }

    private Optional<PartialRecord> readPartialRecord() {
        return view.readPartialRecord();
    }

    /**
     * Removes everything but the directory and its lock file: first {@code meta.json}, so the entry is a miss from
     * that moment, then the given partial files, {@code partial.json}, {@code owner.json}, the {@code used} marker and
     * temp files. The caller holds the entry lock.
     *
     * @return the bytes of partial files removed
     */
    public long removeContents(Collection<Path> partials) throws IOException {
        Files.deleteIfExists(view.metadataFile());
        long freed = removeDownloadLeftovers(partials);
        Files.deleteIfExists(view.ownerFile());
        Files.deleteIfExists(view.usedMarker());
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
        if (resumable.isPresent() && key().equals(CacheStore.partialKey(resumable.get().getFileName().toString()))
                && !partials.contains(resumable.get())) {
            freed += deleteCounting(resumable.get());
        }
        view.deletePartialRecord();
        deleteTempFiles();
        return freed;
    }

    /** Temp files of atomic writes in the directory: garbage unless the lock holder is writing one right now. */
    public List<Path> tempFiles() throws IOException {
        List<Path> temps = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir(), ".*.tmp")) {
            files.forEach(temps::add);
        } catch (NoSuchFileException e) {
            // the directory itself is gone: nothing in it
        }
        return temps;
    }

    private void deleteTempFiles() throws IOException {
        for (Path temp : tempFiles()) {
            Files.deleteIfExists(temp);
        }
    }

    private static long deleteCounting(Path file) throws IOException {
        try {
            long size = Files.size(file);
            return Files.deleteIfExists(file) ? size : 0;
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    private boolean belongsHere(String url) {
        return key().equals(CacheStore.sha256Hex(url));
    }
}
