package dev.hoard;

import java.io.IOException;
import java.time.Duration;

/** Waiting for another process that holds an entry took longer than the request allowed. */
public final class LockTimeoutException extends IOException {
    private final LockHolder holder;
    private final Duration waited;

    public LockTimeoutException(String what, LockHolder holder, Duration waited) {
        super("gave up after " + waited.toSeconds() + "s waiting for " + what + ", held by "
                + (holder == null ? "another process" : holder.toString())
                + "; retry later or raise --lock-timeout");
        this.holder = holder;
        this.waited = waited;
    }

    /** The lock holder when we gave up, or null if it could not be read. */
    public LockHolder holder() {
        return holder;
    }

    public Duration waited() {
        return waited;
    }
}
