package dev.hoard.internal.fetch;

import dev.hoard.internal.http.HttpResponse;
import dev.hoard.internal.store.EntryMetadata;

/** Whether a response is the content the cache already has. */
final class Validators {
    private Validators() {
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
