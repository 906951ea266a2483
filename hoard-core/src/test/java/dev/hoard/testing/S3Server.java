package dev.hoard.testing;

import java.net.URI;
import java.util.Map;

/**
 * An S3-compatible object store that a test started on loopback (S3Proxy, Ceph RGW), with one empty bucket ready,
 * addressed path-style at {@link #endpoint()}. Tests that must hold against every store take an {@code S3Server}
 * and run once per implementation; implementations skip visibly when their server is not installed (or fail, where
 * CI says it must be there), as {@link Nginx} does.
 */
public interface S3Server extends AutoCloseable {

    /** The store's base URL, e.g. {@code http://127.0.0.1:40123}; buckets are addressed path-style under it. */
    URI endpoint();

    /** The region to sign for (stores on loopback accept any; {@code us-east-1} unless the store says otherwise). */
    String region();

    String accessKey();

    String secretKey();

    /** A bucket that exists, and was empty when this server was returned. */
    String bucket();

    /** A name for test output and reports, e.g. {@code "S3Proxy 4.1.0"}, {@code "Ceph RGW 16.2.15"}. */
    String name();

    /** Stops the store at once (SIGKILL), for tests of a tier that goes away; {@link #close()} after it still cleans up. */
    void kill();

    /** The AWS environment variables a forked hoard needs to reach this store with the standard chain. */
    default Map<String, String> awsEnvironment() {
        return Map.of("AWS_ACCESS_KEY_ID", accessKey(), "AWS_SECRET_ACCESS_KEY", secretKey(), "AWS_REGION", region(),
                "AWS_ENDPOINT_URL_S3", endpoint().toString());
    }

    /** Stops the store and deletes its files. */
    @Override
    void close();
}
