package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Fault;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.Poll;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoard prune}: what each policy removes, and that it never breaks a download or a copy in progress. */
@ExtendWith(CacheInvariants.class)
class PruneCommandTest {
    private static final int SIZE = 100_000;

    @TempDir
    Path tmp;

    @CacheDir
    Path cacheRoot;

    private TestHttpServer server;
    private TestCache cache;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        cacheRoot = tmp.resolve("cache");
        cache = new TestCache(cacheRoot);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Serves and caches a distinct body at {@code path}, last used {@code daysAgo} days ago. */
    private URI cached(String path, int daysAgo) {
        byte[] body = TestBytes.random(SIZE, path.hashCode()); // distinct content per path, so no blob is shared
        server.put(path, body);
        URI url = server.url(path);
        cache.runExpecting(0, "get", "-q", url.toString());
        cache.setLastUsed(url, Instant.now().minus(daysAgo, ChronoUnit.DAYS));
        return url;
    }

    @Test
    void maxSizeRemovesTheLeastRecentlyUsedUntilTheCacheFits() {
        URI oldest = cached("/a.img", 3);
        URI newest = cached("/b.img", 0);
        URI middle = cached("/c.img", 1);
        URI older = cached("/d.img", 2);

        Cli.Run run = cache.runExpecting(0, "prune", "--max-size", "250K"); // 256000 bytes: room for two

        assertEquals(List.of("removed " + oldest + " (97.7 KiB)", "removed " + older + " (97.7 KiB)",
                "freed 195.3 KiB (2 URLs); 195.3 KiB left"), run.stdout().lines().toList(), run.toString());
        assertNull(cache.listed(oldest));
        assertNull(cache.listed(older));
        assertNotNull(cache.listed(middle));
        assertNotNull(cache.listed(newest));
        assertEquals(2, cache.blobsStartingWith("").size());
    }

    @Test
    void olderThanRemovesWhatWasNotUsedForThatLong() {
        URI stale = cached("/a.img", 10);
        URI fresh = cached("/b.img", 1);

        Cli.Run run = cache.runExpecting(0, "prune", "--older-than", "7d");

        assertTrue(run.stdout().startsWith("removed " + stale + " ("), run.toString());
        assertNull(cache.listed(stale));
        assertNotNull(cache.listed(fresh));
    }

    @Test
    void dryRunSaysWhatWouldGoAndDeletesNothing() throws Exception {
        URI url = cached("/a.img", 0);
        Path blob = Path.of((String) cache.listed(url).get("path"));

        Cli.Run run = cache.runExpecting(0, "prune", "--all", "--dry-run");

        assertEquals(List.of("would remove " + url + " (97.7 KiB)", "would free 97.7 KiB (1 URL); 0 B left"),
                run.stdout().lines().toList());
        assertTrue(Files.exists(blob));
        assertEquals("complete", cache.listed(url).get("state"));
    }

    @Test
    void allSkipsADownloadInProgressInAnotherProcessWhichThenCompletes() throws Exception {
        URI other = cached("/other.img", 1);
        byte[] big = TestBytes.random(4_000_000);
        server.put("/big.img", big);
        URI url = server.url("/big.img");
        server.throttle(50_000); // 80 s of body: far longer than the prune, which then lifts the throttle
        Process getter = Cli.fork(tmp, "getter", Map.of(), "get", "--json", "-q", "--cache-dir", cache.dir(),
                "-o", tmp.resolve("big.img").toString(), url.toString());
        try {
            Poll.until(Duration.ofSeconds(60), "the forked get is receiving the body",
                    () -> cache.partialBytes() > 0);
            assertEquals("downloading", cache.listed(url).get("state"));

            Cli.Run prune = cache.runExpecting(0, "prune", "--all");

            assertTrue(prune.stderr().contains("hoard: skipped " + url + ": being downloaded by pid " + getter.pid()),
                    prune.toString());
            assertTrue(prune.stdout().contains("removed " + other), prune.toString());
            assertTrue(prune.stdout().contains("(1 URL, 1 skipped)"), prune.toString());
            assertFalse(cache.partials().isEmpty(), "the download's partial file was deleted");
        } finally {
            server.throttle(0);
        }
        Cli.Run get = Cli.await(getter, tmp, "getter", 120);
        assertEquals(0, get.exitCode(), get.toString());
        assertTrue(get.stdout().contains("\"digest\":\"sha256:" + Hashes.sha256Hex(big) + "\""), get.toString());
        assertArrayEquals(big, Files.readAllBytes(tmp.resolve("big.img")));
        assertEquals("complete", cache.listed(url).get("state"));
        assertNull(cache.listed(other));
    }

