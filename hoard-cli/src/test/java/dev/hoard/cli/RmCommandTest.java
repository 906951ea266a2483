package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.FetchRequest;
import dev.hoard.Hoard;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Fault;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.Poll;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoard rm}: removal, shared content, unknown and busy URLs. */
@ExtendWith(CacheInvariants.class)
class RmCommandTest {
    private static final byte[] BODY = TestBytes.random(150_000);
    private static final String SHA256 = Hashes.sha256Hex(BODY);

    @TempDir
    Path tmp;

    @CacheDir
    Path cacheRoot;

    private TestHttpServer server;
    private TestCache cache;
    private URI url;
    private URI sameContent;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/disk.img", BODY);
        server.put("/mirror/disk.img", BODY);
        url = server.url("/disk.img");
        sameContent = server.url("/mirror/disk.img");
        cacheRoot = tmp.resolve("cache");
        cache = new TestCache(cacheRoot);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void removedThenFetchedAgainDownloadsAgain() {
        cache.runExpecting(0, "get", "-q", url.toString());

        Cli.Run rm = cache.runExpecting(0, "rm", url.toString());

        assertEquals("removed " + url + " (146.5 KiB freed)\n", rm.stdout());
        assertFalse(Files.exists(cache.blob(SHA256)));
        assertFalse(Files.exists(cache.entryDir(url)), "removed by its lock holder, nothing is left of the entry");
        Cli.Run get = cache.runExpecting(0, "get", "-q", "--json", url.toString());
        assertTrue(get.stdout().startsWith("{\"status\":\"downloaded\""), get.toString());
        assertEquals(2, server.fullBodyCount("/disk.img"));
    }

    @Test
    void removingOneOfTwoUrlsWithTheSameContentKeepsTheOthersFile() throws Exception {
        cache.runExpecting(0, "get", "-q", url.toString());
        cache.runExpecting(0, "get", "-q", sameContent.toString());

        Cli.Run rm = cache.runExpecting(0, "rm", url.toString());

        assertEquals("removed " + url + " (0 B freed; its file is kept: another URL has the same content)\n",
                rm.stdout());
        assertNull(cache.listed(url));
        Path out = tmp.resolve("out.img");
        Cli.Run get = cache.runExpecting(0, "get", "-q", "--offline", "--json", "-o", out.toString(),
                sameContent.toString());
        assertTrue(get.stdout().startsWith("{\"status\":\"used-cache\""), get.toString());
        assertArrayEquals(BODY, Files.readAllBytes(out));
    }

    @Test
    void anUnknownUrlExitsOneAndTheOthersAreStillRemoved() {
        cache.runExpecting(0, "get", "-q", url.toString());
        URI unknown = server.url("/unknown.img");

        Cli.Run rm = cache.runExpecting(1, "rm", unknown.toString(), url.toString());

        assertEquals("hoard: not in the cache: " + unknown + "\n", rm.stderr());
        assertEquals("removed " + url + " (146.5 KiB freed)\n", rm.stdout());
        assertEquals(List.of(), cache.list());
    }

    @Test
    void aMalformedUrlRemovesNothing() {
        cache.runExpecting(0, "get", "-q", url.toString());

        Cli.Run rm = cache.runExpecting(2, "rm", url.toString(), "http://exa mple.org/x");

        assertTrue(rm.stderr().startsWith("hoard: malformed URL"), rm.toString());
        assertEquals("complete", cache.listed(url).get("state"));
    }

    @Test
    void aUrlBeingDownloadedIsLeftAloneWithExitFive() throws Exception {
        server.enqueue("/disk.img", Fault.stallAfter(10_000));
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Hoard hoard = Hoard.open(tmp.resolve("cache"))) {
            Future<?> fetch = thread.submit(() -> hoard.fetch(FetchRequest.of(url)));
            Poll.until(Duration.ofSeconds(30), "the download started", () -> cache.partialBytes() == 10_000);

            Cli.Run rm = cache.runExpecting(5, "rm", url.toString());

            assertTrue(rm.stderr().startsWith("hoard: " + url + " is being downloaded by pid "
                    + ProcessHandle.current().pid()), rm.toString());
            assertEquals(10_000, cache.partialBytes(), "rm touched the download");
            server.close();
            assertThrows(ExecutionException.class, () -> fetch.get(30, TimeUnit.SECONDS));
        } finally {
            thread.shutdownNow();
        }
    }
}
