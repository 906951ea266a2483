package dev.hoard.internal.fetch;

import dev.hoard.internal.http.HttpTransport;
import dev.hoard.internal.shared.SharedTier;
import java.time.Clock;

/**
 * How a {@link Fetcher} reaches servers and runs downloads: fixed when the cache is opened.
 *
 * @param connections connections per download: 1 to 16, or 0 to choose by itself ({@link SegmentationPolicy})
 * @param host        this machine's name, recorded with the lock holder's pid
 * @param sharedTier  the shared tier to ask on a local miss, or null for none
 */
public record FetchSettings(HttpTransport http, Backoff backoff, int connections, Clock clock, String host,
        SharedTier sharedTier) {

    public FetchSettings(HttpTransport http, Backoff backoff, int connections, Clock clock, String host) {
        this(http, backoff, connections, clock, host, null);
    }
}