    @Test
    void aReaderCopyingABlobOutKeepsReadingCorrectBytesWhilePruneRemovesIt() throws Exception {
        byte[] body = TestBytes.random(3_000_000);
        server.put("/disk.img", body);
        Path blob = Path.of(cache.runExpecting(0, "get", "-q", server.url("/disk.img").toString()).stdout().trim());

        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(blob)) {
            copy.write(in.readNBytes(body.length / 2));

            cache.runExpecting(0, "prune", "--all");
            assertFalse(Files.exists(blob), "prune left the blob");

            in.transferTo(copy);
        }
        assertArrayEquals(body, copy.toByteArray());
    }

    @Test
    void partialRemovesDeadDownloadsAndStaleTempFilesButKeepsCompleteFiles() throws Exception {
        URI complete = cached("/a.img", 0);
        byte[] body = TestBytes.random(200_000);
        server.put("/b.img", body);
        URI url = server.url("/b.img");
        server.enqueue("/b.img", Fault.stallAfter(50_000));
        Process getter = Cli.fork(tmp, "getter", Map.of(), "get", "-q", "--cache-dir", cache.dir(), url.toString());
        try {
            Poll.until(Duration.ofSeconds(60), "the forked get wrote a partial file",
                    () -> cache.partialBytes() == 50_000);
        } finally {
            getter.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9: the partial stays behind
        }
        Path blobs = tmp.resolve("cache/blobs");
        Path staleTemp = blobs.resolve(".x." + getter.pid() + "-1.tmp"); // its writer is dead, and it is old
        Files.write(staleTemp, new byte[10]);
        Files.setLastModifiedTime(staleTemp, FileTime.from(Instant.now().minus(2, ChronoUnit.HOURS)));
        Path liveTemp = blobs.resolve(".y." + ProcessHandle.current().pid() + "-1.tmp"); // its writer lives
        Files.write(liveTemp, new byte[10]);
        Files.setLastModifiedTime(liveTemp, FileTime.from(Instant.now().minus(2, ChronoUnit.HOURS)));
        Path freshTemp = blobs.resolve(".z." + getter.pid() + "-2.tmp"); // dead writer, but just written
        Files.write(freshTemp, new byte[10]);

        Cli.Run run = cache.runExpecting(0, "prune", "--partial");

        assertTrue(run.stdout().contains("removed partial download .partial-"), run.toString());
        assertTrue(run.stdout().contains(" of " + url + " (48.8 KiB)"), run.toString());
        assertTrue(run.stdout().contains("removed temp file " + staleTemp + " (10 B)"), run.toString());
        assertTrue(run.stdout().contains("(1 partial download, 1 temp file)"), run.toString());
        assertEquals(List.of(), cache.partials());
        assertFalse(Files.exists(staleTemp));
        assertTrue(Files.exists(liveTemp));
        assertTrue(Files.exists(freshTemp));
        assertNull(cache.listed(url));
        assertEquals("complete", cache.listed(complete).get("state"));
        // and the next get downloads it whole
        cache.runExpecting(0, "get", "-q", url.toString());
        assertEquals("complete", cache.listed(url).get("state"));
    }

    @Test
    void allAlsoRemovesFilesNoUrlNames() {
        server.put("/a.img", TestBytes.random(SIZE));
        URI url = server.url("/a.img");
        cache.runExpecting(0, "get", "-q", url.toString());
        server.put("/a.img", TestBytes.random(SIZE + 1), Instant.now().plusSeconds(60),
                "application/octet-stream");
        cache.runExpecting(0, "get", "-q", url.toString()); // the first content is now named by no URL
        assertEquals(2, cache.list().size());

        Cli.Run run = cache.runExpecting(0, "prune", "--all");

        assertTrue(run.stdout().contains("removed (no URL) sha256:" + Hashes.sha256Hex(
                TestBytes.random(SIZE)) + " (97.7 KiB)"), run.toString());
        assertTrue(run.stdout().contains("(1 URL, 1 file without a URL)"), run.toString());
        assertEquals(List.of(), cache.list());
        assertEquals(List.of(), cache.blobsStartingWith(""));
    }

    @Test
    void exactlyOnePolicyIsRequiredAndBadValuesAreUsageErrors() {
        String[][] bad = {
            {"prune"},
            {"prune", "--all", "--partial"},
            {"prune", "--max-size", "lots"},
            {"prune", "--older-than", "soon"},
        };
        for (String[] args : bad) {
            Cli.Run run = cache.runExpecting(2, args);
            assertTrue(run.stderr().startsWith("hoard: "), run.toString());
            assertEquals("", run.stdout());
        }
    }

    @Test
    void helpExplainsThePolicies() {
        Cli.Run help = Cli.run("prune", "--help");
        assertEquals(0, help.exitCode());
        for (String option : List.of("--all", "--older-than", "--max-size", "--partial", "--dry-run")) {
            assertTrue(help.stdout().contains(option), help.stdout());
        }
    }

    @Test
    void everyManagementCommandHasHelpThatSaysItIsSafeAlongsideOtherProcesses() {
        for (String command : List.of("ls", "verify", "rm", "prune")) {
            Cli.Run help = Cli.run(command, "--help");
            assertEquals(0, help.exitCode(), help.toString());
            assertEquals("", help.stderr(), "picocli could not render the help of " + command);
            assertTrue(help.stdout().contains("Safe while other processes use the cache"), help.stdout());
        }
    }
}
