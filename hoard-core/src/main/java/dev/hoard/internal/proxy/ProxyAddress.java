package dev.hoard.internal.proxy;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An HTTP proxy as a URL names it, {@code http://[USER[:PASSWORD]@]HOST[:PORT]}, read by curl's rules: no scheme
 * means {@code http://}, no port means 1080, and the user name and password are percent-decoded. Only plain-http
 * proxies are supported ({@code HttpURLConnection} can neither speak TLS to a proxy nor SOCKS with credentials that
 * the URL gives), and a URL of any other kind is refused rather than ignored: going direct where a proxy was asked
 * for could send traffic where the user does not want it.
 *
 * <p>The password is kept only here and in the URI it came from. {@link #toString()} and every message show the
 * proxy as {@link #display()}, without it.
 *
 * @param host     the host name or IP literal (IPv6 without brackets)
 * @param user     the percent-decoded user name, or null
 * @param password the percent-decoded password, or null
 */
public record ProxyAddress(String host, int port, String user, String password) {
    /** curl's default proxy port, for every proxy scheme. */
    public static final int DEFAULT_PORT = 1080;

    /**
     * Parses a proxy as given in {@code --proxy} or an environment variable.
     *
     * @param source what gave it, for messages (e.g. "HTTPS_PROXY")
     * @throws IllegalArgumentException if it is malformed or not a plain-http proxy; the message never shows the
     *                                  password
     */
    public static URI parse(String text, String source) {
        String trimmed = text.trim();
        String withScheme = trimmed.contains("://") ? trimmed : "http://" + trimmed;
        URI uri;
        try {
            uri = new URI(withScheme);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(source + ": malformed proxy URL '" + redact(trimmed) + "': "
                    + e.getReason() + hintForAt(withScheme));
        }
        return normalize(uri, source);
    }

    /**
     * Checks a proxy URI and returns it with the port made explicit and the scheme in lower case.
     *
     * @throws IllegalArgumentException as {@link #parse}
     */
    public static URI normalize(URI uri, String source) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String shown = redact(uri.toString());
        switch (scheme) {
            case "http" -> {
            }
            case "https" -> throw new IllegalArgumentException(source + ": proxy '" + shown + "' is an https:// "
                    + "proxy (TLS to the proxy), which is not supported; give it as http://");
            case "socks", "socks4", "socks4a", "socks5", "socks5h" -> throw new IllegalArgumentException(source
                    + ": proxy '" + shown + "' is a SOCKS proxy, which is not supported; only http:// proxies are");
            default -> throw new IllegalArgumentException(source + ": proxy '" + shown + "' is not an http:// URL");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(source + ": proxy URL '" + shown + "' names no host"
                    + hintForAt(uri.toString()));
        }
        boolean rootPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
        if (!rootPath || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(source + ": proxy URL '" + shown + "' has a path or query; a proxy is "
                    + "only http://[USER:PASSWORD@]HOST[:PORT]");
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        String userInfo = uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@";
        try {
            of(uri); // decodes the credentials, so that a bad escape fails here and not at the first request
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
        return URI.create("http://" + userInfo + uri.getHost() + ":" + port);
    }

    /** The proxy a URI from {@link #normalize} names, its credentials decoded. */
    public static ProxyAddress of(URI uri) {
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        String raw = uri.getRawUserInfo();
        if (raw == null) {
            return new ProxyAddress(host, port, null, null);
        }
        int colon = raw.indexOf(':');
        String user = percentDecode(colon < 0 ? raw : raw.substring(0, colon));
        String password = colon < 0 ? null : percentDecode(raw.substring(colon + 1));
        return new ProxyAddress(host, port, user, password);
    }

    public boolean hasCredentials() {
        return user != null;
    }

    /** How messages name this proxy: {@code http://HOST:PORT}, never with the password. */
    public String display() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return user == null ? display() : display().replace("//", "//" + user + ":***@");
    }

    /** {@code text} with everything between "://" and the last '@' (the user name and password) hidden. */
    public static String redact(String text) {
        int start = text.indexOf("://");
        int at = text.lastIndexOf('@');
        if (at < 0) {
            return text;
        }
        int from = start < 0 ? 0 : start + 3;
        return at < from ? text : text.substring(0, from) + "***" + text.substring(at);
    }

    /** Advice for a URL whose user info holds an unescaped '@' or '/', which hides the host from the parser. */
    private static String hintForAt(String text) {
        String rest = text.substring(text.indexOf("://") + 3);
        int at = rest.lastIndexOf('@');
        boolean unescaped = at >= 0 && (rest.indexOf('@') != at || rest.substring(0, at).indexOf('/') >= 0);
        return unescaped ? " (write '@', '/' or ':' in a user name or password as %40, %2F or %3A)" : "";
    }

    /** Decodes %XX escapes as UTF-8; '+' stays '+' (this is a URL's user info, not a form). */
    static String percentDecode(String raw) {
        StringBuilder text = new StringBuilder(raw.length());
        ByteArrayOutputStream escaped = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                text.append(escaped.toString(StandardCharsets.UTF_8)).append(c);
                escaped.reset();
                continue;
            }
            if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                    || Character.digit(raw.charAt(i + 2), 16) < 0) {
                throw new IllegalArgumentException("malformed %-escape in the proxy's user name or password");
            }
            escaped.write(Integer.parseInt(raw, i + 1, i + 3, 16));
            i += 2;
        }
        return text.append(escaped.toString(StandardCharsets.UTF_8)).toString();
    }
}
