package dev.hoard.testing;

import java.util.stream.Stream;

/**
 * The S3 stores that tests of the shared tier run against, each started once per test JVM and shared by every test
 * class (each test works under a prefix of its own); their watchdogs stop them when the JVM exits: S3Proxy, and Ceph
 * RGW (memstore, about 3 s to start) where it is installed. Where it is not, the Ceph runs skip saying so, as
 * {@link CephRgw#assumeAvailable()} does (HOARD_REQUIRE_CEPH=1 makes them fail), and the S3Proxy runs go on.
 *
 * <p>Use with {@code @ParameterizedTest(autoCloseArguments = false) @MethodSource("dev.hoard.testing.S3Stores#all")}:
 * JUnit would otherwise close the shared store after the first test.
 */
public final class S3Stores {
    private static S3Proxy s3proxy;
    private static S3Server ceph;

    private S3Stores() {
    }

    public static synchronized Stream<S3Server> all() {
        return Stream.of(s3proxy(), ceph());
    }

    /**
     * S3Proxy alone, for a test whose Ceph run is another test (e.g. one in network namespaces, with a Ceph of its
     * own on a host-side address), so the suite does not pay for the same run twice.
     */
    public static synchronized Stream<S3Server> s3proxyOnly() {
        return Stream.of(s3proxy());
    }

    private static S3Server s3proxy() {
        if (s3proxy == null) {
            s3proxy = S3Proxy.start();
        }
        return s3proxy;
    }

    /**
     * Ceph RGW, started on first use; where Ceph is not installed, a stand-in whose every use skips the test (or
     * fails it under HOARD_REQUIRE_CEPH=1), so that the parameterized test still lists the Ceph run.
     */
    private static S3Server ceph() {
        if (ceph == null) {
            ceph = CephRgw.missingBinaries().isEmpty() ? CephRgw.start() : missingCeph();
        }
        return ceph;
    }

    private static S3Server missingCeph() {
        return (S3Server) java.lang.reflect.Proxy.newProxyInstance(S3Server.class.getClassLoader(),
                new Class<?>[] {S3Server.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "name", "toString" -> "Ceph RGW (not installed)";
                    case "close", "kill" -> null;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> {
                        CephRgw.assumeAvailable();
                        throw new IllegalStateException("Ceph is not installed");
                    }
                });
    }
}
