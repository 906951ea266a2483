package dev.hoard;

import java.io.IOException;

/** The content does not have the expected digest. Nothing was cached or written. */
public final class IntegrityException extends IOException {
    private final Digest expected;
    private final Digest actual;

    public IntegrityException(String what, Digest expected, Digest actual) {
        super("digest mismatch for " + what + ": expected " + expected + ", got " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public Digest expected() {
        return expected;
    }

    public Digest actual() {
        return actual;
    }
}
