package dev.hoard.internal.proxy;

import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.util.List;

/**
 * Answers a proxy's 407 challenge with the credentials of its URL: set on each connection that goes through a proxy
 * with credentials ({@code HttpURLConnection.setAuthenticator}), so that no JVM-wide authenticator is installed and
 * a server's own 401 never gets the proxy's password.
 *
 * <p>One instance serves a whole {@code Hoard}, so the JDK's authentication cache (keyed by authenticator) sends
 * the credentials up front once they have worked. It answers at most once per request, on the thread that sends it
 * ({@link #startRequest}): the JDK asks again after every 407, up to 20 times, and a wrong password would otherwise
 * cost 20 requests, or lock the account at a proxy that counts failures.
 */
public final class ProxyAuthenticator extends Authenticator {
    /** The JDK's list of schemes it refuses for proxy tunnels (CONNECT); "Basic" unless set. */
    static final String TUNNELING_DISABLED_SCHEMES = "jdk.http.auth.tunneling.disabledSchemes";

    private final List<ProxyAddress> proxies;
    private final ThreadLocal<Boolean> answered = ThreadLocal.withInitial(() -> false);

    private ProxyAuthenticator(List<ProxyAddress> proxies) {
        this.proxies = proxies;
    }

    /**
     * An authenticator for {@code proxies} (those with credentials), or null if there are none. Allows Basic for
     * tunnels, unless the JVM was told otherwise: the JDK disables it there by default (since 8u111) so that
     * credentials meant for a server do not reach a proxy in clear text, but these credentials are the proxy's own,
     * which plain http requests send it the same way.
     */
    public static ProxyAuthenticator forProxies(List<ProxyAddress> proxies) {
        if (proxies.isEmpty()) {
            return null;
        }
        if (System.getProperty(TUNNELING_DISABLED_SCHEMES) == null) {
            System.setProperty(TUNNELING_DISABLED_SCHEMES, "");
        }
        return new ProxyAuthenticator(List.copyOf(proxies));
    }

    /** Called before each request is sent on this thread: the request may be answered once. */
    public void startRequest() {
        answered.set(false);
    }

    /** Whether credentials were given to the JDK during this thread's current request. */
    public boolean answered() {
        return answered.get();
    }

    @Override
    protected PasswordAuthentication getPasswordAuthentication() {
        if (getRequestorType() != RequestorType.PROXY || answered.get()) {
            return null;
        }
        for (ProxyAddress proxy : proxies) {
            if (proxy.host().equalsIgnoreCase(getRequestingHost()) && proxy.port() == getRequestingPort()) {
                answered.set(true);
                return new PasswordAuthentication(proxy.user(),
                        (proxy.password() == null ? "" : proxy.password()).toCharArray());
            }
        }
        return null;
    }
}
