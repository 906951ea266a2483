package dev.hoard.internal.proxy;

import java.net.InetSocketAddress;
import java.net.Proxy;

/**
 * How one URL is reached: directly, through a proxy of hoard's settings ({@code address} set), or through the proxy
 * the JVM's ProxySelector chose ({@code address} null, {@code proxy} not DIRECT).
 */
public record Route(Proxy proxy, ProxyAddress address) {
    static final Route DIRECT = new Route(Proxy.NO_PROXY, null);

    static Route through(ProxyAddress address) {
        return new Route(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(address.host(),
                address.port())), address);
    }

    public boolean direct() {
        return proxy.type() == Proxy.Type.DIRECT;
    }

    public boolean hasCredentials() {
        return address != null && address.hasCredentials();
    }

    /** How messages name the proxy: {@code proxy http://HOST:PORT}, never with a password. */
    public String describe() {
        if (address != null) {
            return "proxy " + address.display();
        }
        if (proxy.address() instanceof InetSocketAddress socket) {
            return "proxy " + socket.getHostString() + ":" + socket.getPort() + " (from the JVM's proxy settings)";
        }
        return "proxy " + proxy;
    }
}
