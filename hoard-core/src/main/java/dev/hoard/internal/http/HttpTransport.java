package dev.hoard.internal.http;

import dev.hoard.DownloadException;
import dev.hoard.Origin;
import dev.hoard.internal.auth.UserInfo;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Sends GET requests with {@link HttpURLConnection}, which measured about twice as fast as
 * {@code java.net.http.HttpClient} for large bodies on this project's machines (see docs/benchmarks.md), and is
 * already loaded by the JDK's own startup classes. Redirects are followed here, not by the JDK, so that the loop
 * bound, the https → http refusal and where credentials go are ours and the final URL is known. How a connection is
 * opened (proxy, TLS trust) and how a proxy's or a handshake's failure reads is the {@link Connector}'s.
 *
 * <p>Server credentials and proxy credentials do not meet: a server's go as preemptive headers in
 * {@code originHeaders}, set on the request by this class; a proxy's are answered by the {@link Connector}'s
 * authenticator, which it sets only on connections routed through a proxy with credentials and which answers
 * proxy challenges only, never a server's 401.
 */
public final class HttpTransport {
    static final int MAX_REDIRECTS = 10;

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final String userAgent;
    private final boolean allowInsecureRedirects;
    private final Connector connector;

    /** A transport with the JVM's proxies and the default trust ({@link Connector#defaults()}). */
    public HttpTransport(Duration connectTimeout, Duration readTimeout, String userAgent,
            boolean allowInsecureRedirects) {
        this(connectTimeout, readTimeout, userAgent, allowInsecureRedirects, Connector.defaults());
    }

    public HttpTransport(Duration connectTimeout, Duration readTimeout, String userAgent,
            boolean allowInsecureRedirects, Connector connector) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.userAgent = userAgent;
        this.allowInsecureRedirects = allowInsecureRedirects;
        this.connector = connector;
    }

    /** A GET without credentials; see {@link #get(URI, Map, Map)}. */
    public HttpResponse get(URI uri, Map<String, String> headers) throws IOException {
        return get(uri, headers, Map.of());
    }

    /**
     * Sends a GET and returns the first non-redirect response, whatever its status. The caller closes it.
     *
     * <p>{@code headers} go to every hop. {@code originHeaders} (credentials: {@code Authorization}, cookies, tokens)
     * go only to hops on {@code uri}'s origin: a redirect to another scheme, host or port drops them, as curl does
     * (a release download that redirects to a signed object-store URL must not hand that store the token, and such
     * stores refuse a request that carries two authentications); a redirect back to the origin gets them again. User
     * information in a Location is dropped, never used or shown.
     *
     * @throws DownloadException on a redirect loop, a redirect to a downgraded or unsupported scheme, a proxy's
     *                           refusal, a failed TLS handshake ({@link dev.hoard.TlsException})
     * @throws IOException       on connection failures and timeouts
     */
    public HttpResponse get(URI uri, Map<String, String> headers, Map<String, String> originHeaders)
            throws IOException {
        Origin origin = originHeaders.isEmpty() ? null : Origin.of(uri);
        URI current = uri;
        for (int redirects = 0; ; redirects++) {
            HttpURLConnection connection = open(current, headers, onOrigin(origin, current) ? originHeaders
                    : Map.of());
            int status = connector.status(connection, uri, current);
            if (!isRedirect(status)) {
                return new HttpResponse(current, connection, status);
            }
            String location = connection.getHeaderField("Location");
            connection.disconnect();
            if (location == null) {
                throw new DownloadException(uri, status, "HTTP " + status + " redirect without a Location from "
                        + current, null);
            }
            if (redirects == MAX_REDIRECTS) {
                throw new DownloadException(uri, status, "too many redirects (more than " + MAX_REDIRECTS
                        + ", a loop?) starting at " + uri, null);
            }
            current = resolveRedirect(uri, current, location, status, allowInsecureRedirects);
        }
    }

    private HttpURLConnection open(URI uri, Map<String, String> headers, Map<String, String> originHeaders)
            throws IOException {
        HttpURLConnection connection = connector.open(uri);
        connection.setInstanceFollowRedirects(false);
        connection.setUseCaches(false);
        connection.setConnectTimeout(Math.toIntExact(connectTimeout.toMillis()));
        connection.setReadTimeout(Math.toIntExact(readTimeout.toMillis()));
        connection.setRequestProperty("User-Agent", userAgent);
        connection.setRequestProperty("Accept-Encoding", "identity");
        headers.forEach(connection::setRequestProperty);
        originHeaders.forEach(connection::setRequestProperty);
        return connection;
    }

    private static boolean onOrigin(Origin origin, URI uri) {
        return origin != null && uri.getHost() != null && origin.equals(Origin.of(uri));
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI resolveRedirect(URI original, URI current, String location, int status,
            boolean allowInsecure) throws DownloadException {
        URI next;
        try {
            next = UserInfo.strip(current.resolve(new URI(location)));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new DownloadException(original, status, "malformed redirect Location '" + UserInfo.redact(location)
                    + "' from " + current, e);
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new DownloadException(original, status, "refusing redirect to unsupported scheme: " + next, null);
        }
        if (current.getScheme().equalsIgnoreCase("https") && scheme.equals("http") && !allowInsecure) {
            throw DownloadException.insecureRedirect(original, status, current, next);
        }
        return next;
    }
}
