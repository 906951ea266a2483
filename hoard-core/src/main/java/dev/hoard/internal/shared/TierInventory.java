package dev.hoard.internal.shared;

import dev.hoard.Digest;
import dev.hoard.SharedPruneReport;
import dev.hoard.SharedTierEntry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the tier holds, from three listings (records, blobs, leases) and one GET per record and live lease; and
 * pruning it: content least recently stored first (S3 keeps no read times), never content whose URL has a live
 * lease, each record before the content it names, so that no reader finds a record without content for long.
 */
public final class TierInventory {
    private final SharedTier tier;
    private final ObjectStore store;

    public TierInventory(SharedTier tier) throws IOException {
        this.tier = tier;
        this.store = tier.store();
    }

    /** A record and the key it is at. */
    private record Stored(String key, TierRecord record) {
    }

    /** Everything the tier holds: records with their content, content no record names, leases. Oldest first. */
    public List<SharedTierEntry> entries() throws IOException {
        Map<Digest, ObjectStore.Stat> blobs = blobs();
        List<Stored> records = records();
        List<SharedTierEntry> entries = new ArrayList<>();
        Set<Digest> named = new HashSet<>();
        for (Stored s : records) {
            ObjectStore.Stat blob = blobs.get(s.record().sha256());
            named.add(s.record().sha256());
            entries.add(new SharedTierEntry(s.record().url(), s.record().sha256(), blob == null ? -1 : blob.size(),
                    blob == null ? s.record().storedAt() : blob.lastModified(), blob == null ? "missing" : "complete",
                    null));
        }
        blobs.forEach((sha256, stat) -> {
            if (!named.contains(sha256)) {
                entries.add(new SharedTierEntry(null, sha256, stat.size(), stat.lastModified(), "complete", null));
            }
        });
        for (Lease lease : leases()) {
            entries.add(new SharedTierEntry(lease.holder() == null ? null : lease.holder().url(), null, -1,
                    lease.written(), lease.stale() ? "stale lease" : "downloading",
                    lease.holder() == null ? null : "pid " + lease.holder().pid() + " on " + lease.holder().host()));
        }
        entries.sort(Comparator.comparing(SharedTierEntry::stored, Comparator.nullsFirst(Comparator.naturalOrder())));
        return entries;
    }

    /**
     * Removes content (and the records naming it) stored before {@code olderThan} ago by the store's clock, or the
     * oldest until at most {@code maxSize} bytes are left; both null: everything. Stale leases and leftover probes go
     * too; content whose URL has a live lease is skipped.
     */
    public SharedPruneReport prune(Duration olderThan, Long maxSize, boolean dryRun) throws IOException {
        Map<Digest, ObjectStore.Stat> blobs = blobs();
        Map<Digest, List<Stored>> recordsOf = new HashMap<>();
        for (Stored s : records()) {
            recordsOf.computeIfAbsent(s.record().sha256(), d -> new ArrayList<>()).add(s);
        }
        List<Lease> leases = leases();
        Set<String> busyUrls = new HashSet<>();
        leases.stream().filter(l -> !l.stale() && l.holder() != null).forEach(l -> busyUrls.add(l.holder().url()));
        Instant now = blobs.values().stream().map(ObjectStore.Stat::storeNow).findFirst().orElse(null);
        long total = blobs.values().stream().mapToLong(ObjectStore.Stat::size).sum();
        List<ObjectStore.Stat> oldestFirst = new ArrayList<>(blobs.values());
        oldestFirst.sort(Comparator.comparing(ObjectStore.Stat::lastModified));
        List<SharedTierEntry> removed = new ArrayList<>();
        List<SharedTierEntry> skipped = new ArrayList<>();
        long freed = 0;
        for (ObjectStore.Stat blob : oldestFirst) {
            Digest sha256 = Digest.sha256(blob.key().substring(blob.key().lastIndexOf('/') + 1));
            boolean selected = olderThan != null ? now != null && blob.lastModified().isBefore(now.minus(olderThan))
                    : maxSize == null || total - freed > maxSize;
            if (!selected) {
                continue;
            }
            List<Stored> records = recordsOf.getOrDefault(sha256, List.of());
            String url = records.isEmpty() ? null : records.get(0).record().url();
            SharedTierEntry entry = new SharedTierEntry(url, sha256, blob.size(), blob.lastModified(), "complete",
                    null);
            if (records.stream().anyMatch(s -> busyUrls.contains(s.record().url()))) {
                skipped.add(entry);
                continue;
            }
            if (!dryRun) {
                for (Stored s : records) {
                    store.delete(s.key());
                }
                store.delete(blob.key());
            }
            removed.add(entry);
            freed += blob.size();
        }
        if (!dryRun && olderThan == null && maxSize == null) {
            for (Lease lease : leases) {
                if (lease.stale()) {
                    store.delete(lease.key() + ".hb");
                    store.delete(lease.key());
                }
            }
            for (ObjectStore.Stat probe : store.list(tier.key("probes/"))) {
                store.delete(probe.key());
            }
        }
        return new SharedPruneReport(removed, skipped, freed, total - freed);
    }

    private Map<Digest, ObjectStore.Stat> blobs() throws IOException {
        Map<Digest, ObjectStore.Stat> blobs = new LinkedHashMap<>();
        String prefix = tier.key("blobs/sha256/");
        for (ObjectStore.Stat s : store.list(prefix)) {
            String hex = s.key().substring(prefix.length());
            if (hex.matches("[0-9a-f]{64}")) {
                blobs.put(Digest.sha256(hex), s);
            }
        }
        return blobs;
    }

    private List<Stored> records() throws IOException {
        List<Stored> records = new ArrayList<>();
        for (ObjectStore.Stat s : store.list(tier.key("urls/"))) {
            Optional<ObjectStore.Read> read = store.read(s.key());
            if (read.isEmpty()) {
                continue;
            }
            try {
                records.add(new Stored(s.key(), TierRecord.parse(read.get().body())));
            } catch (IllegalArgumentException e) {
                // not a record of this format: neither listed nor pruned
            }
        }
        return records;
    }

    /** One lease generation: the newest under its URL's prefix. */
    private record Lease(String key, LeaseHolder holder, Instant written, boolean stale) {
    }

    private List<Lease> leases() throws IOException {
        String prefix = tier.key("leases/");
        Map<String, List<ObjectStore.Stat>> byUrl = new LinkedHashMap<>();
        for (ObjectStore.Stat s : store.list(prefix)) {
            String rest = s.key().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                byUrl.computeIfAbsent(prefix + rest.substring(0, slash + 1), k -> new ArrayList<>()).add(s);
            }
        }
        List<Lease> leases = new ArrayList<>();
        for (Map.Entry<String, List<ObjectStore.Stat>> e : byUrl.entrySet()) {
            SharedTier.Generations g = SharedTier.Generations.of(e.getValue(), e.getKey());
            if (g.top() < 0) {
                continue;
            }
            String key = e.getKey() + g.top();
            LeaseHolder holder = store.read(key).map(r -> {
                try {
                    return LeaseHolder.parse(r.body());
                } catch (IllegalArgumentException ex) {
                    return null;
                }
            }).orElse(null);
            leases.add(new Lease(key, holder, g.newestWrite(), g.stale(SharedTier.STALE_AFTER)));
        }
        return leases;
    }
}
