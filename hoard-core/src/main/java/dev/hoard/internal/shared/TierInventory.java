package dev.hoard.internal.shared;

import dev.hoard.Digest;
import dev.hoard.SharedPruneReport;
import dev.hoard.SharedTierEntry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the tier holds, from four listings (chunks, content indexes, records, leases) and one GET per index, record
 * and lease; and pruning it: chunk sets least recently stored first (S3 keeps no read times), never a set that a
 * live lease's URL or heartbeat names, the records and the index naming a set before its chunks, so that no reader
 * finds a name without its chunks for long.
 */
public final class TierInventory {
    /**
     * A chunk set that nothing names and no live lease uploads is an abandoned upload once its newest chunk is this
     * old; younger, it may be a {@code hoard push} in progress (which holds no lease).
     */
    static final Duration ABANDONED_AFTER = Duration.ofMinutes(2);

    private final SharedTier tier;
    private final ObjectStore store;

    public TierInventory(SharedTier tier) throws IOException {
        this.tier = tier;
        this.store = tier.store();
    }

    /** A name for a chunk set: a record or a content index, and the key it is at. */
    private record Named(String key, String url, Digest sha256, long size, Chunks chunks) {
    }

    /** One chunk set as listed: its chunk keys, their total size and the newest chunk's time. */
    private record Stored(String set, List<String> keys, long size, Instant newest, Instant storeNow) {
    }

    /** One lease generation: the newest under its URL's prefix, with the set its heartbeat names. */
    private record LeaseState(String key, LeaseHolder holder, Instant written, boolean stale, String set) {
    }

    /** Everything listed at once. */
    private record Listing(Map<String, Stored> sets, List<Named> names, List<LeaseState> leases) {
        Set<String> uploading() {
            Set<String> sets = new HashSet<>();
            leases.stream().filter(l -> !l.stale() && l.set() != null).forEach(l -> sets.add(l.set()));
            return sets;
        }

        Set<String> busyUrls() {
            Set<String> urls = new HashSet<>();
            leases.stream().filter(l -> !l.stale() && l.holder() != null).forEach(l -> urls.add(l.holder().url()));
            return urls;
        }

        List<Named> namesOf(String set) {
            return names.stream().filter(n -> n.chunks().set().equals(set)).toList();
        }

        Instant storeNow() {
            return sets.values().stream().map(Stored::storeNow).filter(t -> t != null).findFirst().orElse(null);
        }
    }

    private Listing list() throws IOException {
        return new Listing(sets(), names(), leases());
    }

    /**
     * Everything the tier holds: records with their content, content no record names, leases, and abandoned
     * uploads. Oldest first.
     */
    public List<SharedTierEntry> entries() throws IOException {
        Listing l = list();
        List<SharedTierEntry> entries = new ArrayList<>();
        Set<String> named = new HashSet<>();
        Set<Digest> recorded = new HashSet<>();
        for (Named n : l.names()) {
            named.add(n.chunks().set());
            if (n.url() == null) {
                continue;
            }
            recorded.add(n.sha256());
            Stored s = l.sets().get(n.chunks().set());
            boolean complete = s != null && s.size() == n.size() && s.keys().size() == n.chunks().count(n.size());
            entries.add(new SharedTierEntry(n.url(), n.sha256(), complete ? n.size() : -1,
                    s == null ? null : s.newest(), complete ? "complete" : "missing", null));
        }
        for (Named n : l.names()) {
            Stored s = l.sets().get(n.chunks().set());
            if (n.url() == null && !recorded.contains(n.sha256()) && s != null && s.size() == n.size()) {
                entries.add(new SharedTierEntry(null, n.sha256(), n.size(), s.newest(), "complete", null));
                recorded.add(n.sha256());
            }
        }
        Set<String> uploading = l.uploading();
        for (LeaseState lease : l.leases()) {
            Stored s = lease.set() == null ? null : l.sets().get(lease.set());
            entries.add(new SharedTierEntry(lease.holder() == null ? null : lease.holder().url(), null,
                    s == null ? -1 : s.size(), lease.written(), lease.stale() ? "stale lease" : "downloading",
                    lease.holder() == null ? null : "pid " + lease.holder().pid() + " on " + lease.holder().host()));
        }
        for (Stored s : l.sets().values()) {
            if (!named.contains(s.set()) && !uploading.contains(s.set())) {
                entries.add(new SharedTierEntry(null, null, s.size(), s.newest(), "abandoned upload", null));
            }
        }
        entries.sort(Comparator.comparing(SharedTierEntry::stored, Comparator.nullsFirst(Comparator.naturalOrder())));
        return entries;
    }

