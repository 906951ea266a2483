package dev.hoard.internal.step;

import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import dev.hoard.FetchResult;
import java.io.IOException;

/**
 * One step of answering a request. Steps wrap the next one, so features that only prepare a request or post-process
 * its result stay out of the fetch protocol: {@code Hoard} chains decompression, then checksum files, then the
 * {@link dev.hoard.internal.fetch.Fetcher}.
 */
@FunctionalInterface
public interface FetchStep {

    /** Answers {@code request}, calling {@link FetchListener#finished} once on success, like {@link dev.hoard.internal.fetch.Fetcher}. */
    FetchResult fetch(FetchRequest request, FetchListener listener) throws IOException, InterruptedException;
}
