package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.TestHttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache files damaged by an outside hand (a disk error, a stray command, a half-finished copy of the cache): each is
 * named by its path, never trusted, never copied out, and never keeps the rest of the cache from working.
 */
class DamagedCacheTest {
    private static final byte[] DISK = bytes(80_000, 1);
    private static final byte[] KERNEL = bytes(30_000, 2);

    @TempDir
    Path tmp;

    private TestHttpServer server;
    private TestCache cache;
    private URI disk;
    private URI kernel;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/disk.img", DISK);
        server.put("/vmlinuz", KERNEL);
        disk = server.url("/disk.img");
        kernel = server.url("/vmlinuz");
        cache = new TestCache(tmp.resolve("cache"));
        cache.runExpecting(0, "get", "-q", disk.toString());
        cache.runExpecting(0, "get", "-q", kernel.toString());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aBlobOfTheWrongSizeIsNeverCopiedOutButDownloadedAgain() throws Exception {
        Path blob = cache.blob(TestCache.sha256(DISK));
        Files.write(blob, new byte[1000]); // cut short, e.g. by a copy of the cache that did not finish
        Path out = tmp.resolve("disk.img");

        Cli.Run run = cache.runExpecting(0, "get", "-q", "-o", out.toString(), disk.toString());

        assertArrayEquals(DISK, Files.readAllBytes(out));
        assertArrayEquals(DISK, Files.readAllBytes(blob), "replaced by the new download");
        assertTrue(run.stderr().contains("the cached file " + blob + " has 1000 bytes, but 80000 were downloaded"),
                run.toString());
        assertEquals(2, server.fullBodyCount("/disk.img"));
    }

    @Test
    void withADigestABlobOfTheWrongSizeIsDownloadedAgainToo() throws Exception {
        Path blob = cache.blob(TestCache.sha256(DISK));
        Files.write(blob, new byte[1000]);
        Path out = tmp.resolve("disk.img");

        Cli.Run run = cache.runExpecting(0, "get", "-q", "-d", "sha256:" + TestCache.sha256(DISK), "-o",
                out.toString(), disk.toString());

        assertArrayEquals(DISK, Files.readAllBytes(out));
        assertTrue(run.stderr().contains(blob + " has 1000 bytes"), run.toString());
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
