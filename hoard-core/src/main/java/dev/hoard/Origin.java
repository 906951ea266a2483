package dev.hoard;

import java.net.URI;
import java.util.Locale;

/**
 * Where a URL's requests go: its scheme, host and port (RFC 6454). {@link Credentials} are bound to an origin and sent
 * to it alone, so that a redirect to another host, or the same host over another scheme or port, carries none of
 * them.
 *
 * @param scheme {@code http} or {@code https}, lower case
 * @param host   the host name or address, lower case
 * @param port   the port, the scheme's default (80, 443) when the URL names none
 */
public record Origin(String scheme, String host, int port) {

    /** The origin of an http(s) URL. */
    public static Origin of(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (url.getHost() == null) {
            throw new IllegalArgumentException("a URL without a host has no origin: " + Credentials.redact(
                    url.toString()));
        }
        int port = url.getPort() >= 0 ? url.getPort() : scheme.equals("https") ? 443 : 80;
        return new Origin(scheme, url.getHost().toLowerCase(Locale.ROOT), port);
    }

    /** {@code scheme://host:port}, the port always written. */
    @Override
    public String toString() {
        return scheme + "://" + host + ":" + port;
    }
}
