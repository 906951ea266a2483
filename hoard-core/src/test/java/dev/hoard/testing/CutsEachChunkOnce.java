package dev.hoard.testing;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A store in front of another whose connections break mid-body now and then, as long transfers across a real
 * network do: the first 200 to each distinct GET of a chunk ({@code /v2/chunks/}) is cut off {@code after} bytes
 * past its status line (its headers and part of its body) by closing the connection; the same GET sent again gets
 * all of it. {@link #cuts()} says how often it cut.
 */
public final class CutsEachChunkOnce extends FaultyStorePipe {
    private final long after;
    private final Set<String> cut = ConcurrentHashMap.newKeySet();

    public CutsEachChunkOnce(S3Server store, long after) throws IOException {
        super(store);
        this.after = after;
    }

    @Override
    protected long cutAfter(String request, int status) {
        if (status != 200 || !request.startsWith("GET ") || !request.contains("/v2/chunks/") || !cut.add(request)) {
            return -1;
        }
        return after;
    }

    /** How many answers were cut so far. */
    public int cuts() {
        return cut.size();
    }

    @Override
    public String name() {
        return store.name() + " behind a proxy that cuts each chunk's first GET after " + after + " bytes";
    }
}
