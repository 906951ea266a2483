package dev.hoard.internal.shared;

import dev.hoard.Digest;
import dev.hoard.internal.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the tier knows of one URL ({@code urls/<sha256 of the URL>.json}): the content's digest, size and chunk
 * set, and the origin's validators, so that a machine without a digest can revalidate against the origin before it
 * trusts the tier's copy.
 */
public record TierRecord(String url, long size, Digest sha256, String etag, String lastModified, String contentType,
        Instant storedAt, Chunks chunks) {

    static final int FORMAT = SharedTier.FORMAT;

    /** The content alone, as {@code content/<sha256>.json} names it for requests by digest. */
    public TierContent content() {
        return new TierContent(sha256, size, chunks, storedAt);
    }

    public byte[] toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("format", FORMAT);
        fields.put("url", url);
        fields.put("size", size);
        fields.put("sha256", sha256.hex());
        chunks.write(fields);
        fields.put("etag", etag);
        fields.put("lastModified", lastModified);
        fields.put("contentType", contentType);
        fields.put("storedAt", storedAt.toString());
        return Json.write(fields).getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException for anything that is not a record of this format, which callers ignore */
    public static TierRecord parse(byte[] json) {
        Map<String, Object> f = Json.parseObject(new String(json, StandardCharsets.UTF_8));
        if (!Long.valueOf(FORMAT).equals(f.get("format"))) {
            throw new IllegalArgumentException("unknown record format " + f.get("format"));
        }
        if (!(f.get("size") instanceof Long size) || !(f.get("url") instanceof String url)
                || !(f.get("sha256") instanceof String hex) || !(f.get("storedAt") instanceof String at)) {
            throw new IllegalArgumentException("a record without url, size, sha256 or storedAt");
        }
        return new TierRecord(url, size, Digest.sha256(hex), text(f, "etag"), text(f, "lastModified"),
                text(f, "contentType"), Instant.parse(at), Chunks.read(f));
    }

    /** A field that is a string, or null: what the tier's JSON objects hold for optional text. */
    static String text(Map<String, Object> f, String name) {
        return f.get(name) instanceof String s ? s : null;
    }
}
