package dev.hoard.cli;

import dev.hoard.CacheEntryInfo;
import dev.hoard.FetchResult;
import dev.hoard.LockHolder;
import dev.hoard.Verification;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders results as the JSON objects documented in the README, one object per line. */
final class JsonOutput {
    /** The status of a fetch that failed; the library's statuses are those of {@link dev.hoard.FetchStatus}. */
    static final String FAILED = "failed";

    private JsonOutput() {
    }

    /** One line of {@code ls --shared --json}. */
    static String of(dev.hoard.SharedTierEntry e) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("url", e.url());
        fields.put("digest", e.sha256() == null ? null : e.sha256().toString());
        fields.put("size", e.size() < 0 ? null : e.size());
        fields.put("stored", e.stored() == null ? null : e.stored().toString());
        fields.put("state", e.state());
        fields.put("holder", e.holder());
        return object(fields);
    }

    static String of(FetchResult r) {
        return object(fields(r));
    }

    /** The fields of {@code get --json}, in order, for callers that add their own. */
    static Map<String, Object> fields(FetchResult r) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", r.status().label());
        fields.put("url", r.url().toString());
        fields.put("path", pathText(r.path()));
        fields.put("cachePath", pathText(r.cachePath()));
        fields.put("size", r.size());
        fields.put("digest", r.digest() == null ? null : r.digest().toString());
        fields.put("etag", r.etag());
        fields.put("lastModified", r.lastModified());
        fields.put("contentType", r.contentType());
        fields.put("bytesTransferred", r.bytesTransferred());
        if (r.fromSharedTier()) {
            fields.put("source", "shared"); // docs/shared-tier.md: the bytes came from the tier, not the origin
        }
        return fields;
    }

    /**
     * The object of a fetch that failed, as {@code get --json} and {@code prefetch --json} print it: status
     * {@code failed}, the URL and output asked for, {@code error} the message, the fields only a result has null.
     */
    static Map<String, Object> failure(String url, Path output, Throwable error) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", FAILED);
        fields.put("url", url);
        fields.put("path", pathText(output));
        for (String unknown : List.of("cachePath", "size", "digest", "etag", "lastModified", "contentType",
                "bytesTransferred")) {
            fields.put(unknown, null);
        }
        fields.put("error", ExitCodes.message(error));
        return fields;
    }

    /** One line of {@code hoard ls --json}. */
    static String of(CacheEntryInfo info) {
        CacheEntryInfo.Partial partial = info.partial();
        LockHolder holder = partial == null ? null : partial.holder();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("url", text(info.url()));
        fields.put("state", info.state().label());
        fields.put("size", info.size() < 0 ? null : info.size());
        fields.put("digest", text(info.digest()));
        fields.put("path", pathText(info.path()));
        fields.put("fetchedAt", text(info.fetchedAt()));
        fields.put("lastUsed", text(info.lastUsed()));
        fields.put("partialBytes", partial == null ? null : partial.bytes());
        fields.put("partialLength", partial == null || partial.length() < 0 ? null : partial.length());
        fields.put("pid", holder == null ? null : holder.pid());
        fields.put("host", holder == null ? null : holder.host());
        fields.put("problem", info.problem());
        return object(fields);
    }

    /** One line of {@code hoard verify --json}. */
    static String of(Verification v) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("url", text(v.url()));
        fields.put("digest", text(v.digest()));
        fields.put("status", v.outcome().label());
        fields.put("problem", v.problem());
        fields.put("expected", text(v.expected()));
        fields.put("actual", text(v.actual()));
        fields.put("repaired", v.repaired());
        return object(fields);
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    /** A JSON array with one object on each line, as prefetch commands print their results. */
    static String array(List<? extends Map<String, ?>> objects) {
        StringBuilder out = new StringBuilder("[");
        String separator = "\n";
        for (Map<String, ?> fields : objects) {
            out.append(separator).append(object(fields));
            separator = ",\n";
        }
        return out.append(objects.isEmpty() ? "]\n" : "\n]\n").toString();
    }

    static String object(Map<String, ?> fields) {
        StringBuilder out = new StringBuilder("{");
        String separator = "";
        for (Map.Entry<String, ?> field : fields.entrySet()) {
            out.append(separator);
            quote(out, field.getKey());
            out.append(':');
            Object value = field.getValue();
            if (value == null || value instanceof Number || value instanceof Boolean) {
                out.append(value);
            } else {
                quote(out, value.toString());
            }
            separator = ",";
        }
        return out.append('}').toString();
    }

    static String pathText(Path path) {
        return path == null ? null : path.toAbsolutePath().toString();
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
