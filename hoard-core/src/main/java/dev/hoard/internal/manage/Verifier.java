package dev.hoard.internal.manage;

import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import dev.hoard.Verification;
import dev.hoard.internal.digest.FileHash;
import dev.hoard.internal.lock.EntryLocks;
import dev.hoard.internal.store.BlobScan;
import dev.hoard.internal.store.CacheStore;
import dev.hoard.internal.store.EntryMetadata;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * hoard verify: re-hashes stored content against what the cache recorded about it. A blob's SHA-256 must equal its
 * name and the {@code sha256} of every entry naming it, its size the entry's {@code size}, and, when the entry was
 * requested with an expected digest, that digest too.
 *
 * <p>Blobs are read without a lock (they never change once published) and each is hashed once, however many entries
 * share it, in every algorithm some entry needs. Repair deletes a corrupt blob at once (no one should read it again)
 * and removes the entries naming it through {@link Eviction}, under their locks; an entry being downloaded is left
 * to its lock holder, which replaces its metadata anyway.
 *
 * <p>One instance serves one run: it remembers the hashes it computed.
 */
final class Verifier {
    private final CacheStore store;
    private final EntryLocks locks;
    /** The algorithms some target needs, per blob. */
    private final Map<Digest, Set<DigestAlgorithm>> needed = new HashMap<>();
    /** Blobs hashed so far; empty for a blob that is gone. */
    private final Map<Digest, Optional<FileHash>> hashes = new HashMap<>();

    Verifier(CacheStore store, EntryLocks locks) {
        this.store = store;
        this.locks = locks;
    }

    /** One thing to check: an entry with metadata, a loose blob, or a URL that is not cached. */
    private record Target(URI url, Inventory.Entry entry, BlobScan.Blob loose) {
    }

    /** The outcome of a check, and whether the blob itself (not just the entry) is bad. */
    private record Check(Verification verification, boolean blobCorrupt) {
    }

    List<Verification> verify(List<URI> urls, boolean repair, Consumer<Verification> each) throws IOException {
        Inventory inventory = Inventory.take(store);
        List<Target> targets = urls.isEmpty() ? everything(inventory) : named(inventory, urls);
        recordAlgorithmsNeeded(targets);
        Eviction eviction = new Eviction(store, locks, inventory, false);
        List<Verification> results = new ArrayList<>();
        if (urls.isEmpty()) {
            for (String damage : inventory.layoutDamage()) { // pruning everything repairs it, not --repair
                Verification broken = corrupt(null, null, damage, null, null, false).verification();
                each.accept(broken);
                results.add(broken);
            }
        }
        for (Target target : targets) {
            Check check = check(target);
            Verification result = check.verification();
            if (repair && result.outcome() == Verification.Outcome.CORRUPT) {
                result = repair(target, check, eviction);
            }
            each.accept(result);
            results.add(result);
        }
        if (repair) {
            eviction.report(); // drops aliases of deleted blobs
        }
        return results;
    }

    private static List<Target> everything(Inventory inventory) {
        List<Target> targets = new ArrayList<>();
        inventory.entries().stream().filter(e -> e.metadata() != null || e.damage() != null)
                .sorted(Comparator.comparing(Inventory.Entry::name))
                .forEach(e -> targets.add(new Target(e.url(), e, null)));
        inventory.looseBlobs().forEach(b -> targets.add(new Target(null, null, b.blob())));
        return targets;
    }

    private List<Target> named(Inventory inventory, List<URI> urls) {
        List<Target> targets = new ArrayList<>();
        for (URI url : urls) {
            Inventory.Entry entry = inventory.entry(store.entry(url).key())
                    .filter(e -> e.metadata() != null || e.damage() != null).orElse(null);
            targets.add(new Target(url, entry, null));
        }
        return targets;
    }

    private void recordAlgorithmsNeeded(List<Target> targets) {
        for (Target target : targets) {
            if (target.entry() != null && target.entry().metadata() != null) {
                EntryMetadata m = target.entry().metadata();
                Set<DigestAlgorithm> algorithms = needed.computeIfAbsent(m.sha256(),
                        d -> EnumSet.of(DigestAlgorithm.SHA256));
                if (m.expectedDigest() != null) {
                    algorithms.add(m.expectedDigest().algorithm());
                }
            } else if (target.loose() != null) {
                needed.computeIfAbsent(target.loose().sha256(), d -> EnumSet.of(DigestAlgorithm.SHA256));
            }
        }
    }

