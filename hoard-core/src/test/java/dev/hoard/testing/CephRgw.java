package dev.hoard.testing;

import com.github.davidmoten.aws.lw.client.Client;
import com.github.davidmoten.aws.lw.client.HttpMethod;
import com.github.davidmoten.aws.lw.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real one-node Ceph cluster with an S3 gateway (RGW), started by the test itself from Debian's packages
 * ({@code radosgw ceph-mon ceph-osd ceph-common}), for tests that must hold against the store a fleet would run.
 *
 * <p>One monitor, one OSD and one radosgw, no manager (RGW does not need one), run in the foreground by
 * {@code ceph-rgw.sh} under {@link ServerProcess}'s watchdog, so all of them die with the test JVM however it ends,
 * and {@link #close()} deletes everything. Every file the cluster has (configuration, empty keyring, monitor and OSD
 * data, admin sockets, pid files, logs, crash dumps) lives in a private temp directory named by its own
 * {@code -c ceph.conf}: nothing touches /etc/ceph or /var/lib/ceph, and two instances run side by side on their own
 * ports (the monitor's and the gateway's are free ports on {@link Setup#address}; the OSD picks its own from
 * 6800-7300).
 * Authentication is off inside the cluster ({@code auth ... required = none}, which also needs the messenger's
 * {@code crc} mode: {@code secure} needs a cephx session key); S3 requests are still signed with
 * {@link #accessKey()}/{@link #secretKey()} of a user {@code radosgw-admin} made.
 *
 * <p>The OSD keeps its objects in its memory ({@link Store#MEMSTORE}) unless {@link Setup#store} says
 * {@link Store#BLUESTORE}: a 16 GiB sparse file (issue 12 saw a 4 GiB one fill up after two
 * suites, because bluestore reclaims deleted data late, and then the OSD aborted and clients hung). The monitor proposes
 * every 50 ms instead of every second, which takes the start from 12 s to a few: RGW creates its pools one monitor
 * command after another.
 *
 * <p>Start one per test class ({@code @BeforeAll}, {@code @AfterAll}), not per test: a start takes 2.5 to 3.5 s
 * (bluestore about 11 s). Root is not needed: the daemons run as whoever starts them (tried as {@code nobody}), write
 * only the temp directory and bind unprivileged ports. Without the packages a test skips, saying so;
 * HOARD_REQUIRE_CEPH=1 (as on CI) turns that skip into a failure.
 *
 * <p>Behaviour verified by {@code CephRgwTest} (Ceph 16.2.15): a {@code PUT} with {@code If-None-Match: *} on an
 * existing key gets 412, and of eight racing to create one key exactly one gets 200 (the others 412); presigned GET
 * URLs ({@link PresignedUrls}) work with any HTTP client and honour {@code Range}.
 */
public final class CephRgw implements S3Server {

    /** The access key of the S3 user every instance has; a test value, not a secret. */
    public static final String ACCESS_KEY = "HOARDTESTACCESSKEY00";
    /** The secret key of that user; a test value, not a secret. */
    public static final String SECRET_KEY = "hoard-test-secret-key-0000000000000000000";
    public static final String REGION = "us-east-1";
    /**
     * The size memstore reports. It refuses nothing beyond it (nothing checks fullness without a manager: a 64 MiB
     * object went into a 32 MiB memstore), so objects cost the OSD's memory until they are deleted.
     */
    static final long MEMSTORE_BYTES = 4L << 30;
    private static final long BLUESTORE_BYTES = 16L << 30;
    private static final long STARTUP_SECONDS = 60;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(STARTUP_SECONDS);
    private static final List<String> BINARIES = List.of("monmaptool", "ceph-mon", "ceph-osd", "ceph",
            "radosgw-admin", "radosgw");
    private static final List<Path> SBIN = List.of(Path.of("/usr/sbin"), Path.of("/usr/local/sbin"));

    /** Where the OSD keeps objects. */
    public enum Store {
        /** In the OSD's memory, until deleted: the fastest start (about 3.5 s). */
        MEMSTORE,
        /** On a sparse 16 GiB file in the instance's directory, as production OSDs keep them: about 11 s to start. */
        BLUESTORE
    }

    /**
     * How to start an instance.
     *
     * @param address the address the whole cluster listens on, e.g. 127.0.0.2 for a second "host", or a
     *                {@link NetworkNamespaces} host address that machines in namespaces reach
     * @param store   where the OSD keeps objects
     */
    public record Setup(String address, Store store) {
        public static final Setup DEFAULT = new Setup("127.0.0.1", Store.MEMSTORE);

        public Setup address(String address) {
            return new Setup(address, store);
        }

        public Setup store(Store store) {
            return new Setup(address, store);
        }
    }

    private final ServerProcess server;
    private final URI endpoint;
    private final String bucket;
    private final String version;
    private final Client client;

    private CephRgw(ServerProcess server, URI endpoint, String bucket, String version) {
        this.server = server;
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.version = version;
        this.client = newClient(endpoint);
    }

    /**
     * Skips the calling test, saying why on stderr, when a Ceph binary is missing; fails it instead when the
     * environment variable HOARD_REQUIRE_CEPH=1 says a skip would hide a gap in coverage (e.g. on CI).
     */
    public static void assumeAvailable() {
        assumeAvailable(missingBinaries(), System.getenv("HOARD_REQUIRE_CEPH"), System.err);
    }

    static void assumeAvailable(List<String> missing, String requireCeph, PrintStream log) {
        if (!missing.isEmpty()) {
            ServerProcess.skipOrFail("Ceph is not installed (no " + String.join(", ", missing)
                    + "); apt-get install radosgw ceph-mon ceph-osd ceph-common", "HOARD_REQUIRE_CEPH", requireCeph,
                    log);
        }
    }

    /** Starts a cluster with {@link Setup#DEFAULT}; returns once its bucket answers. */
    public static CephRgw start() {
        return start(Setup.DEFAULT);
    }

    /**
     * Starts a cluster as {@code setup} says and returns once a bucket has been created through the gateway and a
     * HEAD on it answers 200; fails within {@value #STARTUP_SECONDS} seconds with the daemons' log tails otherwise.
     */
    public static CephRgw start(Setup setup) {
        assumeAvailable();
        long started = System.nanoTime();
        try {
            String version = version();
            Path dir = Files.createTempDirectory("hoard-ceph-");
            Path script = dir.resolve("ceph-rgw.sh");
            try (InputStream in = CephRgw.class.getResourceAsStream("ceph-rgw.sh")) {
                Files.copy(in, script);
            }
            String fsid = UUID.randomUUID().toString();
            ServerProcess server = ServerProcess.start("Ceph RGW", dir, InetAddress.getByName(setup.address()), 2,
                    STARTUP_TIMEOUT, ports -> new ServerProcess.Launch(List.of("/bin/sh", script.toString(),
                            dir.toString(), fsid, setup.address() + ":" + ports[0], ACCESS_KEY, SECRET_KEY,
                            setup.address() + ":" + ports[1], setup.store().name().toLowerCase(Locale.ROOT),
                            Long.toString(MEMSTORE_BYTES), Long.toString(BLUESTORE_BYTES)),
                            dir.resolve("run/radosgw.pid"), logs(dir), null));
            URI endpoint = URI.create("http://" + setup.address() + ":" + server.port(1));
            CephRgw ceph = new CephRgw(server, endpoint, "hoard-test", version);
            ceph.awaitBucket(STARTUP_TIMEOUT.minusNanos(System.nanoTime() - started));
            return ceph;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Ceph RGW", e);
        }
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public String region() {
        return REGION;
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
        return bucket;
    }

    @Override
    public String name() {
        return "Ceph RGW " + version;
    }

    /**
     * An S3 client for this gateway (aws-lightweight-client-java, path-style, no retries: a test sees every
     * status as the store sent it).
     */
    public Client client() {
        return client;
    }

    /** Creates another empty bucket, e.g. one per test; returns its name. */
    public String createBucket(String name) {
        Response response = client.path(name).method(HttpMethod.PUT).response();
        if (response.statusCode() != 200) {
            throw new IllegalStateException("PUT bucket " + name + " on " + name() + " answered "
                    + response.statusCode() + ": " + response.contentUtf8());
        }
        return name;
    }

    /** The last lines of each daemon's log, for failure messages. */
    public String logTails() {
        return ServerProcess.tails(logs(server.dir()));
    }

    /** The private directory with the cluster's configuration, data and logs; deleted by {@link #close()}. */
    public Path directory() {
        return server.dir();
    }

    /** SIGKILLs every daemon of the cluster at once; the gateway's port then refuses connections. */
    @Override
    public void kill() {
        server.kill();
    }

    /** Stops every daemon and deletes the cluster's directory. */
    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "CephRgw[" + endpoint + " bucket=" + bucket + " dir=" + server.dir() + "]";
    }

    /** The Ceph binaries that are neither on PATH nor in /usr/sbin. */
    static List<String> missingBinaries() {
        return BINARIES.stream().filter(name -> ServerProcess.binary(name,
                SBIN.stream().map(dir -> dir.resolve(name)).toList()).isEmpty()).toList();
    }

    /**
     * Creates the bucket, retrying while the gateway is still starting (it accepts connections before its pools
     * exist); a 409 after an attempt that timed out means an earlier attempt made it.
     */
    private void awaitBucket(Duration timeout) {
        try {
            Poll.until(timeout, name() + " at " + endpoint + " creates bucket " + bucket, () -> {
                int status = status(() -> client.path(bucket).method(HttpMethod.PUT).response());
                return (status == 200 || status == 409)
                        && status(() -> client.path(bucket).method(HttpMethod.HEAD).response()) == 200;
            });
        } catch (AssertionError e) {
            String tails = logTails();
            close();
            throw new IllegalStateException(e.getMessage() + "; its logs say:\n" + tails, e);
        }
    }

    private static int status(Poll.Probe<Response> request) {
        try {
            return request.get().statusCode();
        } catch (Exception e) {
            return -1; // not listening yet, or the connection was cut: try again
        }
    }

    private static Client newClient(URI endpoint) {
        String base = endpoint + "/";
        return Client.s3().region(REGION).accessKey(ACCESS_KEY).secretKey(SECRET_KEY)
                .baseUrlFactory((service, region) -> base)
                .retryMaxAttempts(1)
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(60, TimeUnit.SECONDS)
                .build();
    }

    private static List<Path> logs(Path dir) {
        List<Path> logs = new ArrayList<>();
        Stream.of("mon.a", "osd.0", "client.admin", "client.rgw.a").forEach(
                name -> logs.add(dir.resolve("log/" + name + ".log")));
        return logs;
    }

    /** "16.2.15", from {@code radosgw --version}; "unknown version" if it says nothing we can read. */
    private static String version() throws IOException {
        Path radosgw = ServerProcess.binary("radosgw", List.of(Path.of("/usr/sbin/radosgw"))).orElseThrow();
        Process process = new ProcessBuilder(radosgw.toString(), "--version").redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        String[] words = output.trim().split("\\s+");
        return words.length >= 3 && words[0].equals("ceph") ? words[2] : "unknown version";
    }
}
