package dev.hoard.internal.manage;

import dev.hoard.Digest;
import dev.hoard.LockHolder;
import dev.hoard.PruneReport;
import dev.hoard.internal.lock.EntryLock;
import dev.hoard.internal.lock.EntryLocks;
import dev.hoard.internal.store.BlobScan;
import dev.hoard.internal.store.CacheEntry;
import dev.hoard.internal.store.CacheStore;
import dev.hoard.internal.store.EntryMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes entries, blobs and leftovers for rm, prune and verify --repair, while other processes use the cache, and
 * keeps the tally of what went and what was skipped. One instance serves one command.
 *
 * <p><b>Entries</b> are removed only under their lock, taken without waiting ({@link EntryLocks#tryAcquire}): a held
 * lock means a process is downloading the entry, so it is skipped and reported. Under the lock, {@code meta.json}
 * goes first (the entry is a miss from that moment), then partial downloads, {@code owner.json}, {@code used} and
 * temp files; then, with file locks, the lock file and the directory if nothing else is in it (safe only for the
 * holder, because every holder checks that its lock file is still the one at the path: docs/cache-layout.md).
 *
 * <p><b>Blobs</b> are shared by content: an entry's blob is deleted only when no other entry's metadata names it.
 * Deleting a blob never breaks a reader that has it open (an unlinked file keeps its inode until closed). What this
 * cannot rule out, and why it is still safe: a {@code get} that found a blob but has not opened it yet looks again
 * (and downloads); a writer that publishes the same content for another URL just as its blob is deleted leaves
 * metadata naming a missing blob, which is a miss, downloaded again on the next {@code get}. Neither ever serves
 * wrong bytes.
 *
 * <p>In a dry run the locks are still tried (so that busy entries are reported as skipped) but nothing is deleted.
 */
final class Eviction {
    private final CacheStore store;
    private final EntryLocks locks;
    private final Inventory inventory;
    private final boolean dryRun;
    /** Which entries (by key) name each blob; shrinks as entries are removed. */
    private final Map<Digest, Set<String>> namedBy = new HashMap<>();
    /** The blob each entry named in the snapshot, to update {@link #namedBy} when it is removed. */
    private final Map<String, Digest> names = new HashMap<>();
    private final List<PruneReport.Removed> removed = new ArrayList<>();
    private final List<PruneReport.Skipped> skipped = new ArrayList<>();

    Eviction(CacheStore store, EntryLocks locks, Inventory inventory, boolean dryRun) {
        this.store = store;
        this.locks = locks;
        this.inventory = inventory;
        this.dryRun = dryRun;
        for (Inventory.Entry entry : inventory.entries()) {
            if (entry.digest() != null) {
                namedBy.computeIfAbsent(entry.digest(), d -> new HashSet<>()).add(entry.cacheEntry().key());
                names.put(entry.cacheEntry().key(), entry.digest());
            }
        }
    }

    /** Removes an entry or a loose blob; returns the bytes freed, or -1 if it was skipped as busy. */
    long evict(Inventory.Item item) throws IOException {
        return switch (item) {
            case Inventory.Entry entry -> evictEntry(entry);
            case Inventory.LooseBlob loose -> evictLooseBlob(loose.blob());
        };
    }

    /** Removes the entry and, if no other entry names it, its blob. Returns the bytes freed, or -1 if busy. */
    long evictEntry(Inventory.Entry entry) throws IOException {
        CacheEntry cacheEntry = entry.cacheEntry();
        if (cacheEntry.directoryDamage() != null || dryRun && cacheEntry.lockDamage() != null) {
            // a symlink or a file in the entry's place is all there is of it; never followed. A damaged lock file
            // cannot be held by anyone, nor locked until it is repaired, which a dry run does not do.
            if (!dryRun && !repair(entry)) {
                return -1;
            }
            removed.add(new PruneReport.Removed(PruneReport.Kind.ENTRY, entry.url(), null, cacheEntry.dir(), 0,
                    false));
            return 0;
        }
        if (cacheEntry.lockDamage() != null && !repair(entry)) {
            return -1;
        }
        EntryLock lock = tryLock(entry);
        if (lock == null) {
            return -1;
        }
        try (lock) {
            // The entry may have changed since the snapshot (a new version downloaded): decide on what is there now.
            EntryMetadata current = entry.cacheEntry().readMetadata().orElse(null);
            long freed = dryRun ? entry.partialBytes() : entry.cacheEntry().removeContents(entry.partialPaths());
            if (!dryRun && locks.excludesOtherProcesses()) {
                entry.cacheEntry().removeIfEmpty(); // nothing left of it: the directory goes too
            }
            forget(entry.cacheEntry().key());
            Digest digest = current == null ? null : current.sha256();
            boolean kept = digest != null && isNamed(digest);
            long blobBytes = digest == null || kept ? 0 : deleteBlob(digest);
            if (entry.digest() != null && !entry.digest().equals(digest) && !isNamed(entry.digest())) {
                freed += deleteBlob(entry.digest()); // the version the snapshot saw, replaced since
            }
            if (entry.isVisible() || current != null) {
                Path file = blobBytes > 0 ? store.blobPath(digest) : entry.damage() != null ? cacheEntry.dir() : null;
                removed.add(new PruneReport.Removed(PruneReport.Kind.ENTRY, entry.url(), digest, file,
                        freed + blobBytes, kept));
            }
            return freed + blobBytes;
        }
    }

    /** Deletes a blob no entry names. Returns the bytes freed. */
    long evictLooseBlob(BlobScan.Blob blob) throws IOException {
        if (isNamed(blob.sha256())) {
            return 0;
        }
        long freed = deleteBlob(blob.sha256());
        if (freed > 0) {
            removed.add(new PruneReport.Removed(PruneReport.Kind.BLOB, null, blob.sha256(), blob.path(), freed,
                    false));
        }
        return freed;
    }

    /**
     * Deletes a blob whatever names it, because its content is corrupt; the entries naming it are removed one by one
     * with {@link #evictEntry}. Returns the bytes freed.
     */
    long deleteCorruptBlob(Digest sha256) throws IOException {
        return deleteBlob(sha256);
    }

    /**
     * Removes an entry's partial downloads and temp files, keeping its complete content. Returns the bytes freed, or
     * -1 if busy.
     */
    long evictLeftovers(Inventory.Entry entry) throws IOException {
        if (entry.cacheEntry().directoryDamage() != null || entry.cacheEntry().lockDamage() != null) {
            return 0; // a damaged entry is not a leftover of a download; rm or prune --all removes it
        }
        List<Path> temps = entry.cacheEntry().tempFiles();
        if (entry.partials().isEmpty() && temps.isEmpty()) {
            return 0;
        }
        EntryLock lock = tryLock(entry);
        if (lock == null) {
            return -1;
        }
        try (lock) {
            long freed = 0;
            for (BlobScan.Partial partial : entry.partials()) {
                removed.add(new PruneReport.Removed(PruneReport.Kind.PARTIAL, entry.url(), null, partial.path(),
                        partial.size(), false));
                freed += partial.size();
            }
            for (Path temp : temps) {
                removed.add(new PruneReport.Removed(PruneReport.Kind.TEMP_FILE, entry.url(), null, temp,
                        sizeOf(temp), false));
            }
            if (!dryRun) {
                entry.cacheEntry().removeDownloadLeftovers(entry.partialPaths());
            }
            return freed;
        }
    }

    /** Deletes a temp file the caller found stale. Returns the bytes freed. */
    long deleteTempFile(Path temp) throws IOException {
        long size = sizeOf(temp);
        if (!dryRun && !Files.deleteIfExists(temp)) {
            return 0;
        }
        removed.add(new PruneReport.Removed(PruneReport.Kind.TEMP_FILE, null, null, temp, size, false));
        return size;
    }

    /** The bytes freed so far. */
    long freed() {
        return removed.stream().mapToLong(PruneReport.Removed::bytes).sum();
    }

    List<PruneReport.Skipped> skipped() {
        return skipped;
    }

    PruneReport report() {
        if (!dryRun) {
            try {
                store.deleteDanglingAliases();
            } catch (IOException e) {
                // an alias whose blob is gone is a miss, never a wrong answer; the next prune retries
            }
        }
        return new PruneReport(dryRun, removed, skipped, Math.max(0, inventory.totalBytes() - freed()));
    }

    /**
     * Takes away a symlink or directory in the entry's place or in its lock file's, holding the cache's repair lock
     * (without waiting: false, and the entry is reported as skipped, if another process is repairing right now).
     */
    private boolean repair(Inventory.Entry entry) throws IOException {
        EntryLock repairing = locks.tryAcquire(store.repairLock());
        if (repairing == null) {
            skipped.add(new PruneReport.Skipped(entry.url(), null));
            return false;
        }
        try (repairing) {
            entry.cacheEntry().repair();
            return true;
        }
    }

    /** Replaces a {@code blobs/} or {@code entries/} that is not a directory with an empty one (prune --all). */
    void repairLayout() throws IOException {
        for (Path dir : store.damagedDirectories()) {
            removed.add(new PruneReport.Removed(PruneReport.Kind.DAMAGED, null, null, dir, 0, false));
        }
        if (!dryRun) {
            store.repairLayout();
        }
    }

    /** The entry's lock if it is free now (creating the directory if an outside hand removed it); null if held. */
    private EntryLock tryLock(Inventory.Entry entry) throws IOException {
        CacheEntry cacheEntry = entry.cacheEntry();
        cacheEntry.create();
        EntryLock lock = locks.tryAcquire(cacheEntry.lockFile());
        if (lock == null) {
            LockHolder holder = cacheEntry.readHolder().orElse(null);
            skipped.add(new PruneReport.Skipped(entry.url(), holder));
        }
        return lock;
    }

    private long deleteBlob(Digest sha256) throws IOException {
        if (dryRun) {
            BlobScan.Blob blob = inventory.blob(sha256);
            return blob == null ? 0 : blob.size();
        }
        return store.deleteBlob(sha256);
    }

    private void forget(String key) {
        Digest named = names.remove(key);
        if (named != null) {
            namedBy.get(named).remove(key);
        }
    }

    private boolean isNamed(Digest sha256) {
        Set<String> keys = namedBy.get(sha256);
        return keys != null && !keys.isEmpty();
    }

    private static long sizeOf(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }
}
