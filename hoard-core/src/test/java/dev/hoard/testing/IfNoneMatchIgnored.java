package dev.hoard.testing;

import java.io.IOException;

/**
 * A store in front of another that behaves like s3rver or LocalS3: every {@code PUT} with {@code If-None-Match: *}
 * seems to succeed, its {@code 412} turned into {@code 200}. The store keeps the first object, as the losers'
 * "success" is only in what they are told.
 */
public final class IfNoneMatchIgnored extends FaultyStorePipe {

    public IfNoneMatchIgnored(S3Server store) throws IOException {
        super(store, 412, 200);
    }

    @Override
    protected boolean rewrite(String request) {
        return true;
    }

    @Override
    public String name() {
        return store.name() + " behind a proxy that makes If-None-Match seem ignored";
    }
}
