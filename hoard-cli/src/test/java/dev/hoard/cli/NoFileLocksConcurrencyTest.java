package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.internal.json.Json;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Fault;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.Poll;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where file locks do nothing ({@code --no-file-locks}), two processes may both download an entry; the worst case is
 * that duplicate download, never a wrong or mixed file (docs/cache-layout.md). Two real processes here, and the
 * origin holds both bodies until both requests have arrived, so the two downloads really overlap.
 */
@ExtendWith(CacheInvariants.class)
class NoFileLocksConcurrencyTest {
    private static final int SIZE = 2 * 1024 * 1024;
    private static final int HELD_AT = 256 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    private TestHttpServer server;
    private String url;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        url = server.url("/disk.img").toString();
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor(); // after a failure: none may write into the cache while it is checked
        }
        server.close();
    }

    @Test
    void twoProcessesBothDownloadAndOneCorrectFileIsPublished() throws Exception {
        byte[] body = TestBytes.random(SIZE, 21);
        server.put("/disk.img", body);
        CountDownLatch both = holdBodiesUntilTwoRequestsArrive();

        Process a = get("a");
        Process b = get("b");
        Poll.await(both, WAIT, "both processes' requests arrive while the bodies are held (neither waits for a lock)");
        Map<String, Object> first = result(a, "a");
        Map<String, Object> second = result(b, "b");

        assertEquals(2, server.fullBodyCount("/disk.img"), "both processes downloaded: " + server.requests());
        assertEquals(2L * SIZE, server.bodyBytesSent("/disk.img"));
        String sha256 = Hashes.sha256Hex(body);
        for (Map<String, Object> r : List.of(first, second)) {
            assertEquals("downloaded", r.get("status"), r.toString());
            assertEquals("sha256:" + sha256, r.get("digest"));
            assertArrayEquals(body, Files.readAllBytes(Path.of((String) r.get("path"))));
        }
        assertEquals(List.of(sha256), blobDirectory(), "one blob, and no partial or temp file left");
        Map<String, Object> meta = metadata();
        assertEquals(sha256, meta.get("sha256"));
        assertEquals((long) SIZE, meta.get("size"));
        assertEquals(url, meta.get("url"));
    }

    @Test
    void twoProcessesThatGetDifferentContentEachPublishOnlyTheirOwnCorrectFile() throws Exception {
        byte[] before = TestBytes.random(SIZE, 22);
        byte[] after = TestBytes.random(SIZE + 1000, 23);
        server.put("/disk.img", before);
        CountDownLatch both = holdBodiesUntilTwoRequestsArrive();

        Process a = get("a");
        Cli.awaitPartial(cache, HELD_AT, WAIT); // a's response has begun: it is the old content, whatever comes now
        server.put("/disk.img", after);
        Process b = get("b");
        Poll.await(both, WAIT, "b's request arrives while a's body is held (b waits for no lock)");
        Map<String, Object> first = result(a, "a");
        Map<String, Object> second = result(b, "b");

        assertEquals(2, server.fullBodyCount("/disk.img"), server.requests().toString());
        assertPublishedItsOwn(first, before);
        assertPublishedItsOwn(second, after);
        String old = Hashes.sha256Hex(before);
        String current = Hashes.sha256Hex(after);
        assertEquals(Set.of(old, current), Set.copyOf(blobDirectory()), "two blobs, and no partial or temp file");
        Map<String, Object> meta = metadata(); // whoever renamed last; CacheInvariants checks its blob's size
        assertTrue(Set.of(old, current).contains((String) meta.get("sha256")), meta.toString());
    }

    /** The next two requests each get their head and HELD_AT bytes, then the rest once both have arrived. */
    private CountDownLatch holdBodiesUntilTwoRequestsArrive() {
        CountDownLatch both = new CountDownLatch(2);
        server.enqueue("/disk.img", Fault.holdUntilAllArrive(both, HELD_AT));
        server.enqueue("/disk.img", Fault.holdUntilAllArrive(both, HELD_AT));
        return both;
    }

    private Process get(String name) {
        Process process = Cli.fork(tmp, name, Map.of(), "get", "--no-file-locks", "-q", "--json", "--cache-dir",
                cache.toString(), "-o", tmp.resolve(name + ".img").toString(), url);
        processes.add(process);
        return process;
    }

    /** The {@code get --json} object the process printed, once it has ended well. */
    private Map<String, Object> result(Process process, String name) {
        Cli.Run run = Cli.await(process, tmp, name, WAIT.toSeconds());
        assertEquals(0, run.exitCode(), run.toString());
        return Json.parseObject(run.stdout());
    }

    /** The process's result, its output and the blob it names are all the bytes it was sent. */
    private static void assertPublishedItsOwn(Map<String, Object> result, byte[] sent) throws Exception {
        String sha256 = Hashes.sha256Hex(sent);
        assertEquals("downloaded", result.get("status"), result.toString());
        assertEquals("sha256:" + sha256, result.get("digest"), result.toString());
        assertArrayEquals(sent, Files.readAllBytes(Path.of((String) result.get("path"))));
        Path blob = Path.of((String) result.get("cachePath"));
        assertEquals(sha256, blob.getFileName().toString());
        assertEquals(sha256, Hashes.sha256Hex(blob));
    }

    /** Every name in blobs/: the dead processes' leftovers are legal crash garbage, but these ended well. */
    private List<String> blobDirectory() throws Exception {
        try (var files = Files.list(cache.resolve("blobs"))) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private Map<String, Object> metadata() throws Exception {
        try (var entries = Files.list(cache.resolve("entries"))) {
            List<Path> dirs = entries.toList();
            assertEquals(1, dirs.size(), dirs.toString());
            return Json.parseObject(Files.readString(dirs.getFirst().resolve("meta.json")));
        }
    }
}