    /** The blob's hashes in every algorithm a target needs, computed once; empty if the blob is gone. */
    private Optional<FileHash> hashOf(Digest sha256) throws IOException {
        Optional<FileHash> known = hashes.get(sha256);
        if (known != null) {
            return known;
        }
        Optional<FileHash> hash;
        try {
            hash = Optional.of(FileHash.of(store.blobPath(sha256), needed.get(sha256)));
        } catch (NoSuchFileException e) {
            hash = Optional.empty();
        } catch (FileSystemException e) {
            if (store.layoutDamage().isEmpty()) {
                throw e;
            }
            hash = Optional.empty(); // blobs/ is not a directory (reported): no blob is there
        }
        hashes.put(sha256, hash);
        return hash;
    }

    private Check check(Target target) throws IOException {
        if (target.loose() != null) {
            return checkLoose(target.loose());
        }
        if (target.entry() == null) {
            return new Check(new Verification(target.url(), null, Verification.Outcome.NOT_CACHED,
                    "not in the cache", null, null, false), false);
        }
        if (target.entry().damage() != null) {
            return corrupt(target.url(), null, target.entry().damage(), null, null, false);
        }
        return checkEntry(target.url(), target.entry().metadata());
    }

    private Check checkEntry(URI url, EntryMetadata m) throws IOException {
        Digest name = m.sha256();
        Optional<FileHash> hash = hashOf(name);
        if (hash.isEmpty()) {
            return corrupt(url, name, "its blob " + store.blobPath(name) + " is missing", null, null, false);
        }
        Digest actual = hash.get().in(DigestAlgorithm.SHA256);
        if (!actual.equals(name)) {
            return corrupt(url, name, "the blob's content has " + actual + ", not " + name + " (its name)", name,
                    actual, true);
        }
        if (hash.get().size() != m.size()) {
            return corrupt(url, name, "the blob has " + hash.get().size() + " bytes, its metadata records "
                    + m.size(), null, null, false);
        }
        Digest expected = m.expectedDigest();
        if (expected != null && !expected.equals(hash.get().in(expected.algorithm()))) {
            Digest other = hash.get().in(expected.algorithm());
            return corrupt(url, name, "the content has " + other + ", but was requested with " + expected,
                    expected, other, false);
        }
        return new Check(new Verification(url, name, Verification.Outcome.OK, null, null, null, false), false);
    }

    private Check checkLoose(BlobScan.Blob blob) throws IOException {
        Optional<FileHash> hash = hashOf(blob.sha256());
        if (hash.isEmpty()) { // removed since the snapshot: nothing left to check
            return new Check(new Verification(null, blob.sha256(), Verification.Outcome.OK, null, null, null,
                    false), false);
        }
        Digest actual = hash.get().in(DigestAlgorithm.SHA256);
        if (!actual.equals(blob.sha256())) {
            return corrupt(null, blob.sha256(), "the blob's content has " + actual + ", not " + blob.sha256()
                    + " (its name)", blob.sha256(), actual, true);
        }
        return new Check(new Verification(null, blob.sha256(), Verification.Outcome.OK, null, null, null, false),
                false);
    }

    private static Check corrupt(URI url, Digest digest, String problem, Digest expected, Digest actual,
            boolean blobCorrupt) {
        return new Check(new Verification(url, digest, Verification.Outcome.CORRUPT, problem, expected, actual,
                false), blobCorrupt);
    }

    /** Deletes a corrupt blob, and the entry (under its lock) unless a process is downloading it. */
    private static Verification repair(Target target, Check check, Eviction eviction) throws IOException {
        Verification v = check.verification();
        if (check.blobCorrupt()) {
            eviction.deleteCorruptBlob(v.digest());
        }
        if (target.entry() == null) {
            return withRepair(v, v.problem(), true);
        }
        int skippedBefore = eviction.skipped().size();
        if (eviction.evictEntry(target.entry()) < 0) {
            var holder = eviction.skipped().get(skippedBefore).holder();
            return withRepair(v, v.problem() + "; the entry was left to "
                    + (holder == null ? "the process" : "pid " + holder.pid()) + " downloading it", false);
        }
        return withRepair(v, v.problem(), true);
    }

    private static Verification withRepair(Verification v, String problem, boolean repaired) {
        return new Verification(v.url(), v.digest(), v.outcome(), problem, v.expected(), v.actual(), repaired);
    }
}
