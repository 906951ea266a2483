package dev.hoard.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** NO_PROXY as curl reads it: names with their subdomains, addresses, CIDR ranges, ports, '*'. */
class NoProxyListTest {

    @Test
    void aNameMatchesItselfAndTheNamesBelowItWithOrWithoutALeadingDot() {
        for (String list : new String[] {"example.com", ".example.com", "*.example.com", "EXAMPLE.com."}) {
            NoProxyList noProxy = NoProxyList.parse(list);
            assertTrue(matches(noProxy, "http://example.com/f"), list);
            assertTrue(matches(noProxy, "http://www.example.com/f"), list);
            assertTrue(matches(noProxy, "https://a.b.Example.COM./f"), list);
            assertFalse(matches(noProxy, "http://notexample.com/f"), list);
            assertFalse(matches(noProxy, "http://example.com.org/f"), list);
            assertFalse(matches(noProxy, "http://com/f"), list);
        }
    }

    @Test
    void entriesAreCommaSeparatedWithSpacesAndEmptyEntriesIgnored() {
        NoProxyList noProxy = NoProxyList.parse(" localhost , ,internal.corp,, ");
        assertTrue(matches(noProxy, "http://localhost:8080/"));
        assertTrue(matches(noProxy, "http://git.internal.corp/"));
        assertFalse(matches(noProxy, "http://example.org/"));
    }

    @Test
    void aStarMatchesEveryHostAndAnEmptyListNone() {
        assertTrue(matches(NoProxyList.parse("*"), "http://anything.example/"));
        assertTrue(matches(NoProxyList.parse("localhost, *"), "https://[2001:db8::1]/"));
        assertFalse(matches(NoProxyList.parse(""), "http://localhost/"));
        assertFalse(matches(NoProxyList.parse(null), "http://localhost/"));
    }

    @Test
    void addressesAndCidrRangesMatchAddressesOnly() {
        NoProxyList noProxy = NoProxyList.parse("127.0.0.1,10.0.0.0/8,192.168.1.0/24,::1,fd00::/8");
        assertTrue(matches(noProxy, "http://127.0.0.1:8080/"));
        assertFalse(matches(noProxy, "http://127.0.0.2/"));
        assertTrue(matches(noProxy, "http://10.200.3.4/"));
        assertFalse(matches(noProxy, "http://11.0.0.1/"));
        assertTrue(matches(noProxy, "http://192.168.1.254/"));
        assertFalse(matches(noProxy, "http://192.168.2.1/"));
        assertTrue(matches(noProxy, "http://[::1]:9000/"));
        assertTrue(matches(noProxy, "https://[fd12:3456::7]/"));
        assertFalse(matches(noProxy, "https://[fe80::1]/"));
        assertFalse(matches(noProxy, "http://localhost/"), "no DNS: an address does not match a name");
        assertFalse(matches(NoProxyList.parse("localhost"), "http://127.0.0.1/"));
    }

    @Test
    void aPortLimitsAnEntryToUrlsOnThatPortWithTheSchemesDefaults() {
        NoProxyList noProxy = NoProxyList.parse("example.com:8080,10.0.0.0/8:443,[::1]:80");
        assertTrue(matches(noProxy, "http://www.example.com:8080/"));
        assertFalse(matches(noProxy, "http://www.example.com/"));
        assertTrue(matches(noProxy, "https://10.1.2.3/"));
        assertFalse(matches(noProxy, "http://10.1.2.3/"));
        assertTrue(matches(noProxy, "http://[::1]/"));
        assertFalse(matches(noProxy, "http://[::1]:8080/"));
    }

    @Test
    void aMalformedEntryIsRefusedByName() {
        for (String bad : new String[] {"10.0.0.0/33", "10.0.0.0/x", "256.1.1.1", "exa mple.com", "example.com:http",
                "example.com:70000", "[::1", "host/8", "<local>", "fe80::zz"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NoProxyList.parse("localhost," + bad), bad);
            assertEquals("'" + bad + "' in the no-proxy list is not a host name, domain, IP address or CIDR range "
                    + "(each optionally with :PORT), nor '*'", e.getMessage());
        }
    }

    private static boolean matches(NoProxyList list, String url) {
        URI uri = URI.create(url);
        int port = uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
        return list.matches(uri.getHost(), port);
    }
}
