package dev.hoard;

import java.io.IOException;
import java.net.URI;

/**
 * The network or the server failed: a connection error, a timeout, an HTTP error status, a truncated body, a proxy's
 * refusal; a failed TLS handshake is the subclass {@link TlsException}.
 */
public sealed class DownloadException extends IOException permits TlsException {
    private final URI url;
    private final int httpStatus;
    private final URI insecureRedirect;

    public DownloadException(URI url, int httpStatus, String message, Throwable cause) {
        this(url, httpStatus, message, cause, null);
    }

    private DownloadException(URI url, int httpStatus, String message, Throwable cause, URI insecureRedirect) {
        super(message, cause);
        this.url = url;
        this.httpStatus = httpStatus;
        this.insecureRedirect = insecureRedirect;
    }

    /**
     * An https URL redirected to plain http ({@code from} answered {@code httpStatus} with a Location of {@code to}),
     * which is refused unless {@link HoardOptions#allowInsecureRedirects} allows it.
     */
    public static DownloadException insecureRedirect(URI url, int httpStatus, URI from, URI to) {
        return new DownloadException(url, httpStatus, "refusing redirect from https to http: " + from + " -> " + to,
                null, to);
    }

    public URI url() {
        return url;
    }

    /** The HTTP status that failed the download, or 0 when the failure was not an HTTP status. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The plain-http location a refused redirect from https pointed to, or null if that is not what failed. */
    public URI insecureRedirect() {
        return insecureRedirect;
    }
}
