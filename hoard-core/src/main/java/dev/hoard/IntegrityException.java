package dev.hoard;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;

/**
 * The content does not have the expected digest: what was downloaded or copied from {@link #url()}, or an output
 * that already existed ({@link #existingOutput()}). Nothing was cached or written.
 */
public final class IntegrityException extends IOException {
    private final URI url;
    private final Path existingOutput;
    private final Digest expected;
    private final Digest actual;

    /** The content of {@code url} has {@code actual}, not {@code expected}. */
    public IntegrityException(URI url, Digest expected, Digest actual) {
        this(url, null, expected, actual);
    }

    /**
     * The output path of a request for {@code url} already existed and has {@code actual}, not {@code expected}; it
     * was left untouched. With {@code existingOutput} null, as {@link #IntegrityException(URI, Digest, Digest)}.
     */
    public IntegrityException(URI url, Path existingOutput, Digest expected, Digest actual) {
        super("digest mismatch for " + (existingOutput == null ? url.toString()
                : "existing output " + existingOutput + " (left untouched)") + ": expected " + expected + ", got "
                + actual);
        this.url = url;
        this.existingOutput = existingOutput;
        this.expected = expected;
        this.actual = actual;
    }

    /** The URL that was requested. */
    public URI url() {
        return url;
    }

    /** The output that already existed and did not match, or null if the mismatch is in the URL's content. */
    public Path existingOutput() {
        return existingOutput;
    }

    public Digest expected() {
        return expected;
    }

    public Digest actual() {
        return actual;
    }
}
