package dev.hoard.internal.shared;

import dev.hoard.Digest;
import dev.hoard.internal.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A content the tier holds, named by its SHA-256 ({@code content/<sha256>.json}): its size and chunk set, for a
 * request that knows the digest whatever URL brought the content.
 */
public record TierContent(Digest sha256, long size, Chunks chunks, Instant storedAt) {

    public byte[] toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("format", SharedTier.FORMAT);
        fields.put("sha256", sha256.hex());
        fields.put("size", size);
        chunks.write(fields);
        fields.put("storedAt", storedAt.toString());
        return Json.write(fields).getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException for anything that is not a content index of this format */
    public static TierContent parse(byte[] json) {
        Map<String, Object> f = Json.parseObject(new String(json, StandardCharsets.UTF_8));
        if (!Long.valueOf(SharedTier.FORMAT).equals(f.get("format")) || !(f.get("size") instanceof Long size)
                || !(f.get("sha256") instanceof String hex) || !(f.get("storedAt") instanceof String at)) {
            throw new IllegalArgumentException("not a content index of format " + SharedTier.FORMAT);
        }
        return new TierContent(Digest.sha256(hex), size, Chunks.read(f), Instant.parse(at));
    }
}
