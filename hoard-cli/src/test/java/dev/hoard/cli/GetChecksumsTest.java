package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.RecordedRequest;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoard get --checksums}: the digest comes from the publisher's SHA256SUMS-style file. */
@ExtendWith(CacheInvariants.class)
class GetChecksumsTest {
    private static final String IMAGE = "noble-server-cloudimg-amd64.img";
    private static final byte[] BODY = TestBytes.random(200_000, 7);
    private static final String SHA256 = Hashes.sha256Hex(BODY);
    private static final String SHA512 = Hashes.sha512Hex(BODY);
    private static final String OTHER = "0123456789abcdef".repeat(4);

    @TempDir
    Path tmp;

    @CacheDir
    Path cacheRoot;

    private TestHttpServer server;
    private String imageUrl;
    private TestCache cache;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/noble/current/" + IMAGE, BODY);
        imageUrl = server.url("/noble/current/" + IMAGE).toString();
        cacheRoot = tmp.resolve("cache");
        cache = new TestCache(cacheRoot);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void ubuntusSha256SumsGiveTheDigestAndASecondGetSendsNoImageRequest() throws Exception {
        // The format of cloud-images.ubuntu.com/noble/current/SHA256SUMS: binary-mode lines, bare names.
        String sumsUrl = serveSums("/noble/current/SHA256SUMS", OTHER + " *noble-server-cloudimg-amd64.vmdk\n"
                + SHA256 + " *" + IMAGE + "\n" + OTHER + " *noble-server-cloudimg-arm64.img\n");

        Cli.Run first = cache.quietGet("--json", "--checksums", sumsUrl, "-o", tmp.resolve("a.img").toString(),
                imageUrl);
        assertEquals(0, first.exitCode(), first.toString());
        assertTrue(first.stdout().startsWith("{\"status\":\"downloaded\""), first.stdout());
        assertTrue(first.stdout().contains("\"digest\":\"sha256:" + SHA256 + "\""), first.stdout());
        assertEquals(SHA256, Hashes.sha256Hex(Files.readAllBytes(tmp.resolve("a.img"))));

        server.resetRecords();
        Cli.Run second = cache.quietGet("--json", "--checksums", sumsUrl, "-o", tmp.resolve("b.img").toString(),
                imageUrl);
        assertEquals(0, second.exitCode(), second.toString());
        assertTrue(second.stdout().startsWith("{\"status\":\"used-cache\""), second.stdout());
        assertEquals(0, server.requestCount("/noble/current/" + IMAGE), server.requests().toString());
        // The checksum file itself is revalidated: one conditional request, answered 304.
        List<RecordedRequest> sumsRequests = server.requests();
        assertEquals(1, sumsRequests.size(), sumsRequests.toString());
        assertEquals(304, sumsRequests.getFirst().status());
        assertTrue(sumsRequests.getFirst().header("If-None-Match") != null, sumsRequests.toString());
    }

    @Test
    void offlineACachedChecksumFileAndImageAnswerWithNoRequestAtAll() {
        String sumsUrl = serveSums("/SHA256SUMS", SHA256 + "  " + IMAGE + "\n");
        assertEquals(0, cache.quietGet("--checksums", sumsUrl, imageUrl).exitCode());
        server.resetRecords();

        Cli.Run offline = cache.quietGet("--offline", "--json", "--checksums", sumsUrl, imageUrl);

        assertEquals(0, offline.exitCode(), offline.toString());
        assertTrue(offline.stdout().contains("\"digest\":\"sha256:" + SHA256 + "\""), offline.stdout());
        assertEquals(List.of(), server.requests());
    }

    @Test
    void offlineWithAChecksumFileNeverFetchedExitsSixNamingIt() {
        String sumsUrl = serveSums("/SHA256SUMS", SHA256 + "  " + IMAGE + "\n");

        Cli.Run run = cache.quietGet("--offline", "--checksums", sumsUrl, imageUrl);

        assertEquals(6, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains(sumsUrl), run.stderr());
        assertEquals(List.of(), server.requests());
    }

