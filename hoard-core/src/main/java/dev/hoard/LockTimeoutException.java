package dev.hoard;

import java.io.IOException;
import java.time.Duration;

/** Waiting for another process that holds an entry took longer than the request allowed. */
public final class LockTimeoutException extends IOException {
    private final LockOwner owner;
    private final Duration waited;

    public LockTimeoutException(String what, LockOwner owner, Duration waited) {
        super("gave up after " + waited.toSeconds() + "s waiting for " + what + ", held by "
                + (owner == null ? "another process" : owner.toString())
                + "; retry later or raise --lock-timeout");
        this.owner = owner;
        this.waited = waited;
    }

    /** The holder when we gave up, or null if it could not be read. */
    public LockOwner owner() {
        return owner;
    }

    public Duration waited() {
        return waited;
    }
}
