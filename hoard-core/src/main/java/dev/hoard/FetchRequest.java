package dev.hoard;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

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
 */
public record FetchRequest(URI uri, List<URI> mirrors, Digest digest, Path output, boolean noCache, boolean offline,
        Duration lockTimeout) {

    public FetchRequest {
        uri = checkSupported(uri);
        mirrors = List.copyOf(mirrors);
        mirrors.forEach(FetchRequest::checkSupported);
    }

    public static FetchRequest of(URI uri) {
        return new FetchRequest(uri, List.of(), null, null, false, false, null);
    }

    public FetchRequest mirrors(List<URI> mirrors) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout);
    }

    public FetchRequest digest(Digest digest) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout);
    }

    public FetchRequest output(Path output) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout);
    }

    public FetchRequest noCache(boolean noCache) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout);
    }

    public FetchRequest offline(boolean offline) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout);
    }

    public FetchRequest lockTimeout(Duration lockTimeout) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout);
    }

    /** True for {@code file:} sources, which are copied and checked but never cached. */
    public boolean isLocal() {
        return "file".equals(uri.getScheme());
    }

    private static URI checkSupported(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("no URL given");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http", "https" -> {
                if (uri.getHost() == null || uri.getHost().isEmpty()) {
                    throw new IllegalArgumentException("malformed URL '" + uri + "': no host");
                }
            }
            case "file" -> {
                if (uri.getPath() == null || uri.getPath().isEmpty()) {
                    throw new IllegalArgumentException("malformed URL '" + uri + "': no path");
                }
            }
            case "" -> throw new IllegalArgumentException("malformed URL '" + uri + "': no scheme (http, https or file)");
            default -> throw new IllegalArgumentException(
                    "unsupported URL scheme '" + uri.getScheme() + "' in '" + uri + "': use http, https or file");
        }
        return uri;
    }
}
