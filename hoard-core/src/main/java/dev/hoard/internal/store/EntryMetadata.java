package dev.hoard.internal.store;

import dev.hoard.Digest;
import dev.hoard.internal.json.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the cache knows about one URL: where its content is and how to revalidate it. Stored as
 * {@code entries/<key>/meta.json}; see docs/cache-layout.md.
 *
 * @param url            the URL as requested
 * @param etag           the server's ETag, or null
 * @param lastModified   the server's Last-Modified as sent (an HTTP-date), or null
 * @param contentType    the server's Content-Type, or null
 * @param size           content length in bytes
 * @param sha256         digest of the content; names the blob
 * @param expectedDigest the digest the request asked for, or null
 * @param fetchedAt      when the content was downloaded
 * @param validatedAt    when the server last confirmed the content (download or 304)
 */
public record EntryMetadata(String url, String etag, String lastModified, String contentType, long size,
        Digest sha256, Digest expectedDigest, Instant fetchedAt, Instant validatedAt) {

    static final int FORMAT = 1;

    public EntryMetadata withValidatedAt(Instant when) {
        return new EntryMetadata(url, etag, lastModified, contentType, size, sha256, expectedDigest, fetchedAt, when);
    }

    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("format", FORMAT);
        fields.put("url", url);
        fields.put("etag", etag);
        fields.put("lastModified", lastModified);
        fields.put("contentType", contentType);
        fields.put("size", size);
        fields.put("sha256", sha256.hex());
        fields.put("expectedDigest", expectedDigest == null ? null : expectedDigest.toString());
        fields.put("fetchedAt", fetchedAt.toString());
        fields.put("validatedAt", validatedAt.toString());
        return Json.write(fields);
    }

    /**
     * Reads metadata written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException if the text is not valid metadata of this format; callers treat that as a miss
     */
    public static EntryMetadata parse(String json) {
        Map<String, Object> fields = Json.parseObject(json);
        if (!Long.valueOf(FORMAT).equals(fields.get("format"))) {
            throw new IllegalArgumentException("unknown metadata format " + fields.get("format"));
        }
        String expected = string(fields, "expectedDigest", false);
        return new EntryMetadata(
                string(fields, "url", true),
                string(fields, "etag", false),
                string(fields, "lastModified", false),
                string(fields, "contentType", false),
                number(fields, "size"),
                Digest.sha256(string(fields, "sha256", true)),
                expected == null ? null : Digest.parse(expected),
                Instant.parse(string(fields, "fetchedAt", true)),
                Instant.parse(string(fields, "validatedAt", true)));
    }

    private static String string(Map<String, Object> fields, String name, boolean required) {
        Object value = fields.get(name);
        if (value == null && !required) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException("metadata field '" + name + "' is missing or not a string");
        }
        return s;
    }

    private static long number(Map<String, Object> fields, String name) {
        if (!(fields.get(name) instanceof Long n) || n < 0) {
            throw new IllegalArgumentException("metadata field '" + name + "' is missing or not a size");
        }
        return n;
    }
}
