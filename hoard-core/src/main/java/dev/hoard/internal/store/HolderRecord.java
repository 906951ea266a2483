package dev.hoard.internal.store;

import dev.hoard.LockHolder;
import dev.hoard.internal.json.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who holds, or last held, an entry's lock: {@code entries/<key>/owner.json},
 * {@code {"pid", "host", "since", "partial", "url"}}. Written by the lock holder as soon as it has the lock; read
 * without the lock by waiters (to name the holder and show its progress) and by the management commands (to name
 * who is downloading a busy entry, and to learn the URL of an entry that has no {@code meta.json} yet). Only a held
 * lock makes it current: once the lock is free it describes a holder that is gone.
 *
 * @param holder  the process that took the lock, and when
 * @param partial the name of its partial file in {@code blobs/}
 * @param url     the entry's URL, or null in files written before it was recorded
 */
public record HolderRecord(LockHolder holder, String partial, String url) {

    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("pid", holder.pid());
        fields.put("host", holder.host());
        fields.put("since", holder.since().toString());
        fields.put("partial", partial);
        fields.put("url", url);
        return Json.write(fields);
    }

    /** @throws IllegalArgumentException if the text is not a holder record; callers treat that as no known holder */
    public static HolderRecord parse(String json) {
        Map<String, Object> f = Json.parseObject(json);
        if (!(f.get("pid") instanceof Long pid) || !(f.get("host") instanceof String host)
                || !(f.get("since") instanceof String since) || !(f.get("partial") instanceof String partial)
                || f.get("url") != null && !(f.get("url") instanceof String)) {
            throw new IllegalArgumentException("not a holder record");
        }
        try {
            return new HolderRecord(new LockHolder(pid, host, Instant.parse(since)), partial, (String) f.get("url"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a holder record: since is no time", e);
        }
    }
}
