package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.FetchRequest;
import dev.hoard.Hoard;
import dev.hoard.HoardOptions;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Fault;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.Poll;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
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

/** {@code hoard ls}: the table, the JSON lines, and the three states an entry can be seen in. */
@ExtendWith(CacheInvariants.class)
class LsCommandTest {
    private static final byte[] BODY = TestBytes.random(200_000);
    private static final int STALL_AT = 50_000;

    @TempDir
    Path tmp;

    @CacheDir
    Path cacheRoot;

    private TestHttpServer server;
    private TestCache cache;
    private URI url;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/disk.img", BODY);
        url = server.url("/disk.img");
        cacheRoot = tmp.resolve("cache");
        cache = new TestCache(cacheRoot);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aCompleteEntryIsOneTableRowAndOneJsonLine() {
        cache.runExpecting(0, "get", "-q", url.toString());
        cache.setLastUsed(url, Instant.now().minus(3, ChronoUnit.HOURS));

        Cli.Run table = cache.runExpecting(0, "ls");
        List<String> lines = table.stdout().lines().toList();
        assertEquals(3, lines.size(), table.toString());
        assertTrue(lines.get(0).matches("SIZE +AGE +LAST USED +STATE +URL"), lines.get(0));
        assertTrue(lines.get(1).matches("195\\.3 KiB +\\d+s +3h ago +complete +" + url), lines.get(1));
        assertEquals("1 URL: 195.3 KiB in 1 file, 0 B in partial downloads", lines.get(2));

        List<Map<String, Object>> json = cache.list();
        assertEquals(1, json.size());
        Map<String, Object> entry = json.getFirst();
        assertEquals(List.of("url", "state", "size", "digest", "path", "fetchedAt", "lastUsed", "partialBytes",
                "partialLength", "pid", "host", "problem"), List.copyOf(entry.keySet()));
        assertEquals(url.toString(), entry.get("url"));
        assertEquals("complete", entry.get("state"));
        assertEquals((long) BODY.length, entry.get("size"));
        String sha256 = Hashes.sha256Hex(BODY);
        assertEquals("sha256:" + sha256, entry.get("digest"));
        assertEquals(cache.blob(sha256).toString(), entry.get("path"));
        Instant.parse((String) entry.get("fetchedAt"));
        assertEquals(Instant.now().minus(3, ChronoUnit.HOURS).truncatedTo(ChronoUnit.HOURS),
                Instant.parse((String) entry.get("lastUsed")).truncatedTo(ChronoUnit.HOURS));
        assertNull(entry.get("partialBytes"));
        assertNull(entry.get("pid"));
    }

    @Test
    void anEmptyCacheListsNothing() throws Exception {
        Hoard.open(tmp.resolve("cache")).close();
        Cli.Run run = cache.runExpecting(0, "ls");
        assertEquals("0 URLs: 0 B in 0 files, 0 B in partial downloads\n", run.stdout());
        assertEquals("", cache.runExpecting(0, "ls", "--json").stdout());
    }

    @Test
    void anEntryBeingDownloadedShowsItsDownloaderAndBytesSoFar() throws Exception {
        server.enqueue("/disk.img", Fault.stallAfter(STALL_AT));
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Hoard hoard = Hoard.open(HoardOptions.of(tmp.resolve("cache")).retries(0))) {
            Future<?> fetch = thread.submit(() -> hoard.fetch(FetchRequest.of(url)));
            Poll.until(Duration.ofSeconds(30), "the partial holds the bytes before the stall",
                    () -> cache.partialBytes() == STALL_AT);

            Map<String, Object> entry = cache.listed(url);
            assertEquals("downloading", entry.get("state"), entry.toString());
            assertEquals(ProcessHandle.current().pid(), entry.get("pid"));
            assertEquals((long) STALL_AT, entry.get("partialBytes"));
            assertNull(entry.get("size"));
            assertNull(entry.get("digest"));
            String row = cache.runExpecting(0, "ls").stdout().lines().skip(1).findFirst().orElseThrow();
            assertTrue(row.matches("48\\.8 KiB +- +- +downloading by pid " + ProcessHandle.current().pid()
                    + " on \\S+ 25% +" + url), row); // partial.json records the length, so the percent shows

            server.close(); // ends the stalled response: the download fails and cleans up
            assertThrows(ExecutionException.class, () -> fetch.get(30, TimeUnit.SECONDS));
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void aPartialDownloadLeftByAKilledProcessIsPartialWithItsPercentWhenTheLengthIsRecorded() throws Exception {
        server.enqueue("/disk.img", Fault.stallAfter(STALL_AT));
        Process getter = Cli.fork(tmp, "getter", Map.of(), "get", "-q", "--cache-dir", cache.dir(), url.toString());
        try {
            Poll.until(Duration.ofSeconds(60), "the forked get wrote the bytes before the stall",
                    () -> cache.partialBytes() == STALL_AT);
        } finally {
            getter.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        Map<String, Object> entry = cache.listed(url);
        assertEquals("partial", entry.get("state"), entry.toString());
        assertEquals((long) STALL_AT, entry.get("partialBytes"));
        assertNull(entry.get("pid"), "no process holds it");
        // The holder recorded the full length in partial.json when the response began; ls uses it.
        assertEquals((long) BODY.length, entry.get("partialLength"));
        String row = cache.runExpecting(0, "ls").stdout().lines().skip(1).findFirst().orElseThrow();
        assertTrue(row.matches("48\\.8 KiB +- +- +partial 25% +" + url), row);
    }

    @Test
    void aFileNoUrlNamesIsListedWithoutAUrl() {
        cache.runExpecting(0, "get", "-q", url.toString());
        byte[] changed = TestBytes.random(1000);
        server.put("/disk.img", changed, Instant.now().plusSeconds(60), "application/octet-stream");
        cache.runExpecting(0, "get", "-q", url.toString()); // the URL now names the new content

        List<Map<String, Object>> json = cache.list();
        assertEquals(2, json.size(), json.toString());
        Map<String, Object> loose = json.stream().filter(e -> e.get("url") == null).findFirst().orElseThrow();
        assertEquals("sha256:" + Hashes.sha256Hex(BODY), loose.get("digest"));
        assertEquals("complete", loose.get("state"));
        String out = cache.runExpecting(0, "ls").stdout();
        assertTrue(out.contains("(no URL) sha256:" + Hashes.sha256Hex(BODY)), out);
        assertTrue(out.endsWith("1 URL, 1 file without a URL: 196.3 KiB in 2 files, 0 B in partial downloads\n"),
                out);
    }
}
