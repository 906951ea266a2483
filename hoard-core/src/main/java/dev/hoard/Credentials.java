package dev.hoard;

import dev.hoard.internal.auth.UserInfo;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a request authenticates with, each part bound to the {@link Origin} it was given for.
 *
 * <p><b>Where they go.</b> A request to a URL carries the headers and the login of that URL's origin and no other:
 * not to a mirror or a checksum file on another host (those have their own), and not across a redirect to another
 * scheme, host or port (a release download that redirects to a signed object-store URL sends it nothing), as curl
 * does. A redirect within the origin keeps them.
 *
 * <p><b>How.</b> A login is sent at once as HTTP Basic authentication ({@code Authorization: Basic}), not after a
 * 401 challenge: servers such as GitHub's and GitLab's answer 404, not 401, for a private file asked without
 * credentials, and it saves a round trip. An {@code Authorization} header given for an origin wins over its login and
 * over the netrc file. Without either, the netrc file is asked for the host ({@code machine}, else {@code default}).
 *
 * <p><b>Never shown.</b> None of this is written to the cache or put in a message: {@link #toString()} names headers
 * without their values and hides passwords, and a request's URLs lose their {@code user:password@} when the request is
 * made ({@link FetchRequest}).
 *
 * @param logins  a user name and password per origin, e.g. from {@code https://user:password@host/...}
 * @param headers request headers per origin, e.g. {@code Authorization: Bearer TOKEN} or {@code Cookie}; names are
 *                matched without regard to case
 * @param netrc   a netrc file (curl's format) to look up a login in for origins without one, or null for none; a
 *                missing file holds none. Read when a request goes to the network, never for a cache hit by digest
 */
public record Credentials(Map<Origin, Login> logins, Map<Origin, Map<String, String>> headers, Path netrc) {

    /** No credentials at all. */
    public static final Credentials NONE = new Credentials(Map.of(), Map.of(), null);

    /**
     * Headers that the library sets itself on each request (ranges, conditions, the encoding, the connection), so a
     * caller's value would break resumption, revalidation or hashing.
     */
    private static final Set<String> RESERVED = Set.of("range", "if-range", "if-none-match", "if-modified-since",
            "if-match", "if-unmodified-since", "accept-encoding", "host", "content-length", "transfer-encoding",
            "connection");

    /**
     * A user name and password for HTTP Basic authentication.
     *
     * @param user     the user name; it cannot contain ':'
     * @param password the password, or null to take the netrc file's for this user and host (else an empty one)
     */
    public record Login(String user, String password) {
        public Login {
            if (user == null) {
                throw new IllegalArgumentException("a login needs a user name");
            }
            if (user.indexOf(':') >= 0) {
                throw new IllegalArgumentException("a user name for Basic authentication cannot contain ':'");
            }
        }

        @Override
        public String toString() {
            return "Login[user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
        }
    }

    public Credentials {
        logins = Map.copyOf(logins);
        Map<Origin, Map<String, String>> checked = new LinkedHashMap<>();
        headers.forEach((origin, given) -> checked.put(origin, checkedHeaders(given)));
        headers = Collections.unmodifiableMap(checked);
    }

    /**
     * These credentials with {@code login} for {@code origin} too.
     *
     * @throws IllegalArgumentException another login was given for the origin
     */
    public Credentials login(Origin origin, Login login) {
        Login existing = logins.get(origin);
        if (existing != null && !existing.equals(login)) {
            throw new IllegalArgumentException("two different logins for " + origin + " (user:password@ in two URLs "
                    + "of one request)");
        }
        Map<Origin, Login> more = new LinkedHashMap<>(logins);
        more.put(origin, login);
        return new Credentials(more, headers, netrc);
    }

    /**
     * These credentials with {@code added} headers for {@code origin}; a header of the same name is replaced.
     *
     * @throws IllegalArgumentException a header name is not an HTTP token, a value holds a line break, or the header
     *                                  is one the library sets itself (Range, If-None-Match, Accept-Encoding, ...)
     */
    public Credentials headers(Origin origin, Map<String, String> added) {
        Map<String, String> merged = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        merged.putAll(headers.getOrDefault(origin, Map.of()));
        merged.putAll(added);
        Map<Origin, Map<String, String>> more = new LinkedHashMap<>(headers);
        more.put(origin, merged);
        return new Credentials(logins, more, netrc);
    }

    /** These credentials with {@code netrc} as the netrc file (null for none). */
    public Credentials netrc(Path netrc) {
        return new Credentials(logins, headers, netrc);
    }

    /**
     * {@code url} as it may be shown: a password in it replaced by {@code ***} ({@code https://user:***@host/}), and
     * user information without a password, which may be a token, replaced whole ({@code https://***@host/}). For text
     * that could not be made into a request; a request's own URLs hold no user information.
     */
    public static String redact(String url) {
        return UserInfo.redact(url);
    }

    /** Names origins, users and header names; never a password or a header's value. */
    @Override
    public String toString() {
        return "Credentials[logins=" + logins + ", headers=" + headers.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue().keySet())
                .collect(Collectors.joining(", ", "{", "}")) + ", netrc=" + netrc + "]";
    }

    private static Map<String, String> checkedHeaders(Map<String, String> given) {
        Map<String, String> checked = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        given.forEach((name, value) -> {
            checkHeader(name, value);
            if (checked.put(name, value) != null) {
                throw new IllegalArgumentException("the header '" + name + "' is given twice");
            }
        });
        return Collections.unmodifiableMap(checked);
    }

    /** Checks a header; a message names the header, never its value (it may be a token). */
    private static void checkHeader(String name, String value) {
        if (name == null || name.isEmpty() || !name.chars().allMatch(Credentials::isTokenChar)) {
            // Not echoed: what stands before the ':' may be part of a token that lost its header name.
            throw new IllegalArgumentException("malformed header name: expected letters, digits and '-' before "
                    + "the ':', as in 'Authorization: Bearer TOKEN'");
        }
        if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("the header '" + name + "' cannot be given: the library sets it "
                    + "itself, to resume, revalidate and hash downloads");
        }
        if (value == null || value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
            throw new IllegalArgumentException("the value of the header '" + name + "' is missing or holds a line "
                    + "break or another control character");
        }
    }

    /** RFC 9110's tchar. */
    private static boolean isTokenChar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
