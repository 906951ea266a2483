package dev.hoard;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One thing the cache holds, as {@link Hoard#entries()} lists it: a URL's entry, or a stored blob that no entry names
 * (kept because a request with its digest is still answered from it).
 *
 * @param url       the entry's URL; null for a blob no entry names, or an entry whose URL was never recorded
 * @param state     complete, partial, downloading, missing, or damaged
 * @param digest    the SHA-256 of the complete content, or null if there is none yet
 * @param size      the complete content's size in bytes, or -1 if there is none yet
 * @param path      the blob holding the complete content, or null
 * @param fetchedAt when the complete content was downloaded (for a blob without an entry: when it was written), or
 *                  null
 * @param lastUsed  when the entry was last used (recorded at most hourly), or null if never
 * @param partial   the entry's partial download, or null if it has none
 * @param problem   for a {@link State#DAMAGED} item, what is wrong, naming the path; else null
 */
public record CacheEntryInfo(URI url, State state, Digest digest, long size, Path path, Instant fetchedAt,
        Instant lastUsed, Partial partial, String problem) {

    /** An item that is not damaged. */
    public CacheEntryInfo(URI url, State state, Digest digest, long size, Path path, Instant fetchedAt,
            Instant lastUsed, Partial partial) {
        this(url, state, digest, size, path, fetchedAt, lastUsed, partial, null);
    }

    /** A damaged entry (or part of the cache): {@code path} is what is damaged, {@code problem} says how. */
    public static CacheEntryInfo damaged(URI url, Path path, String problem) {
        return new CacheEntryInfo(url, State.DAMAGED, null, -1, path, null, null, null, problem);
    }

    public enum State {
        /** The content is stored and serves hits. */
        COMPLETE("complete"),
        /** No complete content, only a partial download that no process is writing (its writer died or failed). */
        PARTIAL("partial"),
        /** A process holds the entry's lock: it is downloading (or revalidating) it now. */
        DOWNLOADING("downloading"),
        /** The metadata names a blob that is gone; the next get downloads it again. */
        MISSING("missing"),
        /**
         * An outside hand broke it (a directory or a symlink where a file should be, metadata that is not metadata): it
         * serves nothing, a get downloads it again, and {@code rm}, {@code verify --repair} or pruning removes it.
         */
        DAMAGED("damaged");

        private final String label;

        State(String label) {
            this.label = label;
        }

        /** The lower-case name used in output, e.g. {@code complete}. */
        public String label() {
            return label;
        }
    }

    /**
     * A partial download.
     *
     * @param bytes  bytes written so far
     * @param length the full length if recorded (a resumable download records it), else -1
     * @param holder the lock holder writing it, or null if none is (or it could not be named)
     */
    public record Partial(long bytes, long length, LockHolder holder) {

        /** Percent done, 0 to 100, or -1 if the full length is not known. */
        public int percent() {
            return length <= 0 ? -1 : (int) Math.min(100, bytes * 100 / length);
        }
    }

    /** The bytes this item takes on disk by itself: its blob (which other entries may share) and its partial. */
    public long bytesOnDisk() {
        return Math.max(size, 0) + (partial == null ? 0 : partial.bytes());
    }
}
