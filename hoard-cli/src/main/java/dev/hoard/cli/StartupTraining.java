package dev.hoard.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * The training run of the {@code ./hoard} launcher's start-up archive; not a command for users.
 *
 * <p>The launcher runs this once per build of the jar and per JDK, with the JVM recording what it loads (a JDK 25+
 * AOT cache, or a dynamic CDS archive on JDK 21-24), and starts every later hoard with that archive, so the JVM maps
 * those classes, already parsed and linked, instead of loading them from the jar. What runs here is what should
 * start fast: a download from a loopback server (the cold path) and the cache hits scripts run most, by digest, with
 * and without {@code -o} and {@code --json}. Help and the management commands are left out on purpose: every archived
 * class is loaded at each start, and picocli's ~250 classes would slow the hits down. Measured in
 * docs/benchmarks.md, "Fast hits".
 *
 * <p>Usage: {@code java -cp hoard.jar dev.hoard.cli.StartupTraining WORK-DIR}; exits non-zero if a command failed,
 * and the launcher then keeps starting without an archive.
 */
public final class StartupTraining {
    private StartupTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
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
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/training.img";
            String cache = work.resolve("cache").toString();
            String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
            int failed = 0;
            for (List<String> command : List.of(
                    List.of("get", "-q", "--cache-dir", cache, url),
                    List.of("get", "-q", "--cache-dir", cache, "-d", digest, url),
                    List.of("get", "-q", "--json", "--cache-dir", cache, "-d", digest, "-o",
                            work.resolve("copy.img").toString(), url))) {
                if (HoardCommand.run(command.toArray(String[]::new)) != ExitCodes.OK) {
                    failed++;
                }
            }
            if (failed > 0) {
                System.exit(1);
            }
        } finally {
            server.stop(0);
        }
    }
}
