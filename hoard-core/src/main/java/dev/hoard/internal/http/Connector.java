package dev.hoard.internal.http;

import dev.hoard.ProxySettings;
import dev.hoard.TlsException;
import dev.hoard.TrustSettings;
import dev.hoard.internal.proxy.ProxyAuthenticator;
import dev.hoard.internal.proxy.ProxyChooser;
import dev.hoard.internal.proxy.ProxyFailures;
import dev.hoard.internal.proxy.Route;
import dev.hoard.internal.tls.TlsContext;
import dev.hoard.internal.tls.TlsFailures;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import javax.net.ssl.HttpsURLConnection;

/**
 * How {@link HttpTransport} opens a connection and gets its status: through the proxy the {@link ProxySettings}
 * choose (with their credentials), trusting what the {@link TrustSettings} trust; and how a proxy's refusal or a
 * failed TLS handshake becomes a failure that says what happened instead of a generic I/O error that would be
 * retried.
 */
public final class Connector {
    private final ProxyChooser proxies;
    /** Null when no proxy has credentials. */
    private final ProxyAuthenticator authenticator;
    private final TlsContext tls;

    public Connector(ProxySettings proxy, TrustSettings trust) {
        this.proxies = new ProxyChooser(proxy);
        this.authenticator = ProxyAuthenticator.forProxies(proxies.withCredentials());
        this.tls = new TlsContext(trust);
    }

    /** The JVM's proxies and the default trust: how a plain {@code URL.openConnection()} behaves, plus the OS's CAs. */
    public static Connector defaults() {
        return new Connector(ProxySettings.jvm(), TrustSettings.defaults());
    }

    /** An unconnected connection to {@code uri} by its route; the TLS setup is built on the first https one. */
    HttpURLConnection open(URI uri) throws IOException {
        Route route = proxies.route(uri);
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection(route.proxy());
        if (authenticator != null && route.hasCredentials()) {
            connection.setAuthenticator(authenticator);
        }
        if (connection instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls.socketFactory());
        }
        return connection;
    }

    /**
     * Connects, sends the request and returns the status.
     *
     * @param url     the request's URL, which failures name
     * @param current the URL {@code connection} is for (a redirect's, perhaps)
     * @throws TlsException                 if the handshake failed for good
     * @throws dev.hoard.DownloadException  if a proxy refused (407, or another 4xx to CONNECT)
     * @throws IOException                  on failures that another attempt may not meet
     */
    int status(HttpURLConnection connection, URI url, URI current) throws IOException {
        if (authenticator != null) {
            authenticator.startRequest();
        }
        int status;
        try {
            status = TlsFailures.responseCode(connection, url, current);
        } catch (TlsException e) {
            throw e;
        } catch (IOException e) {
            throw ProxyFailures.tunnelFailure(e, url, current, proxies.route(current));
        }
        if (status == 407) {
            connection.disconnect();
            throw ProxyFailures.authenticationRequired(url, current, proxies.route(current), offered());
        }
        return status;
    }

    private boolean offered() {
        return authenticator != null && authenticator.answered();
    }
}
