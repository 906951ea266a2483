package dev.hoard;

import dev.hoard.internal.proxy.NoProxyList;
import dev.hoard.internal.proxy.ProxyAddress;
import java.net.URI;
import java.util.Map;

/**
 * Which HTTP proxy a {@link Hoard} goes through, per URL scheme. A URL is fetched:
 * <ol>
 *   <li>directly, if {@code noProxy} matches its host;
 *   <li>else through the proxy given here for its scheme: plain requests for http, a {@code CONNECT} tunnel for
 *       https;
 *   <li>else, if {@code jvmProxies}, as the JVM's default {@link java.net.ProxySelector} says (the
 *       {@code http.proxyHost}, {@code https.proxyHost} and {@code socksProxyHost} properties,
 *       {@code java.net.useSystemProxies});
 *   <li>else directly.
 * </ol>
 *
 * <p>Credentials come from the proxy URL ({@code http://USER:PASSWORD@HOST:PORT}, percent-encoded) and answer the
 * proxy's 407 challenge, for plain requests and tunnels alike (Basic or Digest). Because the JDK refuses Basic for
 * tunnels unless told otherwise, opening a {@code Hoard} whose settings carry credentials sets the system property
 * {@code jdk.http.auth.tunneling.disabledSchemes} to the empty list, once, if it is not set already; the JDK reads it
 * when its HTTP client is first used, so a program that opened HTTP connections before must set it at start-up. The
 * credentials go only to the proxy they belong to: never to a server, never into a message or {@link #toString()}.
 *
 * <p>{@link Hoard#open(java.nio.file.Path)} uses {@link #jvm()}; {@link #fromEnvironment} reads the variables that
 * curl reads, as the {@code hoard} command does.
 *
 * @param http       the proxy for http URLs, {@code http://[USER:PASSWORD@]HOST[:PORT]} (port 1080 if none, as in
 *                   curl), or null
 * @param https      the proxy for https URLs, in the same form, or null
 * @param noProxy    the hosts to reach directly, in {@code NO_PROXY}'s syntax: comma-separated host names (each also
 *                   matching the names below it, with or without a leading dot), IP addresses and CIDR ranges, each
 *                   optionally with {@code :PORT}, or {@code *} for all; "" for none
 * @param jvmProxies whether a scheme that has no proxy here follows the JVM's default ProxySelector rather than
 *                   connecting directly
 */
public record ProxySettings(URI http, URI https, String noProxy, boolean jvmProxies) {

    /** @throws IllegalArgumentException if a proxy is not an http:// URL or the no-proxy list is malformed */
    public ProxySettings {
        http = http == null ? null : ProxyAddress.normalize(http, "the http proxy");
        https = https == null ? null : ProxyAddress.normalize(https, "the https proxy");
        noProxy = noProxy == null ? "" : noProxy.trim();
        NoProxyList.parse(noProxy);
    }

    /** No proxy of hoard's own: the JVM's default ProxySelector decides, as for any {@code URL.openConnection()}. */
    public static ProxySettings jvm() {
        return new ProxySettings(null, null, "", true);
    }

    /** Every URL directly, whatever the JVM's proxy properties say. */
    public static ProxySettings direct() {
        return new ProxySettings(null, null, "", false);
    }

    /**
     * One proxy for http and https URLs, as curl's {@code --proxy} takes it: a scheme-less {@code HOST:PORT} is
     * http, and "" means no proxy at all ({@link #direct()}).
     *
     * @throws IllegalArgumentException if it is malformed or not an http proxy
     */
    public static ProxySettings of(String proxy) {
        if (proxy.isBlank()) {
            return direct();
        }
        URI uri = ProxyAddress.parse(proxy, "proxy");
        return new ProxySettings(uri, uri, "", false);
    }

    /**
     * The proxies the environment names, by curl's rules, lower-case names first: {@code http_proxy} (and
     * {@code HTTP_PROXY}, which curl ignores; hoard reads it unless {@code REQUEST_METHOD} is set, as Go and Python
     * do, because a CGI program gets an {@code HTTP_PROXY} from any client's {@code Proxy:} header), then
     * {@code https_proxy}/{@code HTTPS_PROXY}, with {@code all_proxy}/{@code ALL_PROXY} for a scheme that has none,
     * and {@code no_proxy}/{@code NO_PROXY}. Empty variables count as unset. A scheme the environment gives no proxy
     * for follows the JVM's properties ({@code jvmProxies} is true).
     *
     * @throws IllegalArgumentException naming the variable, if one is malformed
     */
    public static ProxySettings fromEnvironment(Map<String, String> env) {
        Map.Entry<String, String> all = variable(env, "all_proxy", "ALL_PROXY");
        Map.Entry<String, String> http = env.containsKey("REQUEST_METHOD") ? variable(env, "http_proxy")
                : variable(env, "http_proxy", "HTTP_PROXY");
        Map.Entry<String, String> https = variable(env, "https_proxy", "HTTPS_PROXY");
        return new ProxySettings(proxy(http != null ? http : all), proxy(https != null ? https : all),
                noProxyFromEnvironment(env), true);
    }

    /**
     * The environment's no-proxy list ({@code no_proxy}, else {@code NO_PROXY}), or "".
     *
     * @throws IllegalArgumentException naming the variable, if it is malformed
     */
    public static String noProxyFromEnvironment(Map<String, String> env) {
        Map.Entry<String, String> noProxy = variable(env, "no_proxy", "NO_PROXY");
        if (noProxy == null) {
            return "";
        }
        try {
            NoProxyList.parse(noProxy.getValue());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(noProxy.getKey() + ": " + e.getMessage());
        }
        return noProxy.getValue();
    }

    /** The same proxies with another no-proxy list ("" for none, {@code *} for every host). */
    public ProxySettings withNoProxy(String list) {
        return new ProxySettings(http, https, list, jvmProxies);
    }

    /** Shows the proxies without their passwords. */
    @Override
    public String toString() {
        return "ProxySettings[http=" + shown(http) + ", https=" + shown(https) + ", noProxy=" + noProxy
                + ", jvmProxies=" + jvmProxies + "]";
    }

    private static String shown(URI proxy) {
        return proxy == null ? null : ProxyAddress.of(proxy).toString();
    }

    /** The first of {@code names} that is set and not empty, with its name; or null. */
    private static Map.Entry<String, String> variable(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return Map.entry(name, value);
            }
        }
        return null;
    }

    private static URI proxy(Map.Entry<String, String> variable) {
        return variable == null ? null : ProxyAddress.parse(variable.getValue(), variable.getKey());
    }
}
