package dev.hoard.testing;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * S3Proxy 4.1.0 (Maven Central, {@code org.gaul:s3proxy:jar-with-dependencies}) on a free loopback port, with its
 * filesystem backend in a private temp directory, AWS v2/v4 signatures required, and one empty bucket. It runs as
 * a forked {@code java -jar} under {@link ServerProcess}'s watchdog. The build resolves the jar into the local Maven
 * repository and names it in the system property {@code hoard.s3proxy.jar}; without it the test is skipped visibly,
 * or fails where {@code HOARD_REQUIRE_S3PROXY=1} (CI) says it must be there.
 *
 * <p>Behaviour seen with this configuration: {@code PUT} with {@code If-None-Match: *} on an existing key is a 412;
 * list-objects v2 pages with {@code NextContinuationToken}; presigned URLs work for GET and honour {@code Range}.
 */
public final class S3Proxy implements S3Server {
    private static final String ACCESS_KEY = "AKIAHOARDTESTS3PROXY";
    private static final String SECRET_KEY = "hoard-test-secret-3f9a1c77e2b54d08";
    private static final String BUCKET = "hoard-tier";

    private final ServerProcess server;
    private final URI endpoint;
    private volatile boolean killed;

    private S3Proxy(ServerProcess server) {
        this.server = server;
        this.endpoint = URI.create("http://127.0.0.1:" + server.port(0));
    }

    /** The S3Proxy jar that the build resolved, if there is one. */
    static Optional<Path> jar() {
        String property = System.getProperty("hoard.s3proxy.jar");
        return property == null ? Optional.empty() : Optional.of(Path.of(property)).filter(Files::isReadable);
    }

    /** Skips the calling test, saying why, without the jar; fails it instead under HOARD_REQUIRE_S3PROXY=1. */
    public static void assumeAvailable() {
        assumeAvailable(jar(), System.getenv("HOARD_REQUIRE_S3PROXY"), System.err);
    }

    static void assumeAvailable(Optional<Path> jar, String required, PrintStream log) {
        if (jar.isPresent()) {
            return;
        }
        String reason = "S3Proxy's jar not found (system property hoard.s3proxy.jar="
                + System.getProperty("hoard.s3proxy.jar") + "); run the tests through Maven, which resolves it";
        if ("1".equals(required)) {
            throw new AssertionError(reason + " (HOARD_REQUIRE_S3PROXY=1)");
        }
        log.println("SKIPPED " + reason);
        org.junit.jupiter.api.Assumptions.abort(reason);
    }

    /** Starts S3Proxy and creates the bucket; skips (or fails, see above) without the jar. */
    public static S3Proxy start() {
        assumeAvailable();
        Path jar = jar().orElseThrow();
        try {
            Path dir = Files.createTempDirectory("hoard-s3proxy-");
            Path data = Files.createDirectories(dir.resolve("data"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ServerProcess server = ServerProcess.start("s3proxy", dir, 1, ports -> {
                Path properties = dir.resolve("s3proxy.properties");
                Files.writeString(properties, String.join("\n",
                        "s3proxy.endpoint=http://127.0.0.1:" + ports[0],
                        "s3proxy.authorization=aws-v2-or-v4",
                        "s3proxy.identity=" + ACCESS_KEY,
                        "s3proxy.credential=" + SECRET_KEY,
                        "jclouds.provider=filesystem",
                        "jclouds.filesystem.basedir=" + data, ""));
                // Small heap, no JIT tiers beyond C1: it serves loopback tests, and shares 2 cores with them.
                return new ServerProcess.Launch(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC", "-jar", jar.toString(), "--properties", properties.toString()),
                        null, List.of(), null);
            });
            S3Proxy proxy = new S3Proxy(server);
            proxy.createBucket();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start S3Proxy", e);
        }
    }

    private void createBucket() {
        try {
            S3Objects.of(this).createBucket();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public String region() {
        return "us-east-1";
    }

    @Override
    public String accessKey() {
        return ACCESS_KEY;
    }

    @Override
    public String secretKey() {
        return SECRET_KEY;
    }

    @Override
    public String bucket() {
        return BUCKET;
    }

    @Override
    public String name() {
        return "S3Proxy 4.1.0";
    }

    @Override
    public void kill() {
        killed = true;
        server.kill();
    }

    /** Stops it; if it had died by itself, says so with its log, since the tests that failed for it cannot. */
    @Override
    public void close() {
        if (!killed && server.exited(Duration.ZERO)) {
            System.err.println("S3Proxy at " + endpoint + " had exited by itself; its log:\n"
                    + ServerProcess.read(server.dir().resolve("stderr.log")));
        }
        server.close();
    }

    @Override
    public String toString() {
        return name() + " at " + endpoint;
    }
}
