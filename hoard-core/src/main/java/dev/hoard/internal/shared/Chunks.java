package dev.hoard.internal.shared;

import java.util.Map;

/**
 * Where a content's bytes are in the tier: the chunk set {@code chunks/<set>/<i>}, chunk {@code i} holding bytes
 * {@code [i × size, (i + 1) × size)} (the last one shorter; an empty content has one empty chunk). Each chunk is
 * one plain PUT, readable the moment it is stored, which is what lets other machines follow a download.
 *
 * @param set  32 hex digits, fresh for each upload, so that two uploads never mix
 * @param size the chunk size, {@link dev.hoard.SharedTierSettings#chunkSize} of the machine that wrote it
 */
public record Chunks(String set, int size) {

    public Chunks {
        if (set == null || !set.matches("[0-9a-f]{32}") || size <= 0) {
            throw new IllegalArgumentException("not a chunk set: " + set + ", " + size);
        }
    }

    /** How many chunks a content of {@code total} bytes has. */
    public int count(long total) {
        return total == 0 ? 1 : (int) ((total + size - 1) / size);
    }

    /** How many bytes chunk {@code i} of a content of {@code total} bytes holds. */
    public int length(int i, long total) {
        return (int) Math.max(0, Math.min(size, total - (long) i * size));
    }

    void write(Map<String, Object> fields) {
        fields.put("set", set);
        fields.put("chunkSize", (long) size);
    }

    static Chunks read(Map<String, Object> f) {
        if (!(f.get("set") instanceof String set) || !(f.get("chunkSize") instanceof Long size)
                || size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("no chunk set");
        }
        return new Chunks(set, (int) (long) size);
    }
}
