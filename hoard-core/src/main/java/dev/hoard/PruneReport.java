package dev.hoard;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Hoard#prune} or {@link Hoard#remove} removed (or, in a dry run, would remove) and what it left alone.
 *
 * @param dryRun    true if nothing was deleted: the report says what would have been
 * @param removed   what was removed, least recently used first
 * @param skipped   entries left alone because a process was downloading them
 * @param bytesLeft the bytes that blobs and partial downloads take afterwards
 */
public record PruneReport(boolean dryRun, List<Removed> removed, List<Skipped> skipped, long bytesLeft) {

    public PruneReport {
        removed = List.copyOf(removed);
        skipped = List.copyOf(skipped);
    }

    /** The bytes freed: the sum of {@link Removed#bytes()}. */
    public long bytesFreed() {
        return removed.stream().mapToLong(Removed::bytes).sum();
    }

    /** How many things of this kind were removed. */
    public long count(Kind kind) {
        return removed.stream().filter(r -> r.kind() == kind).count();
    }

    public enum Kind {
        /** A URL's entry, with its partial downloads, and its blob unless another entry names the same content. */
        ENTRY,
        /** A blob that no entry named. */
        BLOB,
        /** A partial download that no process was writing. */
        PARTIAL,
        /** A temp file of an atomic write whose writer is gone. */
        TEMP_FILE,
        /**
         * Something an outside hand put where the cache keeps a directory (a file or a symlink for {@code blobs/} or
         * {@code entries/}), replaced by an empty directory when everything is pruned.
         */
        DAMAGED
    }

    /**
     * One thing removed.
     *
     * @param kind     what it was
     * @param url      the entry's URL (ENTRY, PARTIAL), or null if none or never recorded
     * @param digest   the SHA-256 of the content (ENTRY with complete content, BLOB), else null
     * @param file     the blob deleted (ENTRY, BLOB), the partial or temp file (PARTIAL, TEMP_FILE), the entry's
     *                 directory for a damaged entry (ENTRY), the replaced file (DAMAGED); null for an entry whose blob
     *                 was kept or that had none
     * @param bytes    the bytes freed
     * @param blobKept true for an entry whose blob stays because another entry names the same content
     */
    public record Removed(Kind kind, URI url, Digest digest, Path file, long bytes, boolean blobKept) {
    }

    /**
     * An entry left alone because its lock was held: a process was downloading it.
     *
     * @param url    the entry's URL, or null if never recorded
     * @param holder the entry's lock holder, or null if it could not be named
     */
    public record Skipped(URI url, LockHolder holder) {
    }
}