    /**
     * Removes chunk sets (and the records and index naming them) stored before {@code olderThan} ago by the store's
     * clock, or the oldest until at most {@code maxSize} bytes are left; both null: everything, and then stale
     * leases, leftover probes and names whose chunks are gone too. A set that a live lease uploads or whose URL it
     * downloads is skipped; so is an unnamed set younger than {@link #ABANDONED_AFTER}.
     */
    public SharedPruneReport prune(Duration olderThan, Long maxSize, boolean dryRun) throws IOException {
        Listing l = list();
        Set<String> uploading = l.uploading();
        Set<String> busyUrls = l.busyUrls();
        Instant now = l.storeNow();
        long total = l.sets().values().stream().mapToLong(Stored::size).sum();
        List<Stored> oldestFirst = new ArrayList<>(l.sets().values());
        oldestFirst.sort(Comparator.comparing(Stored::newest));
        List<SharedTierEntry> removed = new ArrayList<>();
        List<SharedTierEntry> skipped = new ArrayList<>();
        long freed = 0;
        for (Stored set : oldestFirst) {
            boolean selected = olderThan != null ? now != null && set.newest().isBefore(now.minus(olderThan))
                    : maxSize == null || total - freed > maxSize;
            if (!selected) {
                continue;
            }
            List<Named> names = l.namesOf(set.set());
            Named first = names.stream().filter(n -> n.url() != null).findFirst()
                    .orElse(names.isEmpty() ? null : names.get(0));
            SharedTierEntry entry = new SharedTierEntry(first == null ? null : first.url(),
                    first == null ? null : first.sha256(), set.size(), set.newest(),
                    first == null ? "abandoned upload" : "complete", null);
            boolean young = now != null && set.newest().isAfter(now.minus(ABANDONED_AFTER));
            if (uploading.contains(set.set()) || names.stream().anyMatch(n -> busyUrls.contains(n.url()))
                    || names.isEmpty() && young) {
                skipped.add(entry);
                continue;
            }
            if (!dryRun) {
                for (Named n : names.stream().sorted(Comparator.comparing(n -> n.url() == null)).toList()) {
                    store.delete(n.key()); // records first, then the index
                }
                for (String key : set.keys()) {
                    store.delete(key);
                }
            }
            removed.add(entry);
            freed += set.size();
        }
        if (!dryRun && olderThan == null && maxSize == null) {
            for (Named n : l.names()) {
                if (!l.sets().containsKey(n.chunks().set())) {
                    store.delete(n.key()); // its chunks are gone: it can only send readers to the origin
                }
            }
            for (LeaseState lease : l.leases()) {
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

    private Map<String, Stored> sets() throws IOException {
        String prefix = tier.key("chunks/");
        Map<String, List<ObjectStore.Stat>> bySet = new LinkedHashMap<>();
        for (ObjectStore.Stat s : store.list(prefix)) {
            String rest = s.key().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash > 0 && rest.substring(slash + 1).matches("[0-9]{1,9}")) {
                bySet.computeIfAbsent(rest.substring(0, slash), k -> new ArrayList<>()).add(s);
            }
        }
        Map<String, Stored> sets = new LinkedHashMap<>();
        bySet.forEach((set, chunks) -> sets.put(set, new Stored(set,
                chunks.stream().map(ObjectStore.Stat::key).toList(),
                chunks.stream().mapToLong(ObjectStore.Stat::size).sum(),
                chunks.stream().map(ObjectStore.Stat::lastModified).max(Comparator.naturalOrder()).orElseThrow(),
                chunks.get(0).storeNow())));
        return sets;
    }

    /** Records first, then content indexes: what names chunk sets. */
    private List<Named> names() throws IOException {
        List<Named> names = new ArrayList<>();
        for (ObjectStore.Stat s : store.list(tier.key("urls/"))) {
            read(s.key()).ifPresent(body -> {
                try {
                    TierRecord r = TierRecord.parse(body);
                    names.add(new Named(s.key(), r.url(), r.sha256(), r.size(), r.chunks()));
                } catch (IllegalArgumentException e) {
                    // not a record of this format: neither listed nor pruned
                }
            });
        }
        for (ObjectStore.Stat s : store.list(tier.key("content/"))) {
            read(s.key()).ifPresent(body -> {
                try {
                    TierContent c = TierContent.parse(body);
                    names.add(new Named(s.key(), null, c.sha256(), c.size(), c.chunks()));
                } catch (IllegalArgumentException e) {
                    // not an index of this format
                }
            });
        }
        return names;
    }

    private Optional<byte[]> read(String key) throws IOException {
        return store.read(key).map(ObjectStore.Read::body);
    }

    private List<LeaseState> leases() throws IOException {
        String prefix = tier.key("leases/");
        Map<String, List<ObjectStore.Stat>> byUrl = new LinkedHashMap<>();
        for (ObjectStore.Stat s : store.list(prefix)) {
            String rest = s.key().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                byUrl.computeIfAbsent(prefix + rest.substring(0, slash + 1), k -> new ArrayList<>()).add(s);
            }
        }
        List<LeaseState> leases = new ArrayList<>();
        for (Map.Entry<String, List<ObjectStore.Stat>> e : byUrl.entrySet()) {
            SharedTier.Generations g = SharedTier.Generations.of(e.getValue(), e.getKey());
            if (g.top() < 0) {
                continue;
            }
            String key = e.getKey() + g.top();
            LeaseHolder holder = read(key).map(body -> {
                try {
                    return LeaseHolder.parse(body);
                } catch (IllegalArgumentException ex) {
                    return null;
                }
            }).orElse(null);
            Lease.Progress progress = read(key + ".hb").map(LeaseHolder::progress).orElse(Lease.Progress.UNKNOWN);
            leases.add(new LeaseState(key, holder, g.newestWrite(), g.stale(SharedTier.STALE_AFTER),
                    progress.chunks() == null ? null : progress.chunks().set()));
        }
        return leases;
    }
}
