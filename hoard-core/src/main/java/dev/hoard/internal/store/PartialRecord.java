package dev.hoard.internal.store;

import dev.hoard.internal.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a resumable partial download holds: {@code entries/<key>/partial.json}. Written by the lock holder when a
 * response's headers arrive and at checkpoints while the body streams; read by the next holder to resume with
 * {@code Range} + {@code If-Range}.
 *
 * @param file         the partial file's name in {@code blobs/}
 * @param source       the URL whose response the partial holds (a mirror's validators do not apply to another)
 * @param etag         that response's ETag, or null
 * @param lastModified that response's Last-Modified, or null
 * @param length       the full content length, or -1 if the server did not say
 * @param bootId       the kernel boot id when written, or null where unknown; see {@link #trustedLength}
 * @param durable      bytes known to be on disk (fsynced) at the last checkpoint
 */
public record PartialRecord(String file, String source, String etag, String lastModified, long length,
        String bootId, long durable) {

    static final int FORMAT = 1;
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    public PartialRecord withFile(String newFile) {
        return new PartialRecord(newFile, source, etag, lastModified, length, bootId, durable);
    }

    public PartialRecord withDurable(long bytes) {
        return new PartialRecord(file, source, etag, lastModified, length, currentBootId(), bytes);
    }

    /**
     * How many bytes of a partial file of {@code actualSize} can be trusted. After a process crash (same boot) every
     * byte written reached the page cache, so all of them. After a power loss or reboot, only what was fsynced at
     * the last checkpoint: a file's size can survive a power loss without its last blocks.
     */
    public long trustedLength(long actualSize) {
        String now = currentBootId();
        long trusted = now != null && now.equals(bootId) ? actualSize : Math.min(durable, actualSize);
        return length >= 0 ? Math.min(trusted, length) : trusted;
    }

    /** The validator to send in {@code If-Range}: a strong ETag, else Last-Modified, else null (cannot resume). */
    public String ifRangeValidator() {
        if (etag != null && !etag.startsWith("W/")) {
            return etag;
        }
        return lastModified;
    }

    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("format", FORMAT);
        fields.put("file", file);
        fields.put("source", source);
        fields.put("etag", etag);
        fields.put("lastModified", lastModified);
        fields.put("length", length);
        fields.put("bootId", bootId);
        fields.put("durable", durable);
        return Json.write(fields);
    }

    /** @throws IllegalArgumentException if the text is not a partial record; callers treat that as no partial */
    public static PartialRecord parse(String json) {
        Map<String, Object> f = Json.parseObject(json);
        if (!Long.valueOf(FORMAT).equals(f.get("format")) || !(f.get("file") instanceof String file)
                || file.contains("/") || !(f.get("source") instanceof String source)
                || !(f.get("length") instanceof Long length) || !(f.get("durable") instanceof Long durable)) {
            throw new IllegalArgumentException("not a partial record");
        }
        return new PartialRecord(file, source, (String) f.get("etag"), (String) f.get("lastModified"), length,
                (String) f.get("bootId"), durable);
    }

    /** The kernel's boot id (Linux), which changes at every boot; null elsewhere. */
    public static String currentBootId() {
        try {
            return Files.readString(BOOT_ID).trim();
        } catch (Exception e) {
            return null;
        }
    }
}
