package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.AccessLogEntry;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Compressed;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.Nginx;
import dev.hoard.testing.TestBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server that compresses although hoard asks for {@code Accept-Encoding: identity}: nginx with
 * {@code gzip_static always}, which serves {@code disk.img.gz} for {@code disk.img} with
 * {@code Content-Encoding: gzip} to every client (the setup for sites that keep only compressed copies), and answers
 * ranges with ranges of the compressed file. The file hoard stores is the decoded one, which is what the publisher's
 * SHA256SUMS lists.
 */
@ExtendWith(CacheInvariants.class)
class NginxCompressesAnywayTest {
    // incompressible: the .gz is as large, so a first range is a real part of it
    private static final byte[] IMAGE = TestBytes.random(3_000_000, 5);

    @TempDir
    Path tmp;

    @CacheDir
    Path cacheRoot;

    private Nginx nginx;
    private TestCache cache;

    @BeforeEach
    void start() throws Exception {
        Nginx.assumeAvailable();
        Path www = Files.createDirectories(tmp.resolve("www/images"));
        Files.write(www.resolve("disk.img.gz"), Compressed.GZIP.compress(IMAGE)); // no disk.img: only the .gz
        Files.writeString(www.resolve("SHA256SUMS"), Hashes.sha256Hex(IMAGE) + " *disk.img\n");
        Path br = Files.createDirectories(tmp.resolve("www/br"));
        Files.write(br.resolve("disk.img"), IMAGE);
        nginx = Nginx.start(tmp.resolve("www"), Nginx.Setup.DEFAULT.directives("""
                gzip_static always;
                location /br/ {
                  add_header Content-Encoding br;
                }
                """));
        cacheRoot = tmp.resolve("cache");
        cache = new TestCache(cacheRoot);
    }

    @AfterEach
    void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void theDecodedFileIsStoredAndMatchesTheChecksumFile() throws Exception {
        Path out = tmp.resolve("disk.img");
        Cli.Run run = cache.quietGet("--checksums", nginx.url("/images/SHA256SUMS").toString(), "-o", out.toString(),
                nginx.url("/images/disk.img").toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertArrayEquals(IMAGE, Files.readAllBytes(out));
        assertArrayEquals(IMAGE, Files.readAllBytes(cache.blob(Hashes.sha256Hex(IMAGE))));
        assertTrue(run.stderr().contains("was sent gzip-compressed (Content-Encoding: gzip)"), run.toString());
        List<AccessLogEntry> log = nginx.awaitAccessLog(2, Duration.ofSeconds(10));
        assertEquals(200, log.get(1).status());
        assertTrue(log.get(1).bodyBytesSent() != IMAGE.length, "nginx sent the .gz: " + log);
    }

    /**
     * nginx answers the first range hoard asks for over several connections with all of the .gz (gzip_static does
     * not serve ranges): one response, decoded on one connection, never split. (A server that does send compressed
     * ranges falls back to one request for all of it: EncodedResponsesTest.)
     */
    @Test
    void overSeveralConnectionsTheCompressedFileIsOneDownloadOnOneConnection() throws Exception {
        Path out = tmp.resolve("disk.img");
        Cli.Run run = cache.quietGet("--connections", "2", "-d", "sha256:" + Hashes.sha256Hex(IMAGE),
                "-o", out.toString(), nginx.url("/images/disk.img").toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertArrayEquals(IMAGE, Files.readAllBytes(out));
        List<AccessLogEntry> log = nginx.awaitAccessLog(1, Duration.ofSeconds(10));
        assertEquals("bytes=0-1048575", log.getFirst().range(), log.toString());
        assertEquals(200, log.getFirst().status(), log.toString());
        assertEquals(1, log.size(), log.toString());
    }

    @Test
    void anEncodingThatCannotBeDecodedIsRefusedAndLeavesNoTrace() {
        assertEquals(0, cache.quietGet(nginx.url("/images/SHA256SUMS").toString()).exitCode());
        List<String> before = cache.tree();
        Cli.Run run = cache.quietGet(nginx.url("/br/disk.img").toString());

        assertEquals(4, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("came with Content-Encoding: br, which cannot be decoded"), run.toString());
        assertEquals(2, nginx.awaitAccessLog(2, Duration.ofSeconds(10)).size(), "not retried");
        assertEquals(before, cache.tree());
    }
}
