package dev.hoard.internal.fetch;

import dev.hoard.Digest;

/**
 * Hears how much of a download's file is final: the prefix its hash has read (which a segmented download advances
 * as its segments join up), and the cuts that take part of it back. The shared tier's lease holder uploads chunks
 * of that prefix while it downloads ({@link dev.hoard.internal.shared.ChunkUpload}). Called from the hash and download threads.
 */
interface PrefixListener {
    /** Hears nothing. */
    PrefixListener NONE = new PrefixListener() {
    };

    /** Bytes {@code [0, end)} are in the file and stay as they are unless {@link #cut} says otherwise. */
    default void hashed(long end) {
    }

    /** The file was truncated to {@code size} bytes: what was beyond will be written again, maybe differently. */
    default void cut(long size) {
    }

    /** Every how many bytes the hash's state is wanted ({@link #digestAt}); 0 for never. */
    default long digestEvery() {
        return 0;
    }

    /** The SHA-256 of the file's first {@code end} bytes, a multiple of {@link #digestEvery}. */
    default void digestAt(long end, Digest sha256) {
    }
}
