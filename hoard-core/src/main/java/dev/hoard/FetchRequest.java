package dev.hoard;

import dev.hoard.internal.auth.UserInfo;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What to fetch and where to put it. Build one with {@link #of(URI)} and the withers:
 *
 * <pre>{@code
 * FetchRequest.of(uri).digest(Digest.parse("sha256:...")).output(Path.of("disk.img"))
 * }</pre>
 *
 * @param uri         the source: {@code http}, {@code https} or {@code file}
 * @param mirrors     further URLs with the same content, tried in order when {@code uri} fails
 * @param digest      the expected digest, or null to trust the server (with revalidation)
 * @param output      where to place a copy of the file, or null to only cache it
 * @param noCache     download straight to {@code output}, bypassing the cache
 * @param offline     never touch the network
 * @param lockTimeout how long to wait for another process downloading the same entry; null waits without limit
 * @param checksums   a SHA256SUMS-style file to read the expected digest from, by the file name of {@code uri}; or
 *                    null. The file is fetched through the cache like any other (revalidated, usable offline)
 * @param decompress  write the decompressed content (gz, bz2, xz, zst) to {@code output}; the cache keeps the
 *                    compressed bytes, and {@code digest} applies to them. An existing output is skipped unverified
 * @param credentials what to authenticate with, per origin ({@link Credentials} says where each part is sent). The
 *                    {@code user:password@} of {@code uri}, a mirror or {@code checksums} moves in here as the login
 *                    of that URL's origin, and the URL keeps the rest: so the cache entry, its recorded URL and every
 *                    message are the same with credentials and without, and hold no secret
 */
public record FetchRequest(URI uri, List<URI> mirrors, Digest digest, Path output, boolean noCache, boolean offline,
        Duration lockTimeout, URI checksums, boolean decompress, Credentials credentials) {

    public FetchRequest {
        uri = checkSupported(uri);
        mirrors = List.copyOf(mirrors);
        mirrors.forEach(FetchRequest::checkSupported);
        if (checksums != null) {
            checkSupported(checksums);
        }
        credentials = credentials == null ? Credentials.NONE : credentials;
        if (anyUserInfo(uri, mirrors, checksums)) {
            List<URI> all = new ArrayList<>(List.of(uri));
            all.addAll(mirrors);
            if (checksums != null) {
                all.add(checksums);
            }
            credentials = withLogins(credentials, all);
            uri = UserInfo.strip(uri);
            mirrors = mirrors.stream().map(UserInfo::strip).toList();
            checksums = checksums == null ? null : UserInfo.strip(checksums);
        }
    }

    public static FetchRequest of(URI uri) {
        return new FetchRequest(uri, List.of(), null, null, false, false, null, null, false, null);
    }

    public FetchRequest mirrors(List<URI> mirrors) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress,
                credentials);
    }

    public FetchRequest digest(Digest digest) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress,
                credentials);
    }

    public FetchRequest output(Path output) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress,
                credentials);
    }

    public FetchRequest noCache(boolean noCache) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress,
                credentials);
    }

    public FetchRequest offline(boolean offline) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress,
                credentials);
    }

    public FetchRequest lockTimeout(Duration lockTimeout) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress,
                credentials);
    }

    public FetchRequest checksums(URI checksums) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress,
                credentials);
    }

    public FetchRequest decompress(boolean decompress) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress,
                credentials);
    }

    /**
     * Headers to send to {@code uri}'s origin, and there only (see {@link Credentials}), such as
     * {@code Authorization: Bearer TOKEN}; added to those given before, replacing one of the same name. Ignored for a
     * {@code file:} source.
     *
     * @throws IllegalArgumentException a malformed header, or one the library sets itself (see
     *                                  {@link Credentials#headers(Origin, Map)})
     */
    public FetchRequest headers(Map<String, String> headers) {
        return isLocal() || headers.isEmpty() ? this : credentials(credentials.headers(Origin.of(uri), headers));
    }

    /** A netrc file to look logins up in (see {@link Credentials#netrc()}), or null for none. */
    public FetchRequest netrc(Path netrc) {
        return credentials(credentials.netrc(netrc));
    }

    public FetchRequest credentials(Credentials credentials) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress,
                credentials);
    }

    /** True for {@code file:} sources, which are copied and checked but never cached. */
    public boolean isLocal() {
        return "file".equals(uri.getScheme());
    }

    /** A plain loop and no class of the credentials' own unless needed: every request, hits too, comes by here. */
    private static boolean anyUserInfo(URI uri, List<URI> mirrors, URI checksums) {
        boolean any = uri.getRawUserInfo() != null || checksums != null && checksums.getRawUserInfo() != null;
        for (URI mirror : mirrors) {
            any |= mirror.getRawUserInfo() != null;
        }
        return any;
    }

    private static Credentials withLogins(Credentials credentials, List<URI> urls) {
        for (URI url : urls) {
            Credentials.Login login = UserInfo.present(url) ? UserInfo.login(url) : null; // not file:
            if (login != null) {
                credentials = credentials.login(Origin.of(url), login);
            }
        }
        return credentials;
    }

    private static URI checkSupported(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("no URL given");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String shown = uri.getRawAuthority() != null && uri.getRawAuthority().contains("@")
                ? Credentials.redact(uri.toString()) : uri.toString();
        switch (scheme) {
            case "http", "https" -> {
                if (uri.getHost() == null || uri.getHost().isEmpty()) {
                    throw new IllegalArgumentException("malformed URL '" + shown + "': no host"
                            + (shown.equals(uri.toString()) ? "" : " (write an '@' or ':' in a user name or "
                                    + "password as %40 or %3A)"));
                }
                if (uri.getPort() == 0 || uri.getPort() > 65535) {
                    throw new IllegalArgumentException("malformed URL '" + uri + "': port " + uri.getPort()
                            + " is not between 1 and 65535");
                }
            }
            case "file" -> {
                if (uri.getPath() == null || uri.getPath().isEmpty()) {
                    throw new IllegalArgumentException("malformed URL '" + shown + "': no path");
                }
            }
            case "" -> throw new IllegalArgumentException("malformed URL '" + shown + "': no scheme (http, https or "
                    + "file)");
            default -> throw new IllegalArgumentException(
                    "unsupported URL scheme '" + uri.getScheme() + "' in '" + shown + "': use http, https or file");
        }
        return uri;
    }
}
