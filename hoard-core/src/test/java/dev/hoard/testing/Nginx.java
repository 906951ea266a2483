package dev.hoard.testing;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real nginx serving a directory on 127.0.0.1, for tests that must hold up against a production server rather
 * than against our own idea of HTTP ({@link TestHttpServer}).
 *
 * <p>Each instance runs its own nginx with its own configuration, pid file, logs and temp paths in a private temp
 * directory, on a free port. nginx runs in the foreground ({@code daemon off}) under a small shell watchdog that
 * stops it when this JVM goes away, however abruptly, and with {@code master_process off}, so it is a single
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

    /**
     * Runs nginx ({@code "$@"}) under a shell that exits with it, and SIGTERMs it when stdin reaches end-of-file. Our
     * end of that pipe closes whenever this JVM dies, even by SIGKILL (a surefire fork timeout, an IDE's stop button),
     * when no shutdown hook runs; nginx cannot notice its parent's death itself. A stop asked for that way also
     * deletes the instance's temp directory, which a dead JVM could not. Background jobs get /dev/null as stdin,
     * hence fd 3.
     */
    private static final String WATCHDOG = """
      exec 3<&0
      "$@" &
      nginx=$!
      (read -r line <&3; : > "$HOARD_NGINX_DIR/stop"; kill -TERM "$nginx" 2>/dev/null) &
      watcher=$!
      wait "$nginx"
      status=$?
      kill "$watcher" 2>/dev/null
      wait "$watcher" 2>/dev/null
      case "$HOARD_NGINX_DIR" in
        */hoard-nginx-*) if [ -e "$HOARD_NGINX_DIR/stop" ]; then rm -rf "$HOARD_NGINX_DIR"; fi ;;
      esac
      exit "$status"
      """;
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final int PORT_ATTEMPTS = 5;
    private static final List<Path> WELL_KNOWN = List.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/local/sbin/nginx"),
            Path.of("/usr/local/nginx/sbin/nginx"));

    private final Process process;
    private final Path dir;
    private final Path root;
    private final int port;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Nginx(Process process, Path dir, Path root, int port) {
        this.process = process;
        this.dir = dir;
        this.root = root;
        this.port = port;
        this.shutdownHook = new Thread(() -> stop(process), "Nginx-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Finds the nginx binary: {@code nginx} on PATH, else the usual install locations such as /usr/sbin/nginx. */
    public static Optional<Path> binary() {
        String path = System.getenv("PATH");
        Stream<Path> onPath = path == null ? Stream.empty()
                : Stream.of(path.split(File.pathSeparator)).filter(s -> !s.isEmpty()).map(s -> Path.of(s, "nginx"));
        return Stream.concat(onPath, WELL_KNOWN.stream()).filter(Files::isExecutable).findFirst();
    }

    /**
     * Skips the calling test, saying why on stderr, when nginx is not installed; fails it instead when the
     * environment variable HOARD_REQUIRE_NGINX=1 says a skip would hide a gap in coverage (e.g. on CI).
     */
    public static void assumeAvailable() {
        assumeAvailable(binary(), System.getenv("HOARD_REQUIRE_NGINX"), System.err);
    }

    static void assumeAvailable(Optional<Path> binary, String requireNginx, PrintStream log) {
        if (binary.isPresent()) {
            return;
        }
        if ("1".equals(requireNginx)) {
            throw new AssertionError("nginx is required (HOARD_REQUIRE_NGINX=1) but not found; apt-get install nginx");
        }
        String reason = "nginx not found on PATH or /usr/sbin; install it with apt-get install nginx";
        log.println("SKIPPED " + reason); // JUnit reports aborts quietly; say why where people look
        Assumptions.abort(reason);
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
        return start(root, limitRateBytesPerSecond, "");
    }

    /**
     * Starts nginx serving {@code root} with {@code serverDirectives} (e.g. {@code gzip_static always;} or further
     * {@code location} blocks) added to its {@code server} block.
     */
    public static Nginx start(Path root, String serverDirectives) {
        return start(root, 0, serverDirectives);
    }

    private static Nginx start(Path root, long limitRateBytesPerSecond, String serverDirectives) {
        if (limitRateBytesPerSecond < 0) {
            throw new IllegalArgumentException("negative rate: " + limitRateBytesPerSecond);
        }
        Path binary = binary().orElseThrow(() -> new IllegalStateException("nginx not found; apt-get install nginx"));
        Path absoluteRoot = root.toAbsolutePath();
        try {
            Path dir = Files.createTempDirectory("hoard-nginx-");
            return startIn(binary, dir, absoluteRoot, limitRateBytesPerSecond, serverDirectives);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start nginx", e);
        }
    }

    /** Picking a free port and binding it later is racy, so a port taken in between costs a retry, not a failure. */
    private static Nginx startIn(Path binary, Path dir, Path root, long limitRate, String directives)
            throws IOException {
        String errors = "";
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int port = freePort();
            Files.deleteIfExists(dir.resolve("nginx.pid"));
            Files.deleteIfExists(dir.resolve("error.log"));
            Files.writeString(dir.resolve("nginx.conf"), config(dir, root, port, limitRate, directives));
            ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", WATCHDOG, "nginx-watchdog", binary.toString(),
                    "-p", dir + "/", "-c", dir.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stderr.log").toFile());
            builder.environment().put("HOARD_NGINX_DIR", dir.toString());
            Process process = builder.start();
            if (awaitReady(process, dir, port)) {
                return new Nginx(process, dir, root, port);
            }
            errors = read(dir.resolve("error.log")) + read(dir.resolve("stderr.log"));
            stop(process);
            if (!errors.contains("Address already in use")) {
                break;
            }
        }
        deleteRecursively(dir);
        throw new IllegalStateException("nginx did not start; its error log says:\n" + errors);
    }

    public int port() {
        return port;
    }

    /** Returns {@code http://127.0.0.1:PORT/path}; a missing leading slash is added. */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + (path.startsWith("/") ? path : "/" + path));
    }

    /** The directory nginx serves. */
    public Path root() {
        return root;
    }

    /** The private directory with nginx's configuration, logs and temp paths; deleted by {@link #close()}. */
    public Path directory() {
        return dir;
    }

    /** The pid of the nginx process, as nginx wrote it to its pid file. */
    public long pid() {
        return Long.parseLong(read(dir.resolve("nginx.pid")).trim());
    }

    /** Returns the access log so far, one entry per finished request. */
    public List<AccessLogEntry> accessLog() {
        String log = read(dir.resolve("access.log"));
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
            if (waitForExit(process, Duration.ofMillis(20))) {
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
        return read(dir.resolve("error.log"));
    }

    /** Stops nginx (SIGTERM, then SIGKILL), waits for it to exit, and deletes its configuration and logs. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stop(process);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and the hook is running or ran
        }
        deleteRecursively(dir);
    }

    @Override
    public String toString() {
        return "Nginx[" + url("/") + " root=" + root + "]";
    }

    private static String config(Path dir, Path root, int port, long limitRate, String directives) {
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
            listen 127.0.0.1:%3$d;
            server_name localhost;
            root "%4$s";
            location / {
              limit_rate %5$d;
            }
            %6$s
          }
        }
        """.formatted(dir, AccessLogEntry.LOG_FORMAT, port, root, limitRate, directives);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * Waits until nginx has written its pid file (it does so only after binding its port) and accepts a connection.
     * Returns false if it exited first or the startup timeout passed.
     */
    private static boolean awaitReady(Process process, Path dir, int port) {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(dir.resolve("nginx.pid")) && accepts(port)) {
                return process.isAlive();
            }
            if (waitForExit(process, Duration.ofMillis(25))) {
                return false;
            }
        }
        return false;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 250);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits up to {@code timeout} for the process to exit; returns whether it did. */
    private static boolean waitForExit(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /**
     * Closes the watchdog's stdin so it sends nginx SIGTERM (nginx's fast shutdown) and exits once nginx has; if that
     * takes too long, SIGKILLs nginx and the watchdog.
     */
    private static void stop(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // the pipe is already gone, so the watchdog has seen end-of-file anyway
        }
        if (!waitForExit(process, STOP_TIMEOUT)) {
            descendants.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            waitForExit(process, STOP_TIMEOUT);
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is not worth failing a test over
        }
    }
}
