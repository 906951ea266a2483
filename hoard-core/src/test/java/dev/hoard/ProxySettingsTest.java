package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.internal.proxy.ProxyAddress;
import dev.hoard.internal.proxy.ProxyChooser;
import dev.hoard.internal.proxy.Route;
import java.net.Proxy;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Proxy URLs read as curl reads them, the environment by curl's precedence, and passwords never shown. */
class ProxySettingsTest {

    @Test
    void aProxyUrlWithoutSchemeIsHttpAndWithoutPortIsOnPort1080() {
        assertEquals(URI.create("http://proxy.corp:1080"), ProxySettings.of("proxy.corp").http());
        assertEquals(URI.create("http://proxy.corp:3128"), ProxySettings.of("proxy.corp:3128").https());
        assertEquals(URI.create("http://10.0.0.1:8080"), ProxySettings.of("HTTP://10.0.0.1:8080/").http());
        assertEquals(URI.create("http://[::1]:3128"), ProxySettings.of("http://[::1]:3128").http());
    }

    @Test
    void credentialsArePercentDecoded() {
        ProxyAddress proxy = ProxyAddress.of(
                ProxySettings.of("http://us%65r:p%40ss%3Aw%2Frd+%C3%A9@proxy:3128").http());
        assertEquals("user", proxy.user());
        assertEquals("p@ss:w/rd+é", proxy.password());
        assertEquals("proxy", proxy.host());
        assertEquals(3128, proxy.port());
        assertEquals("http://proxy:3128", proxy.display());
        ProxyAddress userOnly = ProxyAddress.of(ProxySettings.of("http://user@proxy").http());
        assertEquals("user", userOnly.user());
        assertNull(userOnly.password());
    }

    @Test
    void otherKindsOfProxyAreRefusedNotIgnored() {
        assertMessage("proxy: proxy 'https://proxy:443' is an https:// proxy (TLS to the proxy), which is not "
                + "supported; give it as http://", () -> ProxySettings.of("https://proxy:443"));
        assertMessage("proxy: proxy 'socks5h://proxy:1080' is a SOCKS proxy, which is not supported; only "
                + "http:// proxies are", () -> ProxySettings.of("socks5h://proxy:1080"));
        assertMessage("proxy: proxy URL 'http://proxy:3128/path' has a path or query; a proxy is only "
                + "http://[USER:PASSWORD@]HOST[:PORT]", () -> ProxySettings.of("http://proxy:3128/path"));
    }

    @Test
    void aMalformedProxyUrlIsRefusedWithoutShowingItsPassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProxySettings.fromEnvironment(Map.of("HTTPS_PROXY", "http://user:p@ss@proxy:3128")));
        assertEquals("HTTPS_PROXY: proxy URL 'http://***@proxy:3128' names no host (write '@', '/' or ':' in a "
                + "user name or password as %40, %2F or %3A)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ProxySettings.of("http://user:se cret@proxy:3128"));
        assertFalse(e.getMessage().contains("se cret"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ProxySettings.of("http://user:%zz@proxy"));
        assertEquals("proxy: malformed proxy URL 'http://***@proxy': Malformed escape pair", e.getMessage());
    }

    @Test
    void toStringHidesThePassword() {
        ProxySettings settings = ProxySettings.of("http://user:s3cret@proxy:3128");
        assertFalse(settings.toString().contains("s3cret"), settings.toString());
        assertTrue(settings.toString().contains("http://user:***@proxy:3128"), settings.toString());
        HoardOptions options = HoardOptions.of(java.nio.file.Path.of("c")).proxy(settings);
        assertFalse(options.toString().contains("s3cret"), options.toString());
    }

    @Test
    void theEnvironmentIsReadLowerCaseFirstWithAllProxyForSchemesWithoutTheirOwn() {
        ProxySettings settings = ProxySettings.fromEnvironment(Map.of(
                "http_proxy", "lower:1", "HTTP_PROXY", "upper:2", "HTTPS_PROXY", "upper:3", "ALL_PROXY", "all:4",
                "NO_PROXY", "upper.example", "no_proxy", "lower.example"));
        assertEquals(URI.create("http://lower:1"), settings.http());
        assertEquals(URI.create("http://upper:3"), settings.https());
        assertEquals("lower.example", settings.noProxy());
        assertTrue(settings.jvmProxies(), "a scheme the environment names no proxy for follows the JVM's");

        ProxySettings all = ProxySettings.fromEnvironment(Map.of("all_proxy", "all:4", "https_proxy", ""));
        assertEquals(URI.create("http://all:4"), all.http());
        assertEquals(URI.create("http://all:4"), all.https(), "an empty variable counts as unset");
    }

    @Test
    void upperCaseHttpProxyIsIgnoredInCgiWhereAClientCanSetIt() {
        assertEquals(URI.create("http://upper:2"),
                ProxySettings.fromEnvironment(Map.of("HTTP_PROXY", "upper:2")).http());
        assertNull(ProxySettings.fromEnvironment(Map.of("HTTP_PROXY", "evil:2", "REQUEST_METHOD", "GET")).http());
        assertEquals(URI.create("http://lower:1"), ProxySettings.fromEnvironment(
                Map.of("http_proxy", "lower:1", "REQUEST_METHOD", "GET")).http());
    }

    @Test
    void aMalformedNoProxyVariableIsNamed() {
        assertMessage("no_proxy: '10.0.0.0/40' in the no-proxy list is not a host name, domain, IP address or CIDR "
                + "range (each optionally with :PORT), nor '*'",
                () -> ProxySettings.fromEnvironment(Map.of("no_proxy", "localhost,10.0.0.0/40")));
    }

    @Test
    void routesFollowNoProxyThenTheSchemesProxyThenTheJvmOrDirect() {
        ProxyChooser chooser = new ProxyChooser(new ProxySettings(URI.create("http://hp:1"), null, "direct.example",
                false));
        assertEquals(Proxy.Type.HTTP, chooser.route(URI.create("http://a.example/")).proxy().type());
        assertEquals("proxy http://hp:1", chooser.route(URI.create("http://a.example/")).describe());
        assertTrue(chooser.route(URI.create("http://www.direct.example/")).direct());
        assertTrue(chooser.route(URI.create("https://a.example/")).direct(), "no https proxy, no JVM fallback");

        Route viaJvm = new ProxyChooser(ProxySettings.jvm()).route(URI.create("https://a.example/"));
        assertTrue(viaJvm.direct(), "this JVM has no proxy properties");
        assertTrue(new ProxyChooser(ProxySettings.of("proxy:3128").withNoProxy("*"))
                .route(URI.create("http://a.example/")).direct());
        assertTrue(new ProxyChooser(ProxySettings.of("")).route(URI.create("http://a.example/")).direct());
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }
}
