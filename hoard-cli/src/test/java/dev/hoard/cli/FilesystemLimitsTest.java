package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A full disk and a read-only cache, on a real (tiny) filesystem. Needs root for mount; skipped with a reason. */
@ExtendWith(CacheInvariants.class)
@SuppressWarnings("try") // a mounted filesystem held for the length of a block is the point of its try-with-resources
class FilesystemLimitsTest {
    private static final byte[] BODY = TestBytes.random(6 * 1024 * 1024);

    @TempDir
    Path tmp;

    /** On the tiny filesystem, which is unmounted before the test ends: so each test checks it before that. */
    @CacheDir
    Path cache;

    private TestHttpServer server;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/big.img", BODY);
        cache = tmp.resolve("fs/cache");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aFullDiskIsAClearIoErrorPublishesNothingAndTheNextRunWithRoomSucceeds() throws Exception {
        try (TinyFilesystem fs = TinyFilesystem.mount(tmp.resolve("fs"), "3m")) {
            Cli.Run full = Cli.run("get", "-q", "--cache-dir", cache.toString(), server.url("/big.img").toString());

            assertEquals(1, full.exitCode(), full.toString());
            assertTrue(full.stderr().contains("No space left on device"), full.stderr());
            assertEquals(List.of(), files(cache.resolve("blobs")), "nothing published, no partial kept");

            fs.remount("size=32m");
            Cli.Run roomy = Cli.run("get", "-q", "--cache-dir", cache.toString(), server.url("/big.img").toString());
            assertEquals(0, roomy.exitCode(), roomy.toString());
            assertArrayEquals(BODY, Files.readAllBytes(Path.of(roomy.stdout().trim())));
            CacheInvariants.assertHold(cache);
        }
    }

    @Test
    void aReadOnlyCacheStillServesHitsAndRefusesWritesClearly() throws Exception {
        try (TinyFilesystem fs = TinyFilesystem.mount(tmp.resolve("fs"), "32m")) {
            String digest = "sha256:" + Hashes.sha256Hex(BODY);
            assertEquals(0, Cli.run("get", "-q", "--cache-dir", cache.toString(), server.url("/big.img").toString())
                    .exitCode());
            server.put("/other.img", new byte[1000]);
            fs.remount("ro");

            Cli.Run hit = Cli.run("get", "-q", "-d", digest, "-o", tmp.resolve("out.img").toString(),
                    "--cache-dir", cache.toString(), server.url("/big.img").toString());
            assertEquals(0, hit.exitCode(), hit.toString());
            assertArrayEquals(BODY, Files.readAllBytes(tmp.resolve("out.img")));

            Cli.Run miss = Cli.run("get", "-q", "--cache-dir", cache.toString(), server.url("/other.img").toString());
            assertEquals(1, miss.exitCode(), miss.toString());
            assertTrue(miss.stderr().contains("Read-only file system"), miss.stderr());
            CacheInvariants.assertHold(cache);
        }
    }

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
