package dev.hoard.testing;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real server that a test runs ({@link Nginx}, {@link Squid}, {@link CephRgw}): found on PATH or where distributions install it,
 * skipped visibly when it is not installed (or failed, where CI says it must be), and run in the foreground from a
 * private temp directory on free loopback ports, under a watchdog that stops it when this JVM goes away, however
 * abruptly. {@link #close()} stops it and deletes the directory.
 */
final class ServerProcess implements AutoCloseable {

    /**
     * Runs the server ({@code "$@"}) under a shell that exits with it, and SIGTERMs it when stdin reaches end-of-file.
     * Our end of that pipe closes whenever this JVM dies, even by SIGKILL (a surefire fork timeout, an IDE's stop
     * button), when no shutdown hook runs; the server cannot notice its parent's death itself. A stop asked for that
     * way also deletes the instance's temp directory, which a dead JVM could not, and whatever the server left in
     * {@code /dev/shm} under its instance name. Background jobs get /dev/null as stdin, hence fd 3.
     */
    private static final String WATCHDOG = """
      exec 3<&0
      "$@" &
      server=$!
      (read -r line <&3; : > "$HOARD_SERVER_DIR/stop"; kill -TERM "$server" 2>/dev/null) &
      watcher=$!
      wait "$server"
      status=$?
      kill "$watcher" 2>/dev/null
      wait "$watcher" 2>/dev/null
      case "$HOARD_SERVER_DIR" in
        */hoard-nginx-*|*/hoard-squid-*|*/hoard-ceph-*|*/hoard-s3proxy-*)
          if [ -e "$HOARD_SERVER_DIR/stop" ]; then
            rm -rf "$HOARD_SERVER_DIR"
            case "$HOARD_SERVER_SHM" in hoard*) rm -f /dev/shm/"$HOARD_SERVER_SHM"-* ;; esac
          fi ;;
      esac
      exit "$status"
      """;
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final int PORT_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 40;

    private final Process process;
    private final Path dir;
    private final int[] ports;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * How to run the server on some ports, once its configuration for them is written.
     *
     * @param pidFile the file the server writes once it has bound its ports, or null for a server that writes none
     *                (S3Proxy): then accepting connections on every port is the sign of readiness
     * @param logs    where it says why it did not start
     * @param shmName the name the server gives its /dev/shm segments (squid's {@code -n}), or null
     */
    record Launch(List<String> command, Path pidFile, List<Path> logs, String shmName) {
    }

    /** Writes the configuration for {@code ports} into the server's directory and says how to run it. */
    interface Preparation {
        Launch prepare(int[] ports) throws IOException;
    }

    private ServerProcess(String name, Process process, Path dir, int[] ports) {
        this.process = process;
        this.dir = dir;
        this.ports = ports;
        this.shutdownHook = new Thread(() -> stop(process), name + "-shutdown-" + ports[0]);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts a server in {@code dir} on {@code portCount} free ports and returns once it accepts connections on all.
     * Picking a free port and binding it later is racy, so a port taken in between costs a retry, not a failure.
     */
    static ServerProcess start(String name, Path dir, int portCount, Preparation preparation) throws IOException {
        return start(name, dir, InetAddress.getLoopbackAddress(), portCount, preparation);
    }

    /** As {@link #start(String, Path, int, Preparation)}, for a server that listens on {@code address}. */
    static ServerProcess start(String name, Path dir, InetAddress address, int portCount, Preparation preparation)
            throws IOException {
        return start(name, dir, address, portCount, STARTUP_TIMEOUT, preparation);
    }

    /**
     * As {@link #start(String, Path, InetAddress, int, Preparation)}, for a server that may take up to
     * {@code startupTimeout} to write its pid file and accept connections (a Ceph cluster takes seconds).
     */
    static ServerProcess start(String name, Path dir, InetAddress address, int portCount, Duration startupTimeout,
            Preparation preparation) throws IOException {
        String errors = "";
        String tails = "";
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
            int[] ports = new int[portCount];
            for (int i = 0; i < portCount; i++) {
                ports[i] = freePort();
            }
            Launch launch = preparation.prepare(ports);
            if (launch.pidFile() != null) {
                Files.deleteIfExists(launch.pidFile());
            }
            Process process = start(dir, launch.command(), launch.shmName());
            if (awaitReady(process, launch.pidFile(), address, startupTimeout, ports)) {
                return new ServerProcess(name, process, dir, ports);
            }
            StringBuilder logs = new StringBuilder();
            launch.logs().forEach(log -> logs.append(read(log)));
            errors = logs + read(dir.resolve("stderr.log"));
            List<Path> all = new ArrayList<>(launch.logs());
            all.add(dir.resolve("stderr.log"));
            tails = tails(all);
            stop(process);
            if (!errors.contains("Address already in use")) {
                break;
            }
        }
        deleteRecursively(dir);
        throw new IllegalStateException(name + " did not start; its log says:\n" + tails);
    }

    /** The {@code i}th port the server was started on. */
    int port(int i) {
        return ports[i];
    }

    /** The server's private directory. */
    Path dir() {
        return dir;
    }

    /** Waits up to {@code timeout} for the server to exit; true if it has, which tests treat as a failure. */
    boolean exited(Duration timeout) {
        return waitForExit(process, timeout);
    }

    /**
     * SIGKILLs the server and everything it started, at once, and waits for them to exit; its directory stays until
     * {@link #close()}. The children go first: the watchdog cannot pass on a SIGKILL, and a shell that runs several
     * daemons would leave them orphaned if it died before them.
     */
    void kill() {
        List<ProcessHandle> descendants = process.descendants().toList();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        waitForExit(process, STOP_TIMEOUT);
        descendants.forEach(child -> child.onExit().completeOnTimeout(child, STOP_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS).join());
    }

    /** Stops the server (SIGTERM, then SIGKILL), waits for it to exit, and deletes its directory. */
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

    /** The first executable {@code name} on PATH, else the first of {@code wellKnown} that is executable. */
    static Optional<Path> binary(String name, List<Path> wellKnown) {
        String path = System.getenv("PATH");
        Stream<Path> onPath = path == null ? Stream.empty()
                : Stream.of(path.split(File.pathSeparator)).filter(s -> !s.isEmpty()).map(s -> Path.of(s, name));
        return Stream.concat(onPath, wellKnown.stream()).filter(Files::isExecutable).findFirst();
    }

    /**
     * Skips the calling test, saying why on {@code log}, when {@code binary} is empty; fails it instead when
     * {@code required} is "1" (the value of a variable such as HOARD_REQUIRE_NGINX, which CI sets because a skip
     * would hide a gap in coverage).
     */
    static void assumeAvailable(Optional<Path> binary, String name, String variable, String required,
            PrintStream log) {
        if (binary.isEmpty()) {
            skipOrFail(name + " not found on PATH or /usr/sbin; install it with apt-get install " + name, variable,
                    required, log);
        }
    }

    /**
     * Skips the calling test because of {@code reason}, saying so on {@code log}; fails it instead when
     * {@code required} is "1" (the value of {@code variable}).
     */
    static void skipOrFail(String reason, String variable, String required, PrintStream log) {
        if ("1".equals(required)) {
            throw new AssertionError(variable + "=1 says this must run, but " + reason);
        }
        log.println("SKIPPED " + reason); // JUnit reports aborts quietly; say why where people look
        Assumptions.abort(reason);
    }

    /** Starts {@code command} in {@code dir} under the watchdog, its output in {@code dir/stderr.log}. */
    private static Process start(Path dir, List<String> command, String shmName) throws IOException {
        List<String> shell = new ArrayList<>(List.of("/bin/sh", "-c", WATCHDOG, "server-watchdog"));
        shell.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(shell)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stderr.log").toFile());
        builder.environment().put("HOARD_SERVER_DIR", dir.toString());
        if (shmName != null) {
            builder.environment().put("HOARD_SERVER_SHM", shmName);
        }
        return builder.start();
    }

    /**
     * Waits until the server has written {@code pidFile} (if it writes one) and accepts connections on every one of
     * {@code ports} of {@code address}. Returns false if it exited first or the startup timeout passed.
     */
    private static boolean awaitReady(Process process, Path pidFile, InetAddress address, Duration timeout,
            int... ports) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean written = pidFile == null || Files.exists(pidFile);
            if (written && Arrays.stream(ports).allMatch(port -> accepts(address, port))) {
                return process.isAlive();
            }
            if (waitForExit(process, Duration.ofMillis(25))) {
                return false;
            }
        }
        return false;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean accepts(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 250);
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
     * Closes the watchdog's stdin so it sends the server SIGTERM and exits once the server has; if that takes too
     * long, SIGKILLs the server and the watchdog.
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

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The last lines of each of {@code logs} that exists, each under its file name, for failure messages. */
    static String tails(List<Path> logs) {
        StringBuilder tails = new StringBuilder();
        for (Path log : logs) {
            List<String> lines = read(log).lines().toList();
            if (!lines.isEmpty()) {
                tails.append("--- ").append(log.getFileName()).append(" (last ").append(
                        Math.min(lines.size(), LOG_TAIL_LINES)).append(" of ").append(lines.size()).append(" lines)\n");
                lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())
                        .forEach(line -> tails.append(line).append('\n'));
            }
        }
        return tails.toString();
    }

    static void deleteRecursively(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is not worth failing a test over
        }
    }
}
