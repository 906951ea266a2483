package dev.hoard.internal.proxy;

import dev.hoard.ProxySettings;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Picks each URL's {@link Route} by the rules {@link ProxySettings} documents. */
public final class ProxyChooser {
    private final ProxySettings settings;
    private final NoProxyList noProxy;
    private final ProxyAddress http;
    private final ProxyAddress https;

    public ProxyChooser(ProxySettings settings) {
        this.settings = settings;
        this.noProxy = NoProxyList.parse(settings.noProxy());
        this.http = settings.http() == null ? null : ProxyAddress.of(settings.http());
        this.https = settings.https() == null ? null : ProxyAddress.of(settings.https());
    }

    public Route route(URI uri) {
        boolean secure = uri.getScheme().toLowerCase(Locale.ROOT).equals("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : secure ? 443 : 80;
        if (noProxy.matches(uri.getHost(), port)) {
            return Route.DIRECT;
        }
        ProxyAddress proxy = secure ? https : http;
        if (proxy != null) {
            return Route.through(proxy);
        }
        return settings.jvmProxies() ? jvmRoute(uri) : Route.DIRECT;
    }

    /** The proxies of these settings that carry a user name (and so answer a 407). */
    public List<ProxyAddress> withCredentials() {
        return Stream.of(http, https).filter(p -> p != null && p.hasCredentials()).distinct().toList();
    }

    /** What {@code URL.openConnection()} would use: the first proxy the JVM's default ProxySelector offers. */
    private static Route jvmRoute(URI uri) {
        ProxySelector selector = ProxySelector.getDefault();
        List<Proxy> proxies = selector == null ? List.of() : selector.select(uri);
        Proxy proxy = proxies.isEmpty() ? Proxy.NO_PROXY : proxies.get(0);
        return proxy.type() == Proxy.Type.DIRECT ? Route.DIRECT : new Route(proxy, null);
    }
}
