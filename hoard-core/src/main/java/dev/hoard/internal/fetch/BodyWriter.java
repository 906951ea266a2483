package dev.hoard.internal.fetch;

import java.io.IOException;

/**
 * Writes response bodies into the partial file: front to back ({@link SequentialWriter}), or by segments over
 * several connections ({@link SegmentedWriter}). {@link Download} chooses with its {@link SegmentationPolicy}.
 */
sealed interface BodyWriter permits SequentialWriter, SegmentedWriter {

    /**
     * Writes {@code body} into the file at its offset, and closes it.
     *
     * @param body a body the download has in hand; a segmented writer also takes null, to fetch every segment anew
     * @throws dev.hoard.DownloadException when the source failed for good (a segment's retries were spent)
     * @throws IOException                 when the file could not be written: not retried
     */
    Written write(Reply.Body body) throws IOException, InterruptedException;

    /** Bytes received over the network by this writer so far. */
    long transferred();

    /** What the file holds after a {@link #write}. */
    sealed interface Written {
    }

    /** All of it: the size and digests of exactly the bytes in the file. */
    record Whole(Transfer.Received received) implements Written {
    }

    /** The body broke off or ended early; what was written stays, and the next attempt asks for the rest. */
    record Broken(Reply.Retry why) implements Written {
    }

    /**
     * Start the file over with one whole-file request: a segment's range was answered with the whole file or another
     * range (the remote changed, or ignores ranges), or a first range turned out not to be worth splitting.
     */
    record StartOver(String why) implements Written {
    }
}
