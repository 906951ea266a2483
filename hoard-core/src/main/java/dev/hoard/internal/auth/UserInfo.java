package dev.hoard.internal.auth;

import dev.hoard.Credentials;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code user:password@} of http(s) URLs: taken out of a URL into a {@link Credentials.Login}, so that the URL
 * that remains (the entry key, the recorded {@code url}, every message) holds no secret; and hidden in text that
 * never became a URL.
 */
public final class UserInfo {
    /** The authority's user information: everything up to its last '@' (an unencoded '@' in a password included). */
    private static final Pattern IN_TEXT = Pattern.compile("//([^/?#\\s]*)@");

    private UserInfo() {
    }

    /** Whether {@code url} is an http(s) URL with user information (even an empty one). */
    public static boolean present(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return url.getRawUserInfo() != null && (scheme.equals("http") || scheme.equals("https"));
    }

    /** {@code url} without its user information, every other part exactly as written. */
    public static URI strip(URI url) {
        if (!present(url)) {
            return url;
        }
        String authority = url.getRawAuthority();
        StringBuilder bare = new StringBuilder(url.getScheme()).append("://")
                .append(authority.substring(authority.lastIndexOf('@') + 1));
        if (url.getRawPath() != null) {
            bare.append(url.getRawPath());
        }
        if (url.getRawQuery() != null) {
            bare.append('?').append(url.getRawQuery());
        }
        if (url.getRawFragment() != null) {
            bare.append('#').append(url.getRawFragment());
        }
        return URI.create(bare.toString());
    }

    /**
     * The login {@code url}'s user information gives, percent-decoded ({@code %40} is '@', {@code %3A} ':'), or null
     * for an empty one. Without a ':' there is a user and no password.
     */
    public static Credentials.Login login(URI url) {
        String raw = url.getRawUserInfo();
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        int colon = raw.indexOf(':');
        return colon < 0 ? new Credentials.Login(decode(raw), null)
                : new Credentials.Login(decode(raw.substring(0, colon)), decode(raw.substring(colon + 1)));
    }

    /** See {@link Credentials#redact(String)}. */
    public static String redact(String text) {
        Matcher m = IN_TEXT.matcher(text);
        if (!m.find()) {
            return text;
        }
        String userInfo = m.group(1);
        int colon = userInfo.indexOf(':');
        String shown = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
        return text.substring(0, m.start(1)) + shown + text.substring(m.end(1));
    }

    /** Percent-decoding as UTF-8; a '%' not followed by two hex digits stays as it is. */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        int i = 0;
        while (i < raw.length()) {
            int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int low = high >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
            if (raw.charAt(i) == '%' && low >= 0) {
                bytes.write(high * 16 + low);
                i += 3;
            } else {
                int next = raw.indexOf('%', i + 1);
                int end = next < 0 ? raw.length() : next;
                bytes.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
