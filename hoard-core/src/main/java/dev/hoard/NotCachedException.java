package dev.hoard;

import java.io.IOException;
import java.net.URI;

/** A URL named to {@link Hoard#remove} is not in the cache. */
public final class NotCachedException extends IOException {
    private final URI url;

    public NotCachedException(URI url) {
        super("not in the cache: " + url);
        this.url = url;
    }

    public URI url() {
        return url;
    }
}
