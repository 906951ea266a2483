package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.TestHttpServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rounds of random SIGKILLs among forked JVMs fetching the same and different URLs into one cache. After each round:
 * every survivor finished (no one waits forever) with the right bytes, every published blob hashes to its name,
 * every entry names a blob of its recorded size, and nothing partial is listed as complete.
 */
@ExtendWith(CacheInvariants.class)
class TortureTest {
    private static final int ROUNDS = 50;
    private static final int PROCESSES = 3;
    private static final int SIZE = 1_500_000;

    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    @BeforeEach
    void setUp() {
        cache = tmp.resolve("cache");
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void invariantsHoldAfterEveryRoundOfRandomKills() throws Exception {
        Random random = new Random(20261122);
        List<byte[]> bodies = new ArrayList<>();
        List<String> digests = new ArrayList<>();
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

    /** The checks CacheInvariants makes after the test, made after every round, while the evidence is fresh. */
    private static void checkInvariants(Path cache, int round) throws Exception {
        try {
            CacheInvariants.assertHold(cache);
        } catch (AssertionError e) {
            throw new AssertionError("after round " + round + ": " + e.getMessage(), e);
        }
    }

    private static String name(int round, int process) {
        return "r" + round + "p" + process;
    }
}
