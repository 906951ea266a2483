package dev.hoard.internal.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The hosts to reach without a proxy, as {@code NO_PROXY} lists them, read by curl's rules (and Go's, where curl has
 * none): comma-separated entries, white space around them ignored, matched without DNS.
 *
 * <ul>
 *   <li>{@code *} matches every host.
 *   <li>A name matches itself and every name below it: {@code example.com}, {@code .example.com} and
 *       {@code *.example.com} all match {@code example.com} and {@code www.example.com}, never
 *       {@code notexample.com}. Case and a trailing dot do not matter.
 *   <li>An IP address matches that address only, a CIDR range ({@code 10.0.0.0/8}, {@code fd00::/8}) every address
 *       in it; IPv6 is written without brackets unless a port follows ({@code [::1]:8080}). Addresses match only
 *       URLs that name an address: {@code 127.0.0.1} does not match {@code localhost}.
 *   <li>{@code :PORT} after any entry but {@code *} limits it to URLs on that port (80 and 443 when the URL gives
 *       none).
 * </ul>
 */
public final class NoProxyList {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?");
    private static final NoProxyList EMPTY = new NoProxyList(false, List.of());

    private final boolean all;
    private final List<Entry> entries;

    private NoProxyList(boolean all, List<Entry> entries) {
        this.all = all;
        this.entries = entries;
    }

    /**
     * Parses a list; null or blank is the empty list.
     *
     * @throws IllegalArgumentException naming the first entry that is no host name, address or range
     */
    public static NoProxyList parse(String list) {
        if (list == null || list.isBlank()) {
            return EMPTY;
        }
        boolean all = false;
        List<Entry> entries = new ArrayList<>();
        for (String item : list.split(",")) {
            String entry = item.trim();
            if (entry.equals("*")) {
                all = true;
            } else if (!entry.isEmpty()) {
                entries.add(Entry.parse(entry));
            }
        }
        return new NoProxyList(all, List.copyOf(entries));
    }

    /**
     * Whether a URL with this host (as {@link java.net.URI#getHost()} gives it, IPv6 in brackets) and port is to be
     * reached directly.
     */
    public boolean matches(String host, int port) {
        if (all) {
            return true;
        }
        if (entries.isEmpty() || host == null) {
            return false;
        }
        String h = normalizeHost(host);
        byte[] address = isAddress(h) ? parseAddress(h) : null;
        return entries.stream().anyMatch(e -> e.matches(h, address, port));
    }

    private static String normalizeHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private static boolean isAddress(String host) {
        return IPV4.matcher(host).matches() || host.indexOf(':') >= 0;
    }

    /**
     * A literal address's bytes, or null if it is not a valid one. Never asks DNS: InetAddress reads a bracketed
     * string only as an IPv6 literal, and a dotted quad is checked here before it could be taken for a name.
     */
    private static byte[] parseAddress(String literal) {
        if (literal.indexOf(':') < 0) {
            for (String octet : literal.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return null;
                }
            }
        }
        try {
            return InetAddress.getByName(literal.indexOf(':') < 0 ? literal : "[" + literal + "]").getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    private static boolean isAsciiDigit(int c) {
        return c >= '0' && c <= '9';
    }

    /** One entry: a name suffix or an address range, and a port (-1 for any). */
    private sealed interface Entry {
        boolean matches(String host, byte[] address, int port);

        static Entry parse(String entry) {
            String text = entry.toLowerCase(Locale.ROOT);
            int port = -1;
            if (text.startsWith("[")) { // [v6] or [v6]:port
                int close = text.indexOf(']');
                if (close < 0) {
                    throw invalid(entry);
                }
                String after = text.substring(close + 1);
                if (!after.isEmpty()) {
                    port = port(after, entry);
                }
                text = text.substring(1, close);
            } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) { // name:port, v4:port
                port = port(text.substring(text.indexOf(':')), entry);
                text = text.substring(0, text.indexOf(':'));
            }
            int slash = text.indexOf('/');
            String base = slash < 0 ? text : text.substring(0, slash);
            if (isAddress(base)) {
                return Range.parse(base, slash < 0 ? null : text.substring(slash + 1), port, entry);
            }
            String name = text.startsWith("*.") ? text.substring(2) : text.startsWith(".") ? text.substring(1) : text;
            name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
            if (!NAME.matcher(name).matches()) {
                throw invalid(entry);
            }
            return new Domain(name, port);
        }

        private static int port(String colonAndPort, String entry) {
            String digits = colonAndPort.substring(1);
            if (!colonAndPort.startsWith(":") || digits.isEmpty() || digits.length() > 5
                    || !digits.chars().allMatch(NoProxyList::isAsciiDigit) || Integer.parseInt(digits) > 65535) {
                throw invalid(entry);
            }
            return Integer.parseInt(digits);
        }

        private static IllegalArgumentException invalid(String entry) {
            return new IllegalArgumentException("'" + entry + "' in the no-proxy list is not a host name, domain, "
                    + "IP address or CIDR range (each optionally with :PORT), nor '*'");
        }
    }

    /** A host name and every name below it. */
    private record Domain(String name, int port) implements Entry {
        @Override
        public boolean matches(String host, byte[] address, int port) {
            return (this.port < 0 || this.port == port) && (host.equals(name) || host.endsWith("." + name));
        }
    }

    /** An address, or the addresses that share its first {@code bits} bits. */
    private record Range(byte[] network, int bits, int port) implements Entry {
        static Range parse(String literal, String prefix, int port, String entry) {
            byte[] network = parseAddress(literal);
            if (network == null) {
                throw Entry.invalid(entry);
            }
            int bits = network.length * 8;
            if (prefix != null) {
                if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(NoProxyList::isAsciiDigit)
                        || Integer.parseInt(prefix) > bits) {
                    throw Entry.invalid(entry);
                }
                bits = Integer.parseInt(prefix);
            }
            return new Range(network, bits, port);
        }

        @Override
        public boolean matches(String host, byte[] address, int port) {
            if (address == null || address.length != network.length || this.port >= 0 && this.port != port) {
                return false;
            }
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
