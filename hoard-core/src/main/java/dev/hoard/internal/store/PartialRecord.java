package dev.hoard.internal.store;

import dev.hoard.internal.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param segments     for a download over several connections, the byte ranges and how much of each was written
 *                     when the record was written; empty for a download written front to back
 * @param progressToken for a download over several connections, the token of its {@link SegmentProgress} file,
 *                     which has the counts as they are now; null in records of format 1, which have none
 */
public record PartialRecord(String file, String source, String etag, String lastModified, long length,
        String bootId, long durable, List<Segment> segments, String progressToken) {

    /** Bytes {@code [start, end)} of the file, of which the first {@code written} are on disk. */
    public record Segment(long start, long end, long written) {
        public long length() {
            return end - start;
        }
    }

    public PartialRecord {
        segments = List.copyOf(segments);
    }

    /** A record of a download written front to back. */
    public PartialRecord(String file, String source, String etag, String lastModified, long length, String bootId,
            long durable) {
        this(file, source, etag, lastModified, length, bootId, durable, List.of(), null);
    }

    /** Format 2 added {@code progress}, the token of the {@link SegmentProgress} file; format 1 is still read. */
    static final int FORMAT = 2;
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    public PartialRecord withFile(String newFile) {
        return new PartialRecord(newFile, source, etag, lastModified, length, bootId, durable, segments,
                progressToken);
    }

    public PartialRecord withDurable(long bytes) {
        return new PartialRecord(file, source, etag, lastModified, length, currentBootId(), bytes, segments,
                progressToken);
    }

    /** This record cut into {@code now}, with a new progress token: a new {@link SegmentProgress} file goes with it. */
    public PartialRecord withSegments(List<Segment> now) {
        return new PartialRecord(file, source, etag, lastModified, length, currentBootId(), durable, now,
                newProgressToken());
    }

    /**
     * The segments as far as their progress can be trusted: the counts of the {@link SegmentProgress} file (or,
     * without one, those recorded here) after a process crash in the same boot; none after a reboot, since segment
     * progress is recorded without an fsync of the data, so only a same-boot page cache vouches for it.
     */
    public List<Segment> trustedSegments(Path progressFile) {
        String now = currentBootId();
        if (now == null || !now.equals(bootId)) {
            return segments.stream().map(s -> new Segment(s.start(), s.end(), 0)).toList();
        }
        return currentSegments(progressFile);
    }

    /** The segments with their latest counts: the progress file's where it belongs to this record, else ours. */
    public List<Segment> currentSegments(Path progressFile) {
        long[] live = SegmentProgress.read(progressFile, this).orElse(null);
        List<Segment> current = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            long written = live == null ? s.written() : Math.max(s.written(), Math.min(live[i], s.length()));
            current.add(new Segment(s.start(), s.end(), written));
        }
        return current;
    }

    private static String newProgressToken() {
        return Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() | 1L);
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
        if (!segments.isEmpty()) {
            fields.put("segments", segments.stream().map(s -> List.of(s.start(), s.end(), s.written())).toList());
            fields.put("progress", progressToken);
        }
        return Json.write(fields);
    }

    /** @throws IllegalArgumentException if the text is not a partial record; callers treat that as no partial */
    public static PartialRecord parse(String json) {
        Map<String, Object> f = Json.parseObject(json);
        Object format = f.get("format");
        if (!Long.valueOf(FORMAT).equals(format) && !Long.valueOf(1).equals(format)
                || !(f.get("file") instanceof String file)
                || file.contains("/") || !(f.get("source") instanceof String source)
                || !(f.get("length") instanceof Long length) || !(f.get("durable") instanceof Long durable)) {
            throw new IllegalArgumentException("not a partial record");
        }
        return new PartialRecord(file, source, (String) f.get("etag"), (String) f.get("lastModified"), length,
                (String) f.get("bootId"), durable, parseSegments(f.get("segments"), length),
                parseToken(f.get("progress")));
    }

    private static String parseToken(Object value) {
        if (value == null) {
            return null;
        }
        String token = (String) value;
        Long.parseUnsignedLong(token, 16); // a malformed token makes the record unreadable, like any torn field
        return token;
    }

    private static List<Segment> parseSegments(Object value, long length) {
        if (value == null) {
            return List.of();
        }
        List<Segment> segments = new ArrayList<>();
        long expectedStart = 0;
        for (Object item : (List<?>) value) {
            List<?> triple = (List<?>) item;
            Segment s = new Segment((Long) triple.get(0), (Long) triple.get(1), (Long) triple.get(2));
            if (s.start() != expectedStart || s.end() <= s.start() || s.written() < 0 || s.written() > s.length()) {
                throw new IllegalArgumentException("segments do not tile the file");
            }
            segments.add(s);
            expectedStart = s.end();
        }
        if (expectedStart != length) {
            throw new IllegalArgumentException("segments do not cover the file");
        }
        return segments;
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
