package dev.hoard.internal.manage;

import dev.hoard.Digest;
import dev.hoard.internal.store.BlobScan;
import dev.hoard.internal.store.CacheEntry;
import dev.hoard.internal.store.CacheStore;
import dev.hoard.internal.store.EntryMetadata;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A snapshot of the whole cache, read without any lock: every entry (its metadata, partial downloads and last use)
 * and every blob. Listing, verifying and choosing what to prune start from it; whatever deletes re-checks under the
 * entry's lock, because the snapshot may be stale by then.
 */
final class Inventory {
    private final List<Entry> entries;
    private final Map<Digest, BlobScan.Blob> blobs;
    private final List<String> layoutDamage;

    private Inventory(List<Entry> entries, Map<Digest, BlobScan.Blob> blobs, List<String> layoutDamage) {
        this.entries = entries;
        this.blobs = blobs;
        this.layoutDamage = layoutDamage;
    }

    /** What is wrong with the cache's own directories ({@link CacheStore#layoutDamage()}) when it was read. */
    List<String> layoutDamage() {
        return layoutDamage;
    }

    /** Something prune can remove, ordered by last use. */
    sealed interface Item permits Entry, LooseBlob {
        Instant lastUse();

        /** For ordering, the URL or digest; ties in last use are broken by it so that runs are repeatable. */
        String name();
    }

    /**
     * One entry directory, or a key that only partial files in {@code blobs/} mention.
     *
     * @param cacheEntry the entry's files, met by its key
     * @param url        the recorded URL, or null if none was recorded
     * @param metadata   the entry's valid metadata, or null
     * @param partials   its partial downloads
     * @param lastUsed   its {@code used} marker's time, or null
     * @param damage     what an outside hand broke in it, naming the path ({@link CacheEntry#damage()}), or null
     */
    record Entry(CacheEntry cacheEntry, URI url, EntryMetadata metadata, List<BlobScan.Partial> partials,
            Instant lastUsed, String damage) implements Item {

        Entry {
            partials = List.copyOf(partials);
        }

        /** True if there is something to show: complete content, a partial download, or damage. */
        boolean isVisible() {
            return metadata != null || !partials.isEmpty() || damage != null;
        }

        Digest digest() {
            return metadata == null ? null : metadata.sha256();
        }

        long partialBytes() {
            return partials.stream().mapToLong(BlobScan.Partial::size).sum();
        }

        List<Path> partialPaths() {
            return partials.stream().map(BlobScan.Partial::path).toList();
        }

        /** Last use, else the download time, else the newest partial's write: what LRU order goes by. */
        @Override
        public Instant lastUse() {
            if (lastUsed != null) {
                return lastUsed;
            }
            if (metadata != null) {
                return metadata.fetchedAt();
            }
            return partials.stream().map(BlobScan.Partial::modified).max(Comparator.naturalOrder())
                    .orElse(Instant.EPOCH);
        }

        @Override
        public String name() {
            return url == null ? cacheEntry.key() : url.toString();
        }
    }

    /** A blob that no entry's metadata names. Its last use is unknown; its write time stands in. */
    record LooseBlob(BlobScan.Blob blob) implements Item {
        @Override
        public Instant lastUse() {
            return blob.modified();
        }

        @Override
        public String name() {
            return blob.sha256().toString();
        }
    }

    static Inventory take(CacheStore store) throws IOException {
        BlobScan scan = store.scanBlobs();
        Map<String, List<BlobScan.Partial>> partialsByKey = new HashMap<>();
        for (BlobScan.Partial partial : scan.partials()) {
            partialsByKey.computeIfAbsent(partial.key(), k -> new ArrayList<>()).add(partial);
        }
        Set<String> keys = new TreeSet<>(store.entryKeys());
        keys.addAll(partialsByKey.keySet());
        List<Entry> entries = new ArrayList<>();
        for (String key : keys) {
            entries.add(readEntry(store.entryByKey(key), partialsByKey.getOrDefault(key, List.of())));
        }
        Map<Digest, BlobScan.Blob> blobs = new HashMap<>();
        scan.blobs().forEach(blob -> blobs.put(blob.sha256(), blob));
        return new Inventory(List.copyOf(entries), blobs, store.layoutDamage());
    }

    private static Entry readEntry(CacheEntry entry, List<BlobScan.Partial> partials) throws IOException {
        String damage = entry.damage().orElse(null);
        if (entry.directoryDamage() != null) { // not followed: nothing in it is read
            return new Entry(entry, null, null, partials, null, damage);
        }
        Optional<EntryMetadata> metadata = entry.readMetadata();
        List<BlobScan.Partial> all = new ArrayList<>(partials);
        Optional<Path> resumable = entry.resumableFile();
        if (resumable.isPresent() && all.stream().noneMatch(p -> p.path().equals(resumable.get()))) {
            partialAt(entry.key(), resumable.get()).ifPresent(all::add);
        }
        return new Entry(entry, entry.recordedUrl(metadata).orElse(null), metadata.orElse(null), all,
                entry.lastUsed().orElse(null), damage);
    }

    /** A partial file named by partial.json rather than by its name. */
    private static Optional<BlobScan.Partial> partialAt(String key, Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile()
                    ? Optional.of(new BlobScan.Partial(key, file, a.size(), a.lastModifiedTime().toInstant()))
                    : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Every entry, including directories with nothing in them to show. */
    List<Entry> entries() {
        return entries;
    }

    Optional<Entry> entry(String key) {
        return entries.stream().filter(e -> e.cacheEntry().key().equals(key)).findFirst();
    }

    /** The blob with this SHA-256 as it was when the snapshot was taken, or null. */
    BlobScan.Blob blob(Digest sha256) {
        return blobs.get(sha256);
    }

    /** Blobs that no entry's metadata names, e.g. left by a digest-only request or an entry removed by hand. */
    List<LooseBlob> looseBlobs() {
        Set<Digest> named = new HashSet<>();
        entries.forEach(e -> {
            if (e.digest() != null) {
                named.add(e.digest());
            }
        });
        return blobs.values().stream().filter(b -> !named.contains(b.sha256()))
                .sorted(Comparator.comparing(b -> b.sha256().hex())).map(LooseBlob::new).toList();
    }

    /** Every entry and loose blob, least recently used first. */
    List<Item> itemsByLastUse() {
        List<Item> items = new ArrayList<>(entries);
        items.addAll(looseBlobs());
        items.sort(Comparator.comparing(Item::lastUse).thenComparing(Item::name));
        return items;
    }

    /** The bytes of every blob (each once, however many entries share it) and every partial download. */
    long totalBytes() {
        long partials = entries.stream().mapToLong(Entry::partialBytes).sum();
        return partials + sum(blobs.values());
    }

    private static long sum(Collection<BlobScan.Blob> blobs) {
        return blobs.stream().mapToLong(BlobScan.Blob::size).sum();
    }
}
