package dev.hoard.internal.manage;

import dev.hoard.EntryBusyException;
import dev.hoard.NotCachedException;
import dev.hoard.PrunePolicy;
import dev.hoard.PruneReport;
import dev.hoard.internal.lock.EntryLocks;
import dev.hoard.internal.store.CacheStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * hoard prune and hoard rm: chooses what to remove from a snapshot of the cache and hands it to {@link Eviction},
 * which removes each entry under its lock and skips those being downloaded.
 */
final class Pruner {
    /**
     * A temp file outside the entry directories is garbage once its writer is dead and it is this old. Both are
     * required: the pid in its name means nothing on another host sharing the cache (or after pid reuse), and no
     * atomic write keeps its temp file for more than moments.
     */
    static final Duration STALE_TEMP_AGE = Duration.ofHours(1);
    private static final Pattern TEMP_WRITER = Pattern.compile("\\.(\\d+)-\\d+\\.tmp$");

    private final CacheStore store;
    private final EntryLocks locks;
    private final Clock clock;

    Pruner(CacheStore store, EntryLocks locks, Clock clock) {
        this.store = store;
        this.locks = locks;
        this.clock = clock;
    }

    PruneReport prune(PrunePolicy policy, boolean dryRun) throws IOException {
        Inventory inventory = Inventory.take(store);
        Eviction eviction = new Eviction(store, locks, inventory, dryRun);
        switch (policy) {
            case PrunePolicy.All all -> {
                eviction.repairLayout();
                for (Inventory.Item item : inventory.itemsByLastUse()) {
                    eviction.evict(item);
                }
                deleteStaleTempFiles(eviction);
            }
            case PrunePolicy.OlderThan olderThan -> {
                Instant cutoff = clock.instant().minus(olderThan.age());
                for (Inventory.Item item : inventory.itemsByLastUse()) {
                    if (item.lastUse().isBefore(cutoff) && isVisible(item)) {
                        eviction.evict(item);
                    }
                }
            }
            case PrunePolicy.MaxSize maxSize -> {
                long total = inventory.totalBytes();
                for (Inventory.Item item : inventory.itemsByLastUse()) {
                    if (total <= maxSize.bytes()) {
                        break;
                    }
                    if (isVisible(item)) {
                        total -= Math.max(0, eviction.evict(item));
                    }
                }
            }
            case PrunePolicy.Partials partials -> {
                for (Inventory.Entry entry : inventory.entries()) {
                    eviction.evictLeftovers(entry);
                }
                deleteStaleTempFiles(eviction);
            }
        }
        return eviction.report();
    }

    /**
     * Removes one URL's entry, and its blob unless another entry names the same content.
     *
     * @throws NotCachedException  if the cache holds nothing for {@code url}
     * @throws EntryBusyException if a process is downloading it; nothing is removed
     */
    PruneReport remove(URI url) throws IOException {
        Inventory inventory = Inventory.take(store);
        Inventory.Entry entry = inventory.entry(store.entry(url).key()).filter(Inventory.Entry::isVisible)
                .orElseThrow(() -> new NotCachedException(url));
        Eviction eviction = new Eviction(store, locks, inventory, false);
        if (eviction.evictEntry(entry) < 0) {
            throw new EntryBusyException(url, eviction.skipped().getFirst().holder());
        }
        return eviction.report();
    }

    private static boolean isVisible(Inventory.Item item) {
        return !(item instanceof Inventory.Entry entry) || entry.isVisible();
    }

    private void deleteStaleTempFiles(Eviction eviction) throws IOException {
        for (Path temp : store.tempFilesOutsideEntries()) {
            if (isStale(temp)) {
                eviction.deleteTempFile(temp);
            }
        }
    }

    private boolean isStale(Path temp) throws IOException {
        Matcher writer = TEMP_WRITER.matcher(temp.getFileName().toString());
        if (!writer.find()) {
            return false; // not named by hoard's AtomicFiles: not ours to judge
        }
        boolean writerAlive;
        try {
            writerAlive = ProcessHandle.of(Long.parseLong(writer.group(1))).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            writerAlive = false;
        }
        try {
            Instant written = Files.getLastModifiedTime(temp, LinkOption.NOFOLLOW_LINKS).toInstant();
            return !writerAlive && written.isBefore(clock.instant().minus(STALE_TEMP_AGE));
        } catch (NoSuchFileException e) {
            return false; // renamed into place meanwhile
        }
    }
}
