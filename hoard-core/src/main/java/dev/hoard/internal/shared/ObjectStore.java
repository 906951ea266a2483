package dev.hoard.internal.shared;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The few object-store operations the shared tier needs, on keys inside one bucket. The one implementation,
 * {@code s3.LightweightS3Store}, is the only class that touches the S3 client library; {@link SharedTier} loads it
 * by name, so that a process without a tier, or one whose fetches hit locally, never loads the library.
 *
 * <p>Every method throws {@link StoreException} for an answer that is neither success nor the documented "not
 * there" or "exists" (a 403, a 5xx, a 501) and {@link IOException} when the store cannot be reached in time.
 */
public interface ObjectStore {

    /** An object's facts, and the store's own clock ({@code Date}) when it answered, to judge ages by. */
    record Stat(String key, long size, Instant lastModified, Instant storeNow) {
    }

    /** A small object read whole. */
    record Read(byte[] body, Instant lastModified, Instant storeNow) {
    }

    /** How a create-if-absent ({@code PUT} with {@code If-None-Match: *}) ended. */
    enum Created {
        /** 200: this request created it. */
        CREATED,
        /** 412: it existed. */
        EXISTS,
        /** 500 or 409 after the race, as Ceph answers some losers: read it back to know. */
        UNKNOWN
    }

    Optional<Stat> head(String key) throws IOException;

    Optional<Read> read(String key) throws IOException;

    Created createIfAbsent(String key, byte[] body) throws IOException;

    void put(String key, byte[] body) throws IOException;

    /**
     * Puts content that every reader verifies by its own digest: its payload is not hashed into the signature
     * ({@code UNSIGNED-PAYLOAD}), which spares a SHA-256 pass over every byte uploaded.
     */
    void putContent(String key, byte[] body) throws IOException;

    /** An object's body as a stream, for content too large to hold twice; empty if it is not there. */
    Optional<InputStream> stream(String key) throws IOException;

    /** Every object under {@code prefix}, all pages. */
    List<Stat> list(String prefix) throws IOException;

    void delete(String key) throws IOException;
}
