package dev.hoard;

import java.io.IOException;
import java.net.URI;

/** Offline mode was asked for and the cache cannot answer the request. */
public final class OfflineException extends IOException {
    private final URI url;

    public OfflineException(URI url) {
        super("offline: " + url + " is not in the cache");
        this.url = url;
    }

    public URI url() {
        return url;
    }
}
