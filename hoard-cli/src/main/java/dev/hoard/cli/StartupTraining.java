package dev.hoard.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * The training run of the {@code ./hoard} launcher's start-up archive; not a command for users.
 *
 * <p>The launcher runs this once per build of the jar and per JDK, in two JVMs. {@code prepare} downloads a file
 * from a loopback server into a throwaway cache. {@code record} then runs the cache hits scripts run most (by
 * digest, printing the path; and with {@code -o} and {@code --json}) while the JVM records the classes they load (a
 * JDK 25+ AOT cache, or a dynamic CDS archive on JDK 21-24). Every later hoard starts with that archive and maps those
 * classes, already parsed and linked, instead of loading them from the jar.
 *
 * <p>Only the hits are recorded, because the JVM loads every archived class at each start: the loopback server, the
 * HTTP client and picocli's help would make every hit slower to start, and a download or --help hardly notices the
 * difference. Measured in docs/benchmarks.md, "Fast hits".
 *
 * <p>Usage: {@code java -cp hoard.jar dev.hoard.cli.StartupTraining prepare|record WORK-DIR}; exits non-zero if a
 * command failed, and the launcher then keeps starting without an archive.
 */
public final class StartupTraining {
    private StartupTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[1]);
        String cache = work.resolve("cache").toString();
        int failed = 0;
        if (args[0].equals("prepare")) {
            failed += prepare(work, cache);
        } else {
            String[] urlAndDigest = Files.readString(work.resolve("training.txt")).split(" ");
            String url = urlAndDigest[0];
            String digest = urlAndDigest[1].trim();
            for (List<String> command : List.of(
                    List.of("get", "-q", "--cache-dir", cache, "-d", digest, url),
                    List.of("get", "-q", "--json", "--cache-dir", cache, "-d", digest, "-o",
                            work.resolve("copy.img").toString(), url))) {
                failed += HoardCommand.run(command.toArray(String[]::new)) == ExitCodes.OK ? 0 : 1;
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Downloads 1 MiB from a loopback server into the cache, and notes its URL and digest for {@code record}. */
    private static int prepare(Path work, String cache) throws Exception {
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
            // The URL is not contacted again: record asks by digest.
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/training.img";
            String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
            Files.writeString(work.resolve("training.txt"), url + " " + digest + "\n");
            return HoardCommand.run("get", "-q", "--cache-dir", cache, url) == ExitCodes.OK ? 0 : 1;
        } finally {
            server.stop(0);
        }
    }
}
