package dev.hoard;

import java.net.URI;

/**
 * A TLS handshake failed in a way that asking again will not change: the server's certificate is not vouched for by
 * a trusted certificate authority, has expired or is not yet valid, names another host, or the two sides share no
 * protocol. It is not retried (a mirror, if any, is tried). To trust a private CA, add its certificate with
 * {@link TrustSettings#withCaFile}.
 */
public final class TlsException extends DownloadException {
    /** What failed. */
    public enum Problem {
        /** The chain does not lead to a trusted certificate authority (a private CA, a self-signed certificate). */
        UNTRUSTED,
        /** A certificate of the chain has expired. */
        EXPIRED,
        /** A certificate of the chain is not valid yet (or this machine's clock is behind). */
        NOT_YET_VALID,
        /** The certificate is valid, but for other host names or addresses than the one in the URL. */
        WRONG_NAME,
        /** Anything else: no common protocol or cipher, a certificate refused for another reason, not TLS at all. */
        HANDSHAKE
    }

    private final String host;
    private final Problem problem;

    /**
     * @param url  the request's URL
     * @param host the server that failed, {@code HOST:PORT} (after redirects, it may not be {@code url}'s)
     */
    public TlsException(URI url, String host, Problem problem, String message, Throwable cause) {
        super(url, 0, message, cause);
        this.host = host;
        this.problem = problem;
    }

    /** The server whose handshake failed, {@code HOST:PORT}. */
    public String host() {
        return host;
    }

    public Problem problem() {
        return problem;
    }
}
