package dev.hoard.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * The training run of the {@code ./hoard} launcher's start-up archive; not a command for users.
 *
 * <p>The launcher runs this once per build of the jar and per JDK, in two JVMs. {@code serve} serves a file on a
 * loopback port. {@code record} downloads it into a throwaway cache and then runs the cache hits scripts run most (by
 * digest, printing the path; and with {@code -o} and {@code --json}), while the JVM records the classes they load (a
 * JDK 25+ AOT cache, or a dynamic CDS archive on JDK 21-24). Every later hoard starts with that archive and maps those
 * classes, already parsed and linked, instead of loading them from the jar.
 *
 * <p>The server runs in a JVM of its own because the JVM loads every archived class at each start: its classes would
 * slow every hit down. The download's classes (the HTTP client, locks, the partial file) cost a hit nothing
 * measurable and save a cold {@code get}, or each of several processes waiting for one download, about 100 ms of CPU.
 * Picocli's help and the management commands are left out for the same reason. Measured in docs/benchmarks.md, "Fast
 * hits".
 *
 * <p>Usage: {@code java -cp hoard.jar dev.hoard.cli.StartupTraining serve|record WORK-DIR}. {@code serve} writes
 * {@code WORK-DIR/training.txt} (the URL and the digest) once it listens and serves until killed, or five minutes;
 * {@code record} exits non-zero if a command failed, and the launcher then keeps starting without an archive.
 */
public final class StartupTraining {
    private StartupTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[1]);
        if (args[0].equals("serve")) {
            serve(work);
            System.exit(0);
        }
        String cache = work.resolve("cache").toString();
        String[] urlAndDigest = Files.readString(work.resolve("training.txt")).trim().split(" ");
        String url = urlAndDigest[0];
        String digest = urlAndDigest[1];
        int failed = 0;
        for (List<String> command : List.of(
                List.of("get", "-q", "--cache-dir", cache, url),
                List.of("get", "-q", "--cache-dir", cache, "-d", digest, url),
                List.of("get", "-q", "--json", "--cache-dir", cache, "-d", digest, "-o",
                        work.resolve("copy.img").toString(), url))) {
            failed += HoardCommand.run(command.toArray(String[]::new)) == ExitCodes.OK ? 0 : 1;
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Serves 1 MiB at /training.img on a loopback port, and says where in {@code training.txt}. */
    private static void serve(Path work) throws Exception {
        byte[] body = new byte[1 << 20];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31 + (i >>> 10));
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/training.img", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/training.img";
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        Path temp = work.resolve("training.txt.tmp");
        Files.writeString(temp, url + " " + digest + "\n");
        Files.move(temp, work.resolve("training.txt"), StandardCopyOption.ATOMIC_MOVE);
        Thread.sleep(Duration.ofMinutes(5)); // the launcher kills it long before; this bounds an orphan
    }
}
