package dev.hoard.testing;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A store in front of another that is busy now and then, as AWS S3 is under load: the first {@code 200} it gives
 * to each distinct request (method, key and query) becomes a {@code 503} (S3's {@code SlowDown}), after the store
 * did what was asked; the same request sent again gets the real answer. So every kind of request meets one 503:
 * chunk PUTs and GETs, a lease's create-if-absent (whose retry then finds the object it made), heartbeats, lists.
 * What a client does with that is what the test looks at; {@link #injected()} says how often it had to.
 */
public final class SlowDownNowAndThen extends FaultyStorePipe {
    private final Set<String> answered = ConcurrentHashMap.newKeySet();

    public SlowDownNowAndThen(S3Server store) throws IOException {
        super(store, 200, 503);
    }

    @Override
    protected boolean rewrite(String request) {
        return answered.add(request);
    }

    /** How many answers were turned into 503 so far. */
    public int injected() {
        return answered.size();
    }

    @Override
    public String name() {
        return store.name() + " behind a proxy that turns each request's first 200 into 503";
    }
}
