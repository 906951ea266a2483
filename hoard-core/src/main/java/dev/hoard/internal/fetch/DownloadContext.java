package dev.hoard.internal.fetch;

import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import java.net.URI;

/**
 * What every part of one download shares and nothing changes: the request, the way to the server, the retry and
 * segmentation rules, and the listener to tell.
 */
record DownloadContext(FetchRequest request, Exchange exchange, Backoff backoff, SegmentationPolicy policy,
        FetchListener listener) {

    URI url() {
        return request.uri();
    }

    RetryBudget newBudget() {
        return new RetryBudget(backoff, listener, url());
    }
}
