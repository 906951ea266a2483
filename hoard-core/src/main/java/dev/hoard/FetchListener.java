package dev.hoard;

import java.net.URI;

/**
 * Sees what a fetch is doing, so a caller can show progress. Every method has an empty default; implement what you
 * need. Methods are called on the fetching thread and should return quickly. The library itself prints nothing.
 */
public interface FetchListener {

    /** A listener that ignores everything. */
    FetchListener NONE = new FetchListener() {
    };

    /**
     * Another process (or thread) holds the entry; called about twice a second while waiting.
     *
     * @param holder      who holds it, or null if not known yet
     * @param holderBytes how many bytes the holder has downloaded so far (-1 if unknown)
     * @param totalBytes  the expected size (-1 if unknown)
     */
    default void waiting(URI url, LockHolder holder, long holderBytes, long totalBytes) {
    }

    /** A body transfer begins. {@code totalBytes} is -1 when the server did not say. */
    default void started(URI url, long totalBytes) {
    }

    /**
     * A download continues a partial file (left by a crashed process, or by an earlier attempt) from {@code offset}
     * instead of starting over.
     */
    default void resumed(URI url, long offset, long totalBytes) {
    }

    /** An attempt failed and will be retried after {@code delay}; {@code attempt} counts from 1. */
    default void retrying(URI url, int attempt, java.time.Duration delay, String reason) {
    }

    /** Bytes arrived; {@code bytes} counts all the file holds so far, including resumed bytes. */
    default void progress(URI url, long bytes, long totalBytes) {
    }

    /**
     * Decompression into the output begins ({@link FetchRequest#decompress}), after the compressed file was fetched.
     *
     * @param format          {@code gzip}, {@code bzip2}, {@code xz} or {@code zstd}
     * @param compressedBytes the size of the compressed file
     */
    default void decompressionStarted(URI url, String format, long compressedBytes) {
    }

    /**
     * Decompressed bytes were written; called about once per MiB written, and once more at the end with
     * {@code compressedRead == compressedBytes}.
     *
     * @param compressedRead    compressed bytes consumed so far
     * @param compressedBytes   the size of the compressed file
     * @param decompressedBytes decompressed bytes written so far
     */
    default void decompressionProgress(URI url, long compressedRead, long compressedBytes, long decompressedBytes) {
    }

    /** Something the user should hear about that did not stop the fetch, e.g. a failed revalidation. */
    default void warning(URI url, String message) {
    }

    /** The fetch finished successfully. */
    default void finished(FetchResult result) {
    }
}
