package dev.hoard.internal.fetch;

import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import java.net.URI;

/**
 * What every part of one download shares and nothing changes: the request, the way to the server, the retry and
 * segmentation rules, the listener to tell, and who hears how much of the file is final.
 */
record DownloadContext(FetchRequest request, Exchange exchange, Backoff backoff, SegmentationPolicy policy,
        FetchListener listener, PrefixListener prefix) {

    DownloadContext(FetchRequest request, Exchange exchange, Backoff backoff, SegmentationPolicy policy,
            FetchListener listener) {
        this(request, exchange, backoff, policy, listener, PrefixListener.NONE);
    }

    URI url() {
        return request.uri();
    }

    RetryBudget newBudget() {
        return new RetryBudget(backoff, listener, url());
    }
}
