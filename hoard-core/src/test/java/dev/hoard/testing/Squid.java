package dev.hoard.testing;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A real squid on 127.0.0.1, for tests of hoard behind a proxy, with its own configuration, logs and pid file in a
 * private temp directory and two ports: {@link #port()} lets every request through, {@link #authPort()} wants
 * {@link #USER} and {@link #PASSWORD} (Basic, checked by squid's {@code basic_ncsa_auth} against an htpasswd file
 * made with {@code openssl passwd -apr1}). Nothing is cached, so every request reaches the origin, and squid connects
 * to origins from 127.0.0.2: an origin that logs its clients' addresses ({@link AccessLogEntry#remoteAddress()}) tells
 * a request that came through squid from one that did not.
 *
 * <p>squid runs in the foreground ({@code -N}, one process) under {@link ServerProcess}'s watchdog, with an instance
 * name of its own ({@code -n}) so that two instances do not share /dev/shm segments. As root it switches to its
 * unprivileged user (Debian's {@code proxy}), which must be able to write the directory: hence 0777 there.
 *
 * <p>Behaviour relied on, squid 5.7: a CONNECT is logged once the tunnel closes, a plain request once it is
 * answered; {@code Range}, {@code If-Range} and conditional headers go to the origin as sent.
 */
public final class Squid implements AutoCloseable {
    public static final String USER = "hoard";
    /** A password with '@', '/' and ':', which a proxy URL must percent-encode. */
    public static final String PASSWORD = "p@ss/w:rd";
    /** The address squid connects to origins from. */
    public static final String OUTGOING_ADDRESS = "127.0.0.2";
    private static final List<Path> WELL_KNOWN = List.of(Path.of("/usr/sbin/squid"),
            Path.of("/usr/local/sbin/squid"));
    private static final List<Path> HELPERS = List.of(Path.of("/usr/lib/squid/basic_ncsa_auth"),
            Path.of("/usr/lib64/squid/basic_ncsa_auth"), Path.of("/usr/libexec/squid/basic_ncsa_auth"));

    private final ServerProcess server;

    /** One line of squid's access log: the request as squid forwarded it, and who asked. */
    public record Entry(String method, String url, int status, String user, String range, int port) {
        static Entry parse(String line) {
            String[] f = line.split(" ", -1);
            if (f.length != 6) {
                throw new IllegalArgumentException("not a hoard squid log line: " + line);
            }
            return new Entry(f[0], f[1], number(f[2]), dash(f[3]), dash(f[4]), number(f[5]));
        }

        private static int number(String field) {
            return field.equals("-") ? -1 : Integer.parseInt(field);
        }

        private static String dash(String field) {
            return field.equals("-") ? null : field;
        }
    }

    private Squid(ServerProcess server) {
        this.server = server;
    }

    public static Optional<Path> binary() {
        return ServerProcess.binary("squid", WELL_KNOWN);
    }

    /**
     * Skips the calling test, saying why on stderr, when squid (or its basic_ncsa_auth helper, or openssl for the
     * password file) is not installed; fails it instead when HOARD_REQUIRE_SQUID=1 (as on CI).
     */
    public static void assumeAvailable() {
        assumeAvailable(binary().flatMap(squid -> helper()).flatMap(helper -> Openssl.binary()),
                System.getenv("HOARD_REQUIRE_SQUID"), System.err);
    }

    static void assumeAvailable(Optional<Path> binary, String requireSquid, PrintStream log) {
        ServerProcess.assumeAvailable(binary, "squid", "HOARD_REQUIRE_SQUID", requireSquid, log);
    }

    public static Squid start() {
        Path binary = binary().orElseThrow(() -> new IllegalStateException("squid not found; apt-get install squid"));
        Path helper = helper().orElseThrow(() -> new IllegalStateException("squid's basic_ncsa_auth not found"));
        try {
            Path dir = Files.createTempDirectory("hoard-squid-");
            if ("root".equals(System.getProperty("user.name"))) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
            Files.writeString(dir.resolve("passwd"), USER + ":" + Openssl.apr1(PASSWORD) + "\n");
            return new Squid(ServerProcess.start("squid", dir, 2, ports -> {
                String name = "hoardsquid" + ports[0]; // squid wants it alphanumeric
                Files.deleteIfExists(dir.resolve("cache.log"));
                Files.writeString(dir.resolve("squid.conf"), config(dir, helper, ports[0], ports[1]));
                return new ServerProcess.Launch(List.of(binary.toString(), "-N", "-n", name, "-f",
                        dir.resolve("squid.conf").toString()), dir.resolve("squid.pid"),
                        List.of(dir.resolve("cache.log")), name);
            }));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start squid", e);
        }
    }

    /** The port that lets every request through. */
    public int port() {
        return server.port(0);
    }

    /** The port that wants {@link #USER} and {@link #PASSWORD}. */
    public int authPort() {
        return server.port(1);
    }

    /** {@code http://127.0.0.1:PORT}, the open port as a proxy URL. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** The authenticating port as a proxy URL with {@code user} and {@code password}, percent-encoded. */
    public String url(String user, String password) {
        return "http://" + encode(user) + ":" + encode(password) + "@127.0.0.1:" + authPort();
    }

    /** The authenticating port as a proxy URL without credentials. */
    public String authUrl() {
        return "http://127.0.0.1:" + authPort();
    }

    /**
     * Every request squid has logged so far. A connection that sent no request, such as the readiness probe's, is
     * logged (as method "-", {@code error:transaction-end-before-headers}) whenever squid notices it closed; those
     * lines are left out.
     */
    public List<Entry> accessLog() {
        return ServerProcess.read(server.dir().resolve("access.log")).lines().filter(l -> !l.isBlank())
                .map(Entry::parse).filter(e -> !e.method().equals("-")).toList();
    }

    /** Waits up to {@code timeout} for at least {@code atLeast} log lines (a tunnel is logged when it closes). */
    public List<Entry> awaitAccessLog(int atLeast, Duration timeout) {
        return awaitAccessLog(atLeast, entry -> true, timeout);
    }

    /** Waits up to {@code timeout} for at least {@code atLeast} log lines that match, and returns those. */
    public List<Entry> awaitAccessLog(int atLeast, Predicate<Entry> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Entry> entries = accessLog().stream().filter(matching).toList();
        while (entries.size() < atLeast && System.nanoTime() < deadline) {
            if (server.exited(Duration.ofMillis(20))) {
                throw new IllegalStateException("squid exited; its log:\n"
                        + ServerProcess.read(server.dir().resolve("cache.log")));
            }
            entries = accessLog().stream().filter(matching).toList();
        }
        if (entries.size() < atLeast) {
            throw new AssertionError("expected at least " + atLeast + " matching squid log lines within " + timeout
                    + ", got " + accessLog());
        }
        return entries;
    }

    /** Forgets the log so far, so that a test sees only its own requests. */
    public void clearAccessLog() {
        try {
            // Truncated in place: squid keeps the file open, appending.
            Files.write(server.dir().resolve("access.log"), new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "Squid[" + url() + ", auth on " + authPort() + "]";
    }

    private static Optional<Path> helper() {
        return HELPERS.stream().filter(Files::isExecutable).findFirst();
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String config(Path dir, Path helper, int port, int authPort) {
        return """
        http_port 127.0.0.1:%2$d name=open
        http_port 127.0.0.1:%3$d name=auth
        visible_hostname hoard-test-squid
        pid_filename %1$s/squid.pid
        cache_log %1$s/cache.log
        coredump_dir %1$s
        netdb_filename none
        logformat hoard %%rm %%ru %%>Hs %%un %%{Range}>h %%lp
        access_log stdio:%1$s/access.log hoard
        buffered_logs off
        cache deny all
        tcp_outgoing_address %5$s
        shutdown_lifetime 0 seconds
        auth_param basic program %4$s %1$s/passwd
        auth_param basic realm hoard-test
        acl auth_port myportname auth
        acl users proxy_auth REQUIRED
        http_access allow !auth_port
        http_access allow auth_port users
        http_access deny all
        """.formatted(dir, port, authPort, helper, OUTGOING_ADDRESS);
    }
}
