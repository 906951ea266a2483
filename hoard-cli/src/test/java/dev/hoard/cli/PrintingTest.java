package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command prints through the writers it is given ({@link HoardCommand#run(java.io.PrintWriter,
 * java.io.PrintWriter, String...)}), never to {@code System.out} or {@code System.err}: so in-process runs need no
 * global swap and may run side by side.
 */
@ExtendWith(CacheInvariants.class)
class PrintingTest {
    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    private TestHttpServer server;
    private String url;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/disk.img", TestBytes.random(200_000, 3));
        url = server.url("/disk.img").toString();
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void noCommandWritesToTheProcesssStreams() throws Exception {
        Path manifest = Files.writeString(tmp.resolve("list.txt"), url + "\n" + server.url("/missing.img") + "\n");
        String c = cache.toString();
        String[][] commands = {
            {"get", "--cache-dir", c, url}, // QuickGet, with progress
            {"get", "-q", "--json", "--cache-dir", c, "-o", tmp.resolve("out.img").toString(), url},
            {"get", "--cache-dir", c, "--", url}, // the same through picocli
            {"get", "-q", "--cache-dir", c, server.url("/missing.img").toString()}, // a failure, from QuickGet
            {"get", "-d", "md5:00", url},
            {"get", "--bogus", url},
            {"get", "--help"},
            {"--version"},
            {},
            {"frobnicate"},
            {"help", "prune"},
            {"ls", "--cache-dir", c},
            {"ls", "--json", "--cache-dir", c},
            {"verify", "--cache-dir", c},
            {"verify", "--json", "--cache-dir", c, url, server.url("/never.img").toString()},
            {"prefetch", "--cache-dir", c, manifest.toString()},
            {"prefetch", "-q", "--json", "--cache-dir", c, manifest.toString()},
            {"prune", "--all", "--dry-run", "--cache-dir", c},
            {"dir", "--cache-dir", c},
            {"rm", "--cache-dir", c, url, server.url("/unknown.img").toString()},
            {"prune", "--all", "--cache-dir", c},
        };
        for (String[] args : commands) {
            Captured captured = withProcessStreamsRecorded(() -> Cli.run(args));
            String command = "hoard " + String.join(" ", args);
            assertEquals("", captured.processOut() + captured.processErr(), command + " wrote to System.out/err");
            assertTrue(!captured.run().stdout().isEmpty() || !captured.run().stderr().isEmpty(),
                    command + " printed nothing at all: " + captured.run());
        }
    }

    @Test
    void inProcessRunsMayGoOnAtTheSameTime() throws Exception {
        server.throttle(1_000_000); // 0.2 s of body: the runs overlap
        int runs = 4;
        CountDownLatch ready = new CountDownLatch(runs);
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        try {
            List<Future<Cli.Run>> results = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                String out = tmp.resolve("out-" + i + ".img").toString();
                results.add(pool.submit(() -> {
                    ready.countDown();
                    ready.await();
                    return Cli.run("get", "-q", "--json", "--cache-dir", cache.toString(), "-o", out, url);
                }));
            }
            for (int i = 0; i < runs; i++) {
                Cli.Run run = results.get(i).get();
                assertEquals(0, run.exitCode(), run.toString());
                assertTrue(run.stdout().startsWith("{\"status\":\"") && run.stdout().endsWith("}\n")
                        && run.stdout().lines().count() == 1, "one run's JSON, nobody else's: " + run);
                assertTrue(run.stdout().contains("\"path\":\"" + tmp.resolve("out-" + i + ".img") + "\""),
                        run.toString());
                assertEquals("", run.stderr());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private record Captured(Cli.Run run, String processOut, String processErr) {
    }

    /** Runs {@code run} with System.out and System.err recorded, to see whether anything wrote to them. */
    private static Captured withProcessStreamsRecorded(Supplier<Cli.Run> run) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stray = new ByteArrayOutputStream();
        ByteArrayOutputStream strayErr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(stray, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(strayErr, true, StandardCharsets.UTF_8));
            Cli.Run result = run.get();
            return new Captured(result, stray.toString(StandardCharsets.UTF_8),
                    strayErr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
