package dev.hoard.testing;

import java.util.stream.Stream;

/**
 * The S3 stores that tests of the shared tier run against, each started once per test JVM and shared by every test
 * class (each test works under a prefix of its own); their watchdogs stop them when the JVM exits. Today S3Proxy; a
 * Ceph RGW fixture joins {@link #all()} where it is installed.
 *
 * <p>Use with {@code @ParameterizedTest(autoCloseArguments = false) @MethodSource("dev.hoard.testing.S3Stores#all")}:
 * JUnit would otherwise close the shared store after the first test.
 */
public final class S3Stores {
    private static S3Proxy s3proxy;

    private S3Stores() {
    }

    public static synchronized Stream<S3Server> all() {
        if (s3proxy == null) {
            s3proxy = S3Proxy.start();
        }
        return Stream.of(s3proxy);
    }
}
