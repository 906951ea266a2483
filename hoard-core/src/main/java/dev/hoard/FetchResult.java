package dev.hoard;

import java.net.URI;
import java.nio.file.Path;

/**
 * The outcome of a fetch.
 *
 * @param status           what happened
 * @param url              the URL that was asked for
 * @param path             where the file now is: the output path if one was given, otherwise the cached file
 * @param cachePath        the file in the cache, or null when the cache was not used (local sources, no-cache)
 * @param size             size in bytes
 * @param digest           the SHA-256 of the content, or null when it was not computed (an existing output skipped
 *                         without an expected digest)
 * @param etag             the server's ETag, if known
 * @param lastModified     the server's Last-Modified (an HTTP-date), if known
 * @param contentType      the server's Content-Type, if known
 * @param bytesTransferred body bytes received over the network in this call
 * @param fromSharedTier   whether the content came from the shared tier rather than the origin (status
 *                         {@code DOWNLOADED}: it was downloaded, from the tier; docs/shared-tier.md)
 */
public record FetchResult(FetchStatus status, URI url, Path path, Path cachePath, long size, Digest digest,
        String etag, String lastModified, String contentType, long bytesTransferred, boolean fromSharedTier) {

    /** A result that did not come from the shared tier. */
    public FetchResult(FetchStatus status, URI url, Path path, Path cachePath, long size, Digest digest,
            String etag, String lastModified, String contentType, long bytesTransferred) {
        this(status, url, path, cachePath, size, digest, etag, lastModified, contentType, bytesTransferred, false);
    }
}
