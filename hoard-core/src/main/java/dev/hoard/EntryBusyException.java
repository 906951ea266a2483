package dev.hoard;

import java.io.IOException;
import java.net.URI;

/** An entry could not be removed because a process holds its lock: it is downloading it right now. */
public final class EntryBusyException extends IOException {
    private final URI url;
    private final LockHolder holder;

    public EntryBusyException(URI url, LockHolder holder) {
        super(url + " is being downloaded by " + (holder == null ? "another process" : holder.toString())
                + "; nothing was removed, try again when it finishes");
        this.url = url;
        this.holder = holder;
    }

    public URI url() {
        return url;
    }

    /** The entry's lock holder, or null if it could not be named. */
    public LockHolder holder() {
        return holder;
    }
}
