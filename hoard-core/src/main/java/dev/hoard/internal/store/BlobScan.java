package dev.hoard.internal.store;

import dev.hoard.Digest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What {@code blobs/} held when it was read, in one pass: complete blobs and partial downloads. A snapshot taken
 * without a lock; any file in it may be gone (or a new one there) by the time it is used.
 *
 * @param blobs    files named by a SHA-256
 * @param partials {@code .partial-<key>.*} files, each belonging to entry {@code key}
 */
public record BlobScan(List<Blob> blobs, List<Partial> partials) {

    public BlobScan {
        blobs = List.copyOf(blobs);
        partials = List.copyOf(partials);
    }

    /** A complete blob; {@code modified} is when its bytes were written, i.e. about when it was downloaded. */
    public record Blob(Digest sha256, Path path, long size, Instant modified) {
    }

    /** A partial download of entry {@code key}: being written by the entry's lock holder, or left by a dead one. */
    public record Partial(String key, Path path, long size, Instant modified) {
    }
}
