package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.internal.json.Json;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.CorruptsCache;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoard verify}: re-hashing, what it reports, and what --repair removes. */
@ExtendWith(CacheInvariants.class)
class VerifyCommandTest {
    private static final byte[] BODY = TestBytes.random(300_000);
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
        cache.runExpecting(0, "get", "-q", url.toString());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void anIntactCacheVerifiesOk() {
        cache.runExpecting(0, "get", "-q", sameContent.toString());

        Cli.Run run = cache.runExpecting(0, "verify");

        assertEquals(List.of(url + ": OK", sameContent + ": OK"), run.stdout().lines().toList());
        assertEquals("", run.stderr());
    }

    @Test
    void oneFlippedByteIsCaughtAndRepairMakesTheNextGetDownloadAgain() throws Exception {
        flipOneByte(cache.blob(SHA256), 123_456);

        Cli.Run run = cache.runExpecting(3, "verify");
        assertTrue(run.stdout().startsWith(url + ": FAILED: the blob's content has sha256:"), run.toString());
        assertTrue(run.stdout().contains("not sha256:" + SHA256 + " (its name)"), run.toString());
        assertTrue(run.stderr().contains("1 of 1 failed verification"), run.toString());
        assertTrue(Files.exists(cache.blob(SHA256)), "verify without --repair changed the cache");

        Cli.Run repair = cache.runExpecting(3, "verify", "--repair");
        assertTrue(repair.stdout().trim().endsWith("; removed"), repair.toString());
        assertFalse(Files.exists(cache.blob(SHA256)));
        assertEquals(List.of(), cache.list());

        int bodiesBefore = server.fullBodyCount("/disk.img");
        Path out = tmp.resolve("out.img");
        Cli.Run get = cache.runExpecting(0, "get", "-q", "--json", "-o", out.toString(), url.toString());
        assertTrue(get.stdout().startsWith("{\"status\":\"downloaded\""), get.toString());
        assertEquals(bodiesBefore + 1, server.fullBodyCount("/disk.img"));
        assertEquals(SHA256, Hashes.sha256Hex(Files.readAllBytes(out)));
        cache.runExpecting(0, "verify");
    }

    @Test
    void aCorruptSharedFileFailsForEveryUrlNamingItAndRepairRemovesThemAll() throws Exception {
        cache.runExpecting(0, "get", "-q", sameContent.toString());
        flipOneByte(cache.blob(SHA256), 0);

        Cli.Run run = cache.runExpecting(3, "verify", "--repair");

        assertEquals(2, run.stdout().lines().filter(l -> l.contains(": FAILED: ")).count(), run.toString());
        assertEquals(List.of(), cache.list());
    }

    @Test
    @CorruptsCache("ends with a flipped byte in a blob, the corruption whose JSON report it checks")
    void jsonGivesOneObjectPerResultAndNamedUrlsAreCheckedAlone() throws Exception {
        cache.runExpecting(0, "get", "-q", sameContent.toString());
        URI absent = server.url("/never-fetched.img");

        Cli.Run run = cache.runExpecting(1, "verify", "--json", url.toString(), absent.toString());

        List<Map<String, Object>> results = run.stdout().lines().map(Json::parseObject).toList();
        assertEquals(2, results.size(), run.toString());
        Map<String, Object> ok = results.get(0);
        assertEquals(List.of("url", "digest", "status", "problem", "expected", "actual", "repaired"),
                List.copyOf(ok.keySet()));
        assertEquals(url.toString(), ok.get("url"));
        assertEquals("sha256:" + SHA256, ok.get("digest"));
        assertEquals("ok", ok.get("status"));
        assertEquals(false, ok.get("repaired"));
        assertEquals("not-cached", results.get(1).get("status"));
        assertTrue(run.stderr().contains("hoard: not in the cache: " + absent), run.toString());

        flipOneByte(cache.blob(SHA256), 7);
        Map<String, Object> corrupt = Json.parseObject(cache.runExpecting(3, "verify", "--json", url.toString())
                .stdout().trim());
        assertEquals("corrupt", corrupt.get("status"));
        assertEquals("sha256:" + SHA256, corrupt.get("expected"));
        assertTrue(((String) corrupt.get("actual")).startsWith("sha256:"));
    }

    @Test
    void theDigestAUrlWasRequestedWithIsCheckedToo() throws Exception {
        String sha512 = Hashes.sha512Hex(BODY);
        URI pinned = server.url("/mirror/disk.img");
        cache.runExpecting(0, "get", "-q", "-d", "sha512:" + sha512, pinned.toString());
        cache.runExpecting(0, "verify", pinned.toString());

        // A metadata file that claims another expected digest (a disk error, a hand edit) is caught.
        Path meta = cache.entryDir(pinned).resolve("meta.json");
        Files.writeString(meta, Files.readString(meta).replace(sha512, "0".repeat(128)));
        Cli.Run run = cache.runExpecting(3, "verify", pinned.toString());
        assertEquals(pinned + ": FAILED: the content has sha512:" + sha512 + ", but was requested with sha512:"
                + "0".repeat(128) + "\n", run.stdout());
    }

    @Test
    @CorruptsCache("ends with metadata naming a blob it deleted, the state whose report it checks")
    void aMissingFileIsReported() throws Exception {
        Files.delete(cache.blob(SHA256));

        Cli.Run run = cache.runExpecting(3, "verify");

        assertEquals(url + ": FAILED: its blob " + cache.blob(SHA256) + " is missing\n", run.stdout());
        assertEquals("missing", cache.listed(url).get("state"));
    }

    private static void flipOneByte(Path file, long offset) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x01);
        }
    }
}
