package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.Hashes;
import dev.hoard.testing.TestHttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rounds of random SIGKILLs among forked JVMs fetching the same and different URLs into one cache. After each round:
 * every survivor finished (no one waits forever) with the right bytes, every published blob hashes to its name,
 * every entry names a blob of its recorded size, and nothing partial is listed as complete.
 */
class TortureTest {
    private static final int ROUNDS = 50;
    private static final int PROCESSES = 3;
    private static final int SIZE = 1_500_000;
    private static final Pattern META_SHA = Pattern.compile("\"sha256\": \"([0-9a-f]{64})\"");
    private static final Pattern META_SIZE = Pattern.compile("\"size\": (\\d+)");

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void invariantsHoldAfterEveryRoundOfRandomKills() throws Exception {
        Random random = new Random(20261122);
        List<byte[]> bodies = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        Path cache = tmp.resolve("cache");
        try (TestHttpServer server = TestHttpServer.start()) {
            server.throttle(3_000_000);
            for (int round = 0; round < ROUNDS; round++) {
                if (round % 10 == 0) {
                    newVersions(server, random, bodies, digests); // the remote changes now and then, too
                }
                runRound(round, server, random, bodies, digests, cache);
                checkInvariants(cache, round);
            }
        }
    }

    private void newVersions(TestHttpServer server, Random random, List<byte[]> bodies, List<String> digests)
            throws Exception {
        bodies.clear();
        digests.clear();
        for (int u = 0; u < 3; u++) {
            byte[] body = new byte[SIZE - random.nextInt(1000)];
            random.nextBytes(body);
            server.put("/file" + u, body);
            bodies.add(body);
            digests.add(Hashes.sha256Hex(body));
        }
    }

    private void runRound(int round, TestHttpServer server, Random random, List<byte[]> bodies, List<String> digests,
            Path cache) throws Exception {
        List<Process> processes = new ArrayList<>();
        List<Integer> urls = new ArrayList<>();
        for (int p = 0; p < PROCESSES; p++) {
            int u = random.nextInt(2); // two URLs per round for contention, the third now and then
            u = random.nextInt(5) == 0 ? 2 : u;
            urls.add(u);
            processes.add(Cli.fork(tmp, name(round, p), Map.of("HOARD_RETRY_DELAY", "50ms"), "get", "-q", "--json",
                    "--cache-dir", cache.toString(), server.url("/file" + u).toString()));
        }
        Thread.sleep(200 + random.nextInt(900)); // a random instant: starting, waiting, downloading or done
        int victim = random.nextInt(PROCESSES);
        processes.get(victim).destroyForcibly();
        for (int p = 0; p < PROCESSES; p++) {
            Cli.Run run = Cli.await(processes.get(p), tmp, name(round, p), 60);
            if (p == victim) {
                continue;
            }
            assertEquals(0, run.exitCode(), "round " + round + ": " + run);
            assertTrue(run.stdout().contains("\"digest\":\"sha256:" + digests.get(urls.get(p)) + "\""),
                    "round " + round + ": " + run);
        }
    }

    private static void checkInvariants(Path cache, int round) throws Exception {
        if (!Files.isDirectory(cache.resolve("blobs"))) {
            return; // the only process was killed before it created the cache
        }
        try (Stream<Path> blobs = Files.list(cache.resolve("blobs"))) {
            for (Path blob : blobs.filter(b -> !b.getFileName().toString().startsWith(".")).toList()) {
                assertEquals(blob.getFileName().toString(), Hashes.sha256Hex(Files.readAllBytes(blob)),
                        "round " + round + ": a published blob does not hash to its name");
            }
        }
        try (Stream<Path> entries = Files.list(cache.resolve("entries"))) {
            for (Path meta : entries.map(e -> e.resolve("meta.json")).filter(Files::exists).toList()) {
                String json = Files.readString(meta, StandardCharsets.UTF_8);
                Matcher sha = META_SHA.matcher(json);
                Matcher size = META_SIZE.matcher(json);
                assertTrue(sha.find() && size.find(), "round " + round + ": unreadable " + meta + ": " + json);
                Path blob = cache.resolve("blobs").resolve(sha.group(1));
                assertTrue(Files.isRegularFile(blob), "round " + round + ": " + meta + " names a missing blob");
                assertEquals(Long.parseLong(size.group(1)), Files.size(blob), "round " + round);
            }
        }
    }

    private static String name(int round, int process) {
        return "r" + round + "p" + process;
    }
}
