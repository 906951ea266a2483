package dev.hoard;

import java.io.IOException;
import java.net.URI;

/**
 * The content could not be decompressed: it is corrupt or truncated, or it is in no format hoard knows. The output was
 * not written; the cache keeps the (compressed) download as it came. An integrity failure: the bytes are not what
 * they claim to be.
 */
public final class DecompressionException extends IOException {
    private final URI url;
    private final String format;

    public DecompressionException(URI url, String format, String message, Throwable cause) {
        super(message, cause);
        this.url = url;
        this.format = format;
    }

    public URI url() {
        return url;
    }

    /** The format it was read as ({@code gzip}, {@code bzip2}, {@code xz}, {@code zstd}), or null if none matched. */
    public String format() {
        return format;
    }
}
