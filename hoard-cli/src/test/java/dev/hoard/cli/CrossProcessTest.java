package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.AccessLogEntry;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.Nginx;
import dev.hoard.testing.Poll;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many real processes, started together on one empty cache, fetch one URL: the origin sends the body once, one
 * process reports {@code downloaded}, the rest {@code used-cache}, and all see the same bytes.
 */
@ExtendWith(CacheInvariants.class)
class CrossProcessTest {
    private static final int PROCESSES = 8;
    private static final int SIZE = 6 * 1024 * 1024;
    private static final Pattern STATUS = Pattern.compile("\"status\":\"([a-z-]+)\"");
    private static final Pattern DIGEST = Pattern.compile("\"digest\":\"(sha256:[0-9a-f]{64})\"");

    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    @BeforeEach
    void setUp() {
        cache = tmp.resolve("cache");
    }

    @Test
    void eightProcessesAgainstTheInProcessOriginDownloadOnce() throws Exception {
        byte[] body = TestBytes.random(SIZE);
        try (TestHttpServer server = TestHttpServer.start()) {
            server.put("/cloud.img", body);
            server.throttle(20_000); // a crawl until the others wait, however slowly their JVMs start
            List<Process> processes = startTogether(server.url("/cloud.img"));
            awaitWaiters(PROCESSES / 2);
            server.throttle(0);
            List<Cli.Run> runs = awaitAll(processes);

            assertOneDownloadRestCached(runs, Hashes.sha256Hex(body));
            assertEquals(1, server.fullBodyCount("/cloud.img"), server.requests().toString());
            assertEquals(SIZE, server.bodyBytesSent("/cloud.img"));
        }
    }

    @Test
    void eightProcessesAgainstNginxDownloadOnce() throws Exception {
        Nginx.assumeAvailable();
        byte[] body = TestBytes.random(SIZE);
        Path www = Files.createDirectories(tmp.resolve("www"));
        Files.write(www.resolve("cloud.img"), body);
        try (Nginx nginx = Nginx.start(www, 1_000_000)) { // ~6 s of body: the others start while it runs
            List<Cli.Run> runs = fetchTogether(nginx.url("/cloud.img"));

            assertOneDownloadRestCached(runs, Hashes.sha256Hex(body));
            List<AccessLogEntry> log = nginx.awaitAccessLog(1, Duration.ofSeconds(5));
            long bodyBytes = log.stream().mapToLong(AccessLogEntry::bodyBytesSent).sum();
            assertEquals(SIZE, bodyBytes, "nginx sent the body more than once: " + log);
            assertEquals(1, log.stream().filter(e -> e.status() == 200).count(), log.toString());
        }
    }

    private List<Cli.Run> fetchTogether(URI url) {
        return awaitAll(startTogether(url));
    }

    private List<Process> startTogether(URI url) {
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            processes.add(Cli.fork(tmp, "p" + i, Map.of(), "get", "--json", "--cache-dir",
                    cache.toString(), "-o", tmp.resolve("out-" + i + ".img").toString(),
                    url.toString()));
        }
        return processes;
    }

    /** Waits until {@code count} of the processes say on stderr that they wait for the downloading one. */
    private void awaitWaiters(int count) {
        Poll.until(Duration.ofSeconds(60), count + " processes wait for the downloading one", () -> IntStream
                .range(0, PROCESSES)
                .filter(i -> Cli.readIfExists(tmp.resolve("p" + i + ".err")).contains("waiting for pid "))
                .count(), waiting -> waiting >= count);
    }

    private List<Cli.Run> awaitAll(List<Process> processes) {
        List<Cli.Run> runs = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            runs.add(Cli.await(processes.get(i), tmp, "p" + i, 120));
        }
        return runs;
    }

    private void assertOneDownloadRestCached(List<Cli.Run> runs, String sha256) throws Exception {
        Map<String, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < runs.size(); i++) {
            Cli.Run run = runs.get(i);
            assertEquals(0, run.exitCode(), run.toString());
            statuses.merge(field(STATUS, run), 1, Integer::sum);
            assertEquals("sha256:" + sha256, field(DIGEST, run));
            assertEquals(sha256, Hashes.sha256Hex(Files.readAllBytes(tmp.resolve("out-" + i + ".img"))));
        }
        assertEquals(Map.of("downloaded", 1, "used-cache", PROCESSES - 1), statuses, runs.toString());
        // The body takes ~2 s; processes that start meanwhile must have waited for the owner, not raced it.
        assertTrue(runs.stream().anyMatch(r -> r.stderr().contains("waiting for pid ")), runs.toString());
    }

    private static String field(Pattern pattern, Cli.Run run) {
        Matcher m = pattern.matcher(run.stdout());
        assertTrue(m.find(), run.toString());
        return m.group(1);
    }
}
