package dev.hoard.internal.manage;

import dev.hoard.CacheEntryInfo;
import dev.hoard.LockHolder;
import dev.hoard.PrunePolicy;
import dev.hoard.PruneReport;
import dev.hoard.Verification;
import dev.hoard.internal.lock.EntryLock;
import dev.hoard.internal.lock.EntryLocks;
import dev.hoard.internal.store.BlobScan;
import dev.hoard.internal.store.CacheStore;
import dev.hoard.internal.store.EntryMetadata;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The management side of a cache — list, verify, remove, prune — safe to run while other threads and processes
 * fetch from it. The rules (what is read, locked and deleted, and why a concurrent get never sees wrong bytes) are in
 * {@link Eviction} and in docs/cache-layout.md, "Management".
 */
public final class Maintenance {
    private final CacheStore store;
    private final EntryLocks locks;
    private final Clock clock;

    public Maintenance(CacheStore store, EntryLocks locks, Clock clock) {
        this.store = store;
        this.locks = locks;
        this.clock = clock;
    }

    /**
     * Every entry with something to show, and every blob no entry names, most recently used first. Entries without
     * complete content, or with a partial download, are probed with a non-blocking try of their lock: held means
     * downloading.
     */
    public List<CacheEntryInfo> entries() throws IOException {
        Inventory inventory = Inventory.take(store);
        List<CacheEntryInfo> infos = new ArrayList<>();
        List<Path> damagedDirectories = store.damagedDirectories();
        for (int i = 0; i < Math.min(damagedDirectories.size(), inventory.layoutDamage().size()); i++) {
            infos.add(CacheEntryInfo.damaged(null, damagedDirectories.get(i), inventory.layoutDamage().get(i)));
        }
        for (Inventory.Entry entry : inventory.entries()) {
            CacheEntryInfo info = describe(entry, inventory);
            if (info != null) {
                infos.add(info);
            }
        }
        for (Inventory.LooseBlob loose : inventory.looseBlobs()) {
            BlobScan.Blob blob = loose.blob();
            infos.add(new CacheEntryInfo(null, CacheEntryInfo.State.COMPLETE, blob.sha256(), blob.size(),
                    blob.path(), blob.modified(), null, null));
        }
        infos.sort(Comparator.comparing(Maintenance::lastActivity, Comparator.reverseOrder())
                .thenComparing(info -> Objects.toString(info.url(), "")));
        return infos;
    }

    public List<Verification> verify(List<URI> urls, boolean repair, Consumer<Verification> each)
            throws IOException {
        return new Verifier(store, locks).verify(urls, repair, each);
    }

    public PruneReport remove(URI url) throws IOException {
        return new Pruner(store, locks, clock).remove(url);
    }

    public PruneReport prune(PrunePolicy policy, boolean dryRun) throws IOException {
        return new Pruner(store, locks, clock).prune(policy, dryRun);
    }

    /** The entry as ls shows it, or null if there is nothing to show (an empty directory left by a removal). */
    private CacheEntryInfo describe(Inventory.Entry entry, Inventory inventory) throws IOException {
        if (entry.damage() != null) {
            return CacheEntryInfo.damaged(entry.url(), entry.cacheEntry().dir(), entry.damage());
        }
        EntryMetadata m = entry.metadata();
        LockHolder holder = null;
        boolean busy = false;
        if (m == null || !entry.partials().isEmpty()) {
            busy = isLocked(entry);
            holder = busy ? entry.cacheEntry().readHolder().orElse(null) : null;
        }
        if (m == null && entry.partials().isEmpty() && !busy) {
            return null;
        }
        CacheEntryInfo.Partial partial = entry.partials().isEmpty() && !busy ? null
                : new CacheEntryInfo.Partial(entry.partialBytes(), entry.cacheEntry().resumableLength(), holder);
        BlobScan.Blob blob = m == null ? null : inventory.blob(m.sha256());
        CacheEntryInfo.State state = busy ? CacheEntryInfo.State.DOWNLOADING
                : m == null ? CacheEntryInfo.State.PARTIAL
                : blob == null ? CacheEntryInfo.State.MISSING
                : CacheEntryInfo.State.COMPLETE;
        return new CacheEntryInfo(entry.url(), state, m == null ? null : m.sha256(), m == null ? -1 : m.size(),
                blob == null ? null : blob.path(), m == null ? null : m.fetchedAt(), entry.lastUsed(), partial);
    }

    /** True if another thread or process holds the entry's lock right now. */
    private boolean isLocked(Inventory.Entry entry) throws IOException {
        entry.cacheEntry().create();
        EntryLock lock = locks.tryAcquire(entry.cacheEntry().lockFile());
        if (lock == null) {
            return true;
        }
        lock.close();
        return false;
    }

    private static Instant lastActivity(CacheEntryInfo info) {
        if (info.lastUsed() != null) {
            return info.lastUsed();
        }
        return info.fetchedAt() != null ? info.fetchedAt() : Instant.MAX; // a download in progress: newest
    }
}
