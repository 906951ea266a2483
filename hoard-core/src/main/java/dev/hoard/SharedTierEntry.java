package dev.hoard;

import java.time.Instant;

/**
 * One thing the shared tier holds, as {@code hoard ls --shared} lists it (docs/shared-tier.md).
 *
 * @param url     the URL a record names, or null for content that no record names (it still answers requests
 *                with its digest)
 * @param sha256  the content's digest, or null for a lease on a URL not stored yet
 * @param size    the content's size in bytes, or -1 if the content is missing
 * @param stored  when the content was uploaded, by the store's clock (S3 records no reads, so this is what
 *                "least recently used" means in the tier)
 * @param state   {@code complete}, {@code missing} (a record whose chunks are gone or incomplete), {@code
 *                downloading} (a live lease; {@code size} is what it has uploaded so far, or -1), {@code stale lease}
 *                (a holder that stopped) or {@code abandoned upload} (chunks nothing names: an upload that stopped,
 *                or a push in progress)
 * @param holder  who holds the lease ({@code pid P on HOST}), or null
 */
public record SharedTierEntry(String url, Digest sha256, long size, Instant stored, String state, String holder) {
}
