package dev.hoard;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * Waiting for the lock holder of an entry took longer than the request allowed ({@link FetchRequest#lockTimeout}).
 * Nothing was downloaded; the holder goes on. Retry later, or allow a longer wait.
 */
public final class LockTimeoutException extends IOException {
    private final URI url;
    private final LockHolder holder;
    private final Duration waited;

    public LockTimeoutException(URI url, LockHolder holder, Duration waited) {
        super("gave up after " + waited.toSeconds() + "s waiting for " + url + ", held by "
                + (holder == null ? "another process" : holder.toString()));
        this.url = url;
        this.holder = holder;
        this.waited = waited;
    }

    /** The URL whose entry was held. */
    public URI url() {
        return url;
    }

    /** The lock holder when we gave up, or null if it could not be read. */
    public LockHolder holder() {
        return holder;
    }

    public Duration waited() {
        return waited;
    }
}
