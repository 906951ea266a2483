package dev.hoard;

import java.net.URI;

/**
 * The result of re-hashing one entry (or one blob that no entry names), from {@link Hoard#verify}.
 *
 * @param url      the entry's URL; null for a blob no entry names
 * @param digest   the SHA-256 the entry records for its content (the blob's name), or null if not cached
 * @param outcome  ok, corrupt, or not cached
 * @param problem  what is wrong, in one sentence; null when ok
 * @param expected the digest the content should have, when the problem is a digest mismatch; else null
 * @param actual   the digest the content has, when the problem is a digest mismatch; else null
 * @param repaired true if repair was asked for and the corrupt blob and entry were removed
 */
public record Verification(URI url, Digest digest, Outcome outcome, String problem, Digest expected, Digest actual,
        boolean repaired) {

    public enum Outcome {
        /** The content hashes to its recorded digests and has its recorded size. */
        OK("ok"),
        /** The content does not match what is recorded, or the blob is missing. */
        CORRUPT("corrupt"),
        /** A URL that was asked for is not in the cache. */
        NOT_CACHED("not-cached");

        private final String label;

        Outcome(String label) {
            this.label = label;
        }

        /** The lower-case name used in output, e.g. {@code not-cached}. */
        public String label() {
            return label;
        }
    }
}
