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
 * @param checksums   a SHA256SUMS-style file to read the expected digest from, by the file name of {@code uri}; or
 *                    null. The file is fetched through the cache like any other (revalidated, usable offline)
 * @param decompress  write the decompressed content (gz, bz2, xz, zst) to {@code output}; the cache keeps the
 *                    compressed bytes, and {@code digest} applies to them. An existing output is skipped unverified
 */
public record FetchRequest(URI uri, List<URI> mirrors, Digest digest, Path output, boolean noCache, boolean offline,
        Duration lockTimeout, URI checksums, boolean decompress) {

    public FetchRequest {
        uri = checkSupported(uri);
        mirrors = List.copyOf(mirrors);
        mirrors.forEach(FetchRequest::checkSupported);
        if (checksums != null) {
            checkSupported(checksums);
        }
    }

    public static FetchRequest of(URI uri) {
        return new FetchRequest(uri, List.of(), null, null, false, false, null, null, false);
    }

    public FetchRequest mirrors(List<URI> mirrors) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress);
    }

    public FetchRequest digest(Digest digest) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress);
    }

    public FetchRequest output(Path output) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress);
    }

    public FetchRequest noCache(boolean noCache) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress);
    }

    public FetchRequest offline(boolean offline) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress);
    }

    public FetchRequest lockTimeout(Duration lockTimeout) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress);
    }

    public FetchRequest checksums(URI checksums) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress);
    }

    public FetchRequest decompress(boolean decompress) {
        return new FetchRequest(uri, mirrors, digest, output, noCache, offline, lockTimeout, checksums, decompress);
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
                if (uri.getPort() == 0 || uri.getPort() > 65535) {
                    throw new IllegalArgumentException("malformed URL '" + uri + "': port " + uri.getPort()
                            + " is not between 1 and 65535");
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
