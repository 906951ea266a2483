package dev.hoard.internal.shared;

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
        return new LeaseHolder(token, f.get("url") instanceof String url ? url : null, host, pid,
                Instant.parse(since));
    }

    /** A heartbeat's body ({@code <generation>.hb}): the holder's token and how far it got. */
    static byte[] heartbeat(String token, long bytes, long total) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("token", token);
        fields.put("bytes", bytes);
        fields.put("total", total);
        return Json.write(fields).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code [bytes, total]} from a heartbeat's body; {@code [-1, -1]} if it is not one. */
    static long[] progress(byte[] heartbeat) {
        try {
            Map<String, Object> f = Json.parseObject(new String(heartbeat, StandardCharsets.UTF_8));
            return new long[] {f.get("bytes") instanceof Long b ? b : -1, f.get("total") instanceof Long t ? t : -1};
        } catch (IllegalArgumentException e) {
            return new long[] {-1, -1};
        }
    }
}
