package dev.hoard.cli.prefetch;

import dev.hoard.Credentials;
import dev.hoard.Digest;
import dev.hoard.FetchRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One item of a manifest, checked: what to fetch and, optionally, where to put it.
 *
 * @param url       the URL (http, https or file)
 * @param mirrors   further URLs with the same content, tried in order
 * @param digest    the expected digest, or null
 * @param checksums a SHA256SUMS-style file to read the digest from, or null
 * @param output    where to place a copy, already resolved against the manifest's directory, or null
 * @param headers   headers to send to the URL's host, e.g. Authorization; checked, never shown
 * @param location  where the item starts in its manifest
 */
record ManifestItem(URI url, List<URI> mirrors, Digest digest, URI checksums, Path output,
        Map<String, String> headers, Location location) {

    ManifestItem {
        mirrors = List.copyOf(mirrors);
        headers = Map.copyOf(headers);
    }

    /** The URL as messages show it: without the password its user:password@ may hold. */
    String shownUrl() {
        return Credentials.redact(url.toString());
    }

    /** A URL as written, checked as the library will check it (scheme, host). */
    static URI url(String text, Location at) {
        if (text.isBlank()) {
            throw new ManifestException(at, "empty URL");
        }
        try {
            URI uri = new URI(text.trim());
            FetchRequest.of(uri); // the library's own check: supported scheme, a host, a path
            return uri;
        } catch (URISyntaxException e) {
            throw new ManifestException(at, "malformed URL '" + Credentials.redact(text) + "': " + e.getReason());
        } catch (IllegalArgumentException e) {
            throw new ManifestException(at, e.getMessage());
        }
    }

    /** Headers checked as the library will check them for {@code url}, with messages that never show a value. */
    static Map<String, String> headers(URI url, Map<String, String> headers, Location at) {
        try {
            FetchRequest.of(url).headers(headers);
            return headers;
        } catch (IllegalArgumentException e) {
            throw new ManifestException(at, e.getMessage());
        }
    }

    static Digest digest(String text, Location at) {
        try {
            return Digest.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw new ManifestException(at, e.getMessage());
        }
    }

    /** An output path; a relative one is taken relative to the manifest's directory, not the current one. */
    static Path output(String text, Location at) {
        if (text.isBlank()) {
            throw new ManifestException(at, "empty output path");
        }
        try {
            Path manifestDir = at.file().toAbsolutePath().getParent();
            return manifestDir.resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw new ManifestException(at, "bad output path '" + text + "': " + e.getReason());
        }
    }
}
