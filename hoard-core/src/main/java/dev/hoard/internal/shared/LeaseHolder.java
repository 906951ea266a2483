package dev.hoard.internal.shared;

import dev.hoard.Digest;
import dev.hoard.internal.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of a lease ({@code leases/<key>/<generation>}): who holds it, and for which URL. The token is unique
 * per claim, so that two claimants never write identical bodies (which would get identical ETags) and a claimant
 * that got an ambiguous answer can read the lease back and know whether it is its own.
 */
public record LeaseHolder(String token, String url, String host, long pid, Instant since) {

    public byte[] toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("format", TierRecord.FORMAT);
        fields.put("token", token);
        fields.put("url", url);
        fields.put("host", host);
        fields.put("pid", pid);
        fields.put("since", since.toString());
        return Json.write(fields).getBytes(StandardCharsets.UTF_8);
    }

    public static LeaseHolder parse(byte[] json) {
        Map<String, Object> f = Json.parseObject(new String(json, StandardCharsets.UTF_8));
        if (!(f.get("token") instanceof String token) || !(f.get("host") instanceof String host)
                || !(f.get("pid") instanceof Long pid) || !(f.get("since") instanceof String since)) {
            throw new IllegalArgumentException("not a lease");
        }
        return new LeaseHolder(token, TierRecord.text(f, "url"), host, pid,
                Instant.parse(since));
    }

    /**
     * A heartbeat's body ({@code <generation>.hb}): the holder's token, how far its download got, and which chunk
     * set it uploads the content to and how many of its chunks (from the first) are stored.
     */
    static byte[] heartbeat(String token, Lease.Progress progress) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("token", token);
        fields.put("bytes", progress.bytes());
        fields.put("total", progress.total());
        if (progress.chunks() != null) {
            progress.chunks().write(fields);
            fields.put("chunks", (long) progress.stored());
            if (progress.storedSha256() != null) {
                fields.put("chunksSha256", progress.storedSha256().hex());
            }
        }
        if (progress.origin() != null) {
            fields.put("source", progress.origin().source());
            fields.put("etag", progress.origin().etag());
            fields.put("lastModified", progress.origin().lastModified());
        }
        return Json.write(fields).getBytes(StandardCharsets.UTF_8);
    }

    /** The progress a heartbeat's body reports; {@link Lease.Progress#UNKNOWN} if it is not one. */
    static Lease.Progress progress(byte[] heartbeat) {
        try {
            Map<String, Object> f = Json.parseObject(new String(heartbeat, StandardCharsets.UTF_8));
            long bytes = f.get("bytes") instanceof Long b ? b : -1;
            long total = f.get("total") instanceof Long t ? t : -1;
            Chunks chunks = null;
            int stored = 0;
            Digest storedSha256 = null;
            if (f.get("chunks") instanceof Long n && n >= 0 && n <= Integer.MAX_VALUE) {
                try {
                    chunks = Chunks.read(f);
                    stored = (int) (long) n;
                    storedSha256 = f.get("chunksSha256") instanceof String hex ? Digest.sha256(hex) : null;
                } catch (IllegalArgumentException e) {
                    // progress without a (valid) chunk set: nothing to follow
                }
            }
            Lease.Origin origin = f.get("source") instanceof String source
                    ? new Lease.Origin(source, TierRecord.text(f, "etag"), TierRecord.text(f, "lastModified")) : null;
            return new Lease.Progress(bytes, total, chunks, stored, storedSha256, origin);
        } catch (IllegalArgumentException e) {
            return Lease.Progress.UNKNOWN;
        }
    }
}
