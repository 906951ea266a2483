package dev.hoard;

import java.io.IOException;
import java.net.URI;

/** The network or the server failed: a connection error, a timeout, an HTTP error status, a truncated body. */
public final class DownloadException extends IOException {
    private final URI url;
    private final int httpStatus;

    public DownloadException(URI url, int httpStatus, String message, Throwable cause) {
        super(message, cause);
        this.url = url;
        this.httpStatus = httpStatus;
    }

    public URI url() {
        return url;
    }

    /** The HTTP status that failed the download, or 0 when the failure was not an HTTP status. */
    public int httpStatus() {
        return httpStatus;
    }
}
