package dev.hoard.cli;

import dev.hoard.FetchResult;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Renders results as the JSON objects documented in the README. */
final class JsonOutput {
    private JsonOutput() {
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
        return fields;
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
