package dev.hoard.testing;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real nginx serving a directory on 127.0.0.1 (or another loopback address, see {@link Setup}), for tests that
 * must hold up against a production server rather than against our own idea of HTTP ({@link TestHttpServer}).
 *
 * <p>Each instance runs its own nginx with its own configuration, pid file, logs and temp paths in a private temp
 * directory, on a free port (and, with {@link #startTls}, a second one for https). nginx runs in the foreground
 * ({@code daemon off}) under {@link ServerProcess}'s watchdog, which stops it when this JVM goes away, however
 * abruptly, and with {@code master_process off}, so it is a single
 * process: no worker can be orphaned, and as root it keeps running as root. (With a master process, workers started
 * by root drop to {@code nobody} and answer 403 for files under a 0700 directory such as a JUnit {@code @TempDir};
 * that would need {@code user root;}.) Needs nginx 1.19.5 or later for {@code -e}, which keeps nginx from touching
 * /var/log/nginx before it has read our configuration.
 *
 * <p>Behaviour verified by {@code NginxTest} with nginx 1.22 and the configuration written here:
 * <ul>
 *   <li>ETag is strong, {@code "<hex mtime seconds>-<hex size>"}, e.g. {@code "65937d25-493e0"}; Last-Modified is
 *       the file's mtime as an IMF-fixdate; Accept-Ranges is bytes; Content-Type is application/octet-stream.
 *   <li>If-None-Match with the ETag gives 304. If-Modified-Since gives 304 only when it <em>equals</em>
 *       Last-Modified, a later date gets a 200: nginx's default {@code if_modified_since exact}, kept because
 *       production nginx servers have it.
 *   <li>{@code bytes=N-} and {@code bytes=N-M} give 206 with Content-Range; a range starting at or beyond the end
 *       gives 416; an If-Range that does not match gives the full 200.
 *   <li>{@code limit_rate} paces each connection.
 * </ul>
 */
public final class Nginx implements AutoCloseable {

    private static final List<Path> WELL_KNOWN = List.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/local/sbin/nginx"),
            Path.of("/usr/local/nginx/sbin/nginx"));

    /**
     * How to configure an instance beyond serving its root.
     *
     * @param address    the loopback address to listen on, e.g. 127.0.0.2 for a second "host"
     * @param limitRate  nginx's {@code limit_rate} per connection in bytes per second, 0 for none
     * @param directives more directives for the server block, e.g. locations with {@code auth_basic} (nginx reads
     *                   the user file at each request) or a {@code return 302}
     */
    public record Setup(String address, long limitRate, String directives) {
        public static final Setup DEFAULT = new Setup("127.0.0.1", 0, "");

        public Setup address(String address) {
            return new Setup(address, limitRate, directives);
        }

        public Setup directives(String directives) {
            return new Setup(address, limitRate, directives);
        }
    }

    /** The certificate chain and key an https listener serves (PEM files). */
    public record Tls(Path certificateChain, Path privateKey) {
    }

    private final ServerProcess server;
    private final Path root;
    private final String address;
    private final int port;
    private final int tlsPort;

    private Nginx(ServerProcess server, Path root, String address, Tls tls) {
        this.server = server;
        this.root = root;
        this.address = address;
        this.port = server.port(0);
        this.tlsPort = tls == null ? -1 : server.port(1);
    }

    /** Finds the nginx binary: {@code nginx} on PATH, else the usual install locations such as /usr/sbin/nginx. */
    public static Optional<Path> binary() {
        return ServerProcess.binary("nginx", WELL_KNOWN);
    }

    /**
     * Skips the calling test, saying why on stderr, when nginx is not installed; fails it instead when the
     * environment variable HOARD_REQUIRE_NGINX=1 says a skip would hide a gap in coverage (e.g. on CI).
     */
    public static void assumeAvailable() {
        assumeAvailable(binary(), System.getenv("HOARD_REQUIRE_NGINX"), System.err);
    }

    static void assumeAvailable(Optional<Path> binary, String requireNginx, PrintStream log) {
        ServerProcess.assumeAvailable(binary, "nginx", "HOARD_REQUIRE_NGINX", requireNginx, log);
    }

    /** Starts nginx serving {@code root} without a rate limit. */
    public static Nginx start(Path root) {
        return start(root, 0);
    }

    /**
     * Starts nginx serving {@code root}, limiting each connection to {@code limitRateBytesPerSecond} with nginx's
     * {@code limit_rate} (0 for none). Returns once nginx accepts connections.
     */
    public static Nginx start(Path root, long limitRateBytesPerSecond) {
        return start(root, new Setup(Setup.DEFAULT.address(), limitRateBytesPerSecond, ""));
    }

    /** Starts nginx serving {@code root} as {@code setup} says. Returns once nginx accepts connections. */
    public static Nginx start(Path root, Setup setup) {
        return start(root, setup, null);
    }

    /** Starts nginx serving {@code root} over http and, on {@link #tlsPort()}, over https with {@code tls}. */
    public static Nginx startTls(Path root, Tls tls) {
        return start(root, Setup.DEFAULT, tls);
    }

    private static Nginx start(Path root, Setup setup, Tls tls) {
        if (setup.limitRate() < 0) {
            throw new IllegalArgumentException("negative rate: " + setup.limitRate());
        }
        Path binary = binary().orElseThrow(() -> new IllegalStateException("nginx not found; apt-get install nginx"));
        Path absoluteRoot = root.toAbsolutePath();
        try {
            Path dir = Files.createTempDirectory("hoard-nginx-");
            return startIn(binary, dir, absoluteRoot, setup, tls);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start nginx", e);
        }
    }

    private static Nginx startIn(Path binary, Path dir, Path root, Setup setup, Tls tls) throws IOException {
        InetAddress address = InetAddress.getByName(setup.address());
        ServerProcess server = ServerProcess.start("nginx", dir, address, tls == null ? 1 : 2, ports -> {
            Files.deleteIfExists(dir.resolve("error.log"));
            Files.writeString(dir.resolve("nginx.conf"), config(dir, root, ports[0], setup,
                    tlsListener(tls, setup.address(), tls == null ? -1 : ports[1])));
            return new ServerProcess.Launch(List.of(binary.toString(), "-p", dir + "/", "-c",
                    dir.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString()),
                    dir.resolve("nginx.pid"), List.of(dir.resolve("error.log")), null);
        });
        return new Nginx(server, root, setup.address(), tls);
    }

    public int port() {
        return port;
    }

    /** The https port, for an nginx started with {@link #startTls}. */
    public int tlsPort() {
        if (tlsPort < 0) {
            throw new IllegalStateException("this nginx serves no https; start it with startTls");
        }
        return tlsPort;
    }

    /** Returns {@code http://ADDRESS:PORT/path}, ADDRESS 127.0.0.1 unless set up otherwise; adds a missing "/". */
    public URI url(String path) {
        return URI.create("http://" + address + ":" + port + (path.startsWith("/") ? path : "/" + path));
    }

    /** Returns {@code https://ADDRESS:TLSPORT/path}, ADDRESS as in {@link #url}. */
    public URI httpsUrl(String path) {
        return httpsUrl(address, path);
    }

    /** Returns {@code https://HOST:TLSPORT/path}, e.g. with a host name the certificate does not list. */
    public URI httpsUrl(String host, String path) {
        return URI.create("https://" + host + ":" + tlsPort() + (path.startsWith("/") ? path : "/" + path));
    }

    /** The directory nginx serves. */
    public Path root() {
        return root;
    }

    /** The private directory with nginx's configuration, logs and temp paths; deleted by {@link #close()}. */
    public Path directory() {
        return server.dir();
    }

    /** The pid of the nginx process, as nginx wrote it to its pid file. */
    public long pid() {
        return Long.parseLong(ServerProcess.read(server.dir().resolve("nginx.pid")).trim());
    }

    /** Returns the access log so far, one entry per finished request. */
    public List<AccessLogEntry> accessLog() {
        String log = ServerProcess.read(server.dir().resolve("access.log"));
        return log.lines().filter(line -> !line.isEmpty()).map(AccessLogEntry::parse).toList();
    }

    /**
     * Waits up to {@code timeout} for the access log to have at least {@code atLeastLines} entries and returns it.
     * nginx logs a request after sending its response, so a client can hold the whole body before the line exists.
     */
    public List<AccessLogEntry> awaitAccessLog(int atLeastLines, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<AccessLogEntry> entries = accessLog();
        while (entries.size() < atLeastLines && System.nanoTime() < deadline) {
            if (server.exited(Duration.ofMillis(20))) {
                throw new IllegalStateException("nginx exited; error log:\n" + errorLog());
            }
            entries = accessLog();
        }
        if (entries.size() < atLeastLines) {
            throw new AssertionError("expected at least " + atLeastLines + " access log lines within " + timeout
                    + " but got " + entries.size() + ": " + entries);
        }
        return entries;
    }

    /** Returns nginx's error log, for failure messages. */
    public String errorLog() {
        return ServerProcess.read(server.dir().resolve("error.log"));
    }

    /** Stops nginx (SIGTERM, then SIGKILL), waits for it to exit, and deletes its configuration and logs. */
    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "Nginx[" + url("/") + " root=" + root + "]";
    }

    /** The lines that add an https listener to the server block, or "". */
    private static String tlsListener(Tls tls, String address, int port) {
        return tls == null ? "" : """
            listen %s:%d ssl;
            ssl_certificate "%s";
            ssl_certificate_key "%s";
        """.formatted(address, port, tls.certificateChain().toAbsolutePath(), tls.privateKey().toAbsolutePath());
    }

    private static String config(Path dir, Path root, int port, Setup setup, String tlsListener) {
        return """
        daemon off;
        master_process off;
        worker_processes 1;
        pid "%1$s/nginx.pid";
        error_log "%1$s/error.log" info;
        events {
          worker_connections 256;
        }
        http {
          default_type application/octet-stream;
          client_body_temp_path "%1$s/client_body_temp";
          proxy_temp_path "%1$s/proxy_temp";
          fastcgi_temp_path "%1$s/fastcgi_temp";
          uwsgi_temp_path "%1$s/uwsgi_temp";
          scgi_temp_path "%1$s/scgi_temp";
          log_format hoard '%2$s';
          access_log "%1$s/access.log" hoard;
          sendfile on;
          etag on;
          server {
            listen %7$s:%3$d;
        %6$s
            server_name localhost;
            root "%4$s";
            location / {
              limit_rate %5$d;
            }
        %8$s
          }
        }
        """.formatted(dir, AccessLogEntry.LOG_FORMAT, port, root, setup.limitRate(), tlsListener, setup.address(),
                setup.directives());
    }
}
