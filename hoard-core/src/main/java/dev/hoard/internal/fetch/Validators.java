package dev.hoard.internal.fetch;

import dev.hoard.internal.http.HttpResponse;
import dev.hoard.internal.store.EntryMetadata;
import java.util.LinkedHashMap;
import java.util.Map;

/** Whether a response is the content the cache already has. */
final class Validators {
    private Validators() {
    }

    /** {@code If-None-Match} and {@code If-Modified-Since} for the validators the cache holds. */
    static Map<String, String> conditionalHeaders(EntryMetadata known) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (known.etag() != null) {
            headers.put("If-None-Match", known.etag());
        }
        if (known.lastModified() != null) {
            headers.put("If-Modified-Since", known.lastModified());
        }
        return headers;
    }

    /** A 304, or a 200 whose validators say it is the cached content (for servers that ignore conditions). */
    static boolean unchanged(HttpResponse response, EntryMetadata known) {
        if (response.status() == 304) {
            return true;
        }
        if (response.status() != 200) {
            return false;
        }
        String etag = response.header("ETag");
        if (etag != null && known.etag() != null) {
            return etag.equals(known.etag()) && !etag.startsWith("W/");
        }
        String lastModified = response.header("Last-Modified");
        return lastModified != null && lastModified.equals(known.lastModified())
                && response.contentLength() == known.size();
    }
}
