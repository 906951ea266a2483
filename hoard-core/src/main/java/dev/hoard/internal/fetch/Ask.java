package dev.hoard.internal.fetch;

import dev.hoard.internal.store.EntryMetadata;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One GET to send, and what answer would fit it: the whole file, the rest of a file from a byte on (resumption), a
 * byte range (a segment), or the whole file only if it changed (revalidation). {@link #headers()} is the one place
 * where a request becomes {@code Range}, {@code If-Range}, {@code If-None-Match} and {@code If-Modified-Since}.
 *
 * @param source  the URL to ask: the request's or a mirror's
 * @param from    the first byte wanted; 0 for the whole file
 * @param end     one past the last byte wanted, or -1 for "to the end"
 * @param ifRange the validator that a range must still match (a strong ETag or a Last-Modified), or null: then the
 *                range is asked without condition, and only an expected digest can vouch for the joined file
 * @param length  the file's full length as the partial knows it, or -1: a 206 of another length does not fit
 * @param known   the cached version, for a conditional request; null otherwise
 */
record Ask(URI source, long from, long end, String ifRange, long length, EntryMetadata known) {

    static Ask whole(URI source) {
        return new Ask(source, 0, -1, null, -1, null);
    }

    /** The whole file, unless it is still {@code known}: then a 304 (or a 200 with the same validators). */
    static Ask ifChanged(URI source, EntryMetadata known) {
        return new Ask(source, 0, -1, null, -1, known);
    }

    /** Bytes {@code [from, end)} of a file of {@code length} bytes ({@code end} and {@code length} -1 if unknown). */
    static Ask range(URI source, long from, long end, String ifRange, long length) {
        return new Ask(source, from, end, ifRange, length, null);
    }

    boolean ranged() {
        return from > 0 || end >= 0;
    }

    Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        if (ranged()) {
            headers.put("Range", "bytes=" + from + "-" + (end >= 0 ? String.valueOf(end - 1) : ""));
            if (ifRange != null) {
                headers.put("If-Range", ifRange);
            }
        }
        if (known != null && known.etag() != null) {
            headers.put("If-None-Match", known.etag());
        }
        if (known != null && known.lastModified() != null) {
            headers.put("If-Modified-Since", known.lastModified());
        }
        return headers;
    }

    /** How messages name what was asked: the URL, and the range if one was. */
    String describe() {
        return ranged() ? "bytes " + from + "-" + (end >= 0 ? String.valueOf(end - 1) : "") + " of " + source
                : source.toString();
    }
}
