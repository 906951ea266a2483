package dev.hoard.internal.proxy;

import dev.hoard.DownloadException;
import java.io.IOException;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a proxy's refusal means, in one line that names the proxy (never its password) and says what to change. A 407
 * is permanent: the same request with the same credentials gets the same answer.
 */
public final class ProxyFailures {
    /** How {@code HttpURLConnection} reports a CONNECT that did not get a 200 (the JDK's wording). */
    private static final Pattern TUNNEL = Pattern.compile(
            "Unable to tunnel through proxy\\. Proxy returns \"HTTP/\\S+ (\\d{3})\\s*(.*)\"");

    private ProxyFailures() {
    }

    /**
     * A 407 for {@code url} (at {@code current}, after redirects) from the proxy of {@code route}.
     *
     * @param offered whether the credentials were given to the JDK for this request
     */
    public static DownloadException authenticationRequired(URI url, URI current, Route route, boolean offered) {
        String refused = route.describe() + " refused " + current + " with HTTP 407 Proxy Authentication Required";
        String advice;
        if (route.address() == null) {
            advice = "; proxies from the JVM's properties carry no credentials: give the proxy as "
                    + "http://USER:PASSWORD@HOST:PORT instead";
        } else if (!route.hasCredentials()) {
            advice = "; it needs a user name and password: give them in the proxy's URL, "
                    + "http://USER:PASSWORD@" + route.address().display().substring("http://".length())
                    + " (percent-encoded)";
        } else if (offered) {
            advice = "; it did not accept the password of user '" + route.address().user() + "' given in the "
                    + "proxy's URL";
        } else if (current.getScheme().equalsIgnoreCase("https")) {
            advice = "; the JDK did not offer the credentials in the proxy's URL for a tunnel: this JVM disables "
                    + "Basic for tunnels (start it with -D" + ProxyAuthenticator.TUNNELING_DISABLED_SCHEMES + "=)";
        } else {
            advice = "; it asked for an authentication scheme the JDK cannot answer with a user name and password";
        }
        return new DownloadException(url, 407, refused + advice, null);
    }

    /**
     * What a CONNECT that did not get a 200 means: the JDK gives a 407 as the response's status (JDK 17 to 25 were
     * seen to) and throws this for every other status. A 4xx (say, a port the proxy does not tunnel to) is a
     * {@link DownloadException}, not retried; a 5xx (the proxy cannot reach the server) an ordinary
     * {@link IOException} with a message that names the proxy, retried. Any other failure is returned as it is.
     */
    public static IOException tunnelFailure(IOException e, URI url, URI current, Route route) {
        Matcher m = TUNNEL.matcher(String.valueOf(e.getMessage()));
        if (route.direct() || !m.matches()) {
            return e;
        }
        int status = Integer.parseInt(m.group(1));
        String message = route.describe() + " answered HTTP " + status + (m.group(2).isEmpty() ? "" : " " + m.group(2))
                + " when asked for a tunnel to " + current.getHost() + ":" + port(current);
        return status >= 400 && status < 500 ? new DownloadException(url, status, message, e)
                : new IOException(message, e);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : 443;
    }
}