    @Test
    void theListedDigestIsEnforcedAWrongOneExitsThreeAndCachesNothing() throws Exception {
        String sumsUrl = serveSums("/SHA256SUMS", OTHER + "  " + IMAGE + "\n");
        Path out = tmp.resolve("out.img");

        Cli.Run run = cache.quietGet("--checksums", sumsUrl, "-o", out.toString(), imageUrl);

        assertEquals(3, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("sha256:" + OTHER) && run.stderr().contains("sha256:" + SHA256),
                run.stderr());
        assertFalse(Files.exists(out));
        assertEquals(1, blobCount(), "only the checksum file is cached");
    }

    @Test
    void bsdStyleTagsAreRead() {
        String sumsUrl = serveSums("/CHECKSUM", "# signed by the release key\nSHA256 (" + IMAGE + ") = " + SHA256
                + "\n");

        Cli.Run run = cache.quietGet("--json", "--checksums", sumsUrl, imageUrl);

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stdout().contains("\"digest\":\"sha256:" + SHA256 + "\""), run.stdout());
    }

    @Test
    void sha512SumsInGnuAndBsdStyleAreVerifiedWithSha512() {
        String gnu = serveSums("/SHA512SUMS", SHA512 + " *" + IMAGE + "\n");
        String wrongBsd = serveSums("/bad/SHA512SUMS", "SHA512 (" + IMAGE + ") = " + "f".repeat(128) + "\n");

        Cli.Run bad = cache.quietGet("--checksums", wrongBsd, imageUrl);
        assertEquals(3, bad.exitCode(), bad.toString());
        assertTrue(bad.stderr().contains("sha512:" + "f".repeat(128)) && bad.stderr().contains("sha512:" + SHA512),
                bad.stderr());

        Cli.Run good = cache.quietGet("--json", "--checksums", gnu, imageUrl);
        assertEquals(0, good.exitCode(), good.toString());
        assertTrue(good.stdout().startsWith("{\"status\":\"downloaded\""), good.stdout());
    }

    @Test
    void dotSlashNamesAndNamesWithDirectoriesMatchTheUrlsFileName() {
        String dotSlash = serveSums("/a/SHA256SUMS", OTHER + "  ./other.img\n" + SHA256 + "  ./" + IMAGE + "\n");
        String withDirs = serveSums("/b/SHA256SUMS", OTHER + "  arm64/" + IMAGE + "\n" + SHA256 + "  current/"
                + IMAGE + "\n");

        assertEquals(0, cache.quietGet("--checksums", dotSlash, imageUrl).exitCode());
        Cli.Run run = cache.quietGet("--json", "--checksums", withDirs, imageUrl);
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stdout().contains("sha256:" + SHA256), run.stdout());
    }

    @Test
    void aFileTheChecksumFileDoesNotListExitsThreeNamingBothAndDownloadsNothing() {
        String sumsUrl = serveSums("/SHA256SUMS", OTHER + "  jammy-server-cloudimg-amd64.img\n");
        Path out = tmp.resolve("out.img");

        Cli.Run run = cache.quietGet("--checksums", sumsUrl, "-o", out.toString(), imageUrl);

        assertEquals(3, run.exitCode(), run.toString());
        assertEquals("hoard: " + sumsUrl + " lists no checksum for '" + IMAGE
                + "' (it lists 1 file: jammy-server-cloudimg-amd64.img)\n", run.stderr());
        assertEquals(0, server.requestCount("/noble/current/" + IMAGE));
        assertFalse(Files.exists(out));
    }

    @Test
    void aChecksumFileThatIsMissingExitsFourAndTheImageIsNotRequested() {
        Cli.Run run = cache.quietGet("--checksums", server.url("/SHA256SUMS").toString(), imageUrl);

        assertEquals(4, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("HTTP 404") && run.stderr().contains("/SHA256SUMS"), run.stderr());
        assertEquals(0, server.requestCount("/noble/current/" + IMAGE));
    }

    @Test
    void swappedUrlsAreCaughtByTheSizeOfTheChecksumFileBeforeAnythingIsCached() throws Exception {
        server.put("/big/disk.img", new byte[2 << 20]);
        String sumsUrl = serveSums("/big/SHA256SUMS", OTHER + "  disk.img\n");
        String bigUrl = server.url("/big/disk.img").toString();

        Cli.Run run = cache.quietGet("--checksums", bigUrl, sumsUrl);

        assertEquals(3, run.exitCode(), run.toString());
        assertEquals("hoard: " + bigUrl + " is 2097152 bytes, too large for a checksum file (at most 1048576); is "
                + "it really one, or are the two URLs swapped?\n", run.stderr());
        assertEquals(0, blobCount(), "the large file was abandoned, not cached");
        assertEquals(0, server.requestCount("/big/SHA256SUMS"));
    }

    @Test
    void aLocalChecksumFileIsReadInPlace() throws Exception {
        Path sums = tmp.resolve("SHA256SUMS");
        Files.writeString(sums, SHA256 + "  " + IMAGE + "\n");

        Cli.Run byPath = cache.quietGet("--json", "--checksums", sums.toString(), imageUrl);
        Cli.Run byUrl = cache.quietGet("--json", "--checksums", sums.toUri().toString(), imageUrl);

        assertEquals(0, byPath.exitCode(), byPath.toString());
        assertEquals(0, byUrl.exitCode(), byUrl.toString());
        assertTrue(byUrl.stdout().startsWith("{\"status\":\"used-cache\""), byUrl.stdout());
    }

    @Test
    void anAgreeingDigestIsFineAConflictingOneIsAUsageError() {
        String sumsUrl = serveSums("/SHA256SUMS", SHA256 + "  " + IMAGE + "\n");

        Cli.Run agree = cache.quietGet("-d", "sha256:" + SHA256, "--checksums", sumsUrl, imageUrl);
        assertEquals(0, agree.exitCode(), agree.toString());

        Cli.Run conflict = cache.quietGet("-d", "sha256:" + OTHER, "--checksums", sumsUrl, imageUrl);
        assertEquals(2, conflict.exitCode(), conflict.toString());
        assertTrue(conflict.stderr().contains("conflicts with sha256:" + SHA256), conflict.stderr());
    }

    @Test
    void withNoCacheTheChecksumFileBypassesTheCacheToo() throws Exception {
        String sumsUrl = serveSums("/SHA256SUMS", SHA256 + "  " + IMAGE + "\n");
        Path out = tmp.resolve("direct/out.img");

        Cli.Run run = cache.quietGet("--no-cache", "--checksums", sumsUrl, "-o", out.toString(), imageUrl);

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(SHA256, Hashes.sha256Hex(Files.readAllBytes(out)));
        assertEquals(0, blobCount());
        try (Stream<Path> files = Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList(), "no temp file is left beside the output");
        }
    }

    @Test
    void helpExplainsChecksumsAndDecompression() {
        Cli.Run help = Cli.run("get", "--help");

        assertEquals(0, help.exitCode());
        assertTrue(help.stdout().contains("--checksums=URL") && help.stdout().contains("SHA256 (NAME) = HEX"),
                help.stdout());
        assertTrue(help.stdout().contains("--decompress") && help.stdout().contains("apply to the compressed bytes"),
                help.stdout());
    }

    private String serveSums(String path, String text) {
        server.put(path, text.getBytes(StandardCharsets.UTF_8));
        return server.url(path).toString();
    }

    private long blobCount() throws Exception {
        Path blobs = tmp.resolve("cache/blobs");
        if (!Files.isDirectory(blobs)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(blobs)) {
            return files.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
    }
}
