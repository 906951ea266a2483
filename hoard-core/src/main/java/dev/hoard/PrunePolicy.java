package dev.hoard;

import java.time.Duration;

/** What {@link Hoard#prune} removes. Entries that a process is downloading are never removed, whatever the policy. */
public sealed interface PrunePolicy {

    /** Everything: every entry, every blob (also those no entry names), partial downloads and stale temp files. */
    static PrunePolicy all() {
        return new All();
    }

    /** Entries (and blobs no entry names) not used for {@code age}. */
    static PrunePolicy olderThan(Duration age) {
        return new OlderThan(age);
    }

    /** Least recently used entries first, until blobs and partial downloads take at most {@code bytes}. */
    static PrunePolicy maxSize(long bytes) {
        return new MaxSize(bytes);
    }

    /** Partial downloads that no process is writing, and temp files their dead writers left. Complete content stays. */
    static PrunePolicy partials() {
        return new Partials();
    }

    record All() implements PrunePolicy {
    }

    record OlderThan(Duration age) implements PrunePolicy {
        public OlderThan {
            if (age == null || age.isNegative()) {
                throw new IllegalArgumentException("the age to prune must not be negative");
            }
        }
    }

    record MaxSize(long bytes) implements PrunePolicy {
        public MaxSize {
            if (bytes < 0) {
                throw new IllegalArgumentException("the size to prune to must not be negative");
            }
        }
    }

    record Partials() implements PrunePolicy {
    }
}
