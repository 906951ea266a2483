package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Compressed;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.TestHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@link FetchRequest#decompress} and {@link FetchRequest#checksums} through the library's API. */
@ExtendWith(CacheInvariants.class)
class DecompressAndChecksumsTest {
    /** Three MiB: enough for several progress calls (about one per MiB). */
    private static final byte[] LARGE = Compressed.sampleContent(3 << 20, 5);
    private static final byte[] CONTENT = Compressed.sampleContent(300_000, 6);

    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    private TestHttpServer server;
    private Hoard hoard;

    @BeforeEach
    void start() throws IOException {
        server = TestHttpServer.start();
        cache = tmp.resolve("cache");
        hoard = Hoard.open(cache);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void concatenatedStreamsAreDecompressedWholeInEveryFormat() throws Exception {
        byte[] first = Compressed.sampleContent(100_000, 1);
        byte[] second = Compressed.sampleContent(50_000, 2);
        for (Compressed format : Compressed.values()) {
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.writeBytes(format.compress(first));
            both.writeBytes(format.compress(second));
            server.put("/joined" + format.extension(), both.toByteArray());
            Path out = tmp.resolve("joined-" + format.label());

            hoard.fetch(FetchRequest.of(server.url("/joined" + format.extension())).decompress(true).output(out));

            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes(first);
            expected.writeBytes(second);
            assertArrayEquals(expected.toByteArray(), Files.readAllBytes(out), format.label());
        }
    }

    @Test
    void theListenerSeesTheDownloadThenTheDecompressionThenOneFinish() throws Exception {
        byte[] compressed = Compressed.GZIP.compress(LARGE);
        server.put("/disk.img.gz", compressed);
        URI url = server.url("/disk.img.gz");
        Path out = tmp.resolve("disk.img");
        List<String> events = new CopyOnWriteArrayList<>();
        List<long[]> progress = new CopyOnWriteArrayList<>();

        FetchResult result = hoard.fetch(FetchRequest.of(url).decompress(true).output(out), new FetchListener() {
            @Override
            public void started(URI u, long totalBytes) {
                events.add("started " + totalBytes);
            }

            @Override
            public void decompressionStarted(URI u, String format, long compressedBytes) {
                events.add("decompressionStarted " + format + " " + compressedBytes);
            }

            @Override
            public void decompressionProgress(URI u, long read, long total, long written) {
                progress.add(new long[] {read, total, written});
            }

            @Override
            public void finished(FetchResult r) {
                events.add("finished " + r.status().label() + " " + r.path());
            }
        });

        assertEquals(List.of("started " + compressed.length, "decompressionStarted gzip " + compressed.length,
                "finished downloaded " + out), events);
        assertTrue(progress.size() >= 3, "about one call per MiB written: " + progress.size());
        assertArrayEquals(new long[] {compressed.length, compressed.length, LARGE.length}, progress.getLast());
        assertEquals(out, result.path());
        assertEquals(compressed.length, result.size(), "the result describes the compressed download");
        assertArrayEquals(compressed, Files.readAllBytes(result.cachePath()));
        assertArrayEquals(LARGE, Files.readAllBytes(out));
    }

    @Test
    void aChecksumFileGivesTheDigestThroughTheApi() throws Exception {
        byte[] compressed = Compressed.XZ.compress(CONTENT);
        server.put("/disk.img.xz", compressed);
        server.put("/SHA256SUMS", (Hashes.sha256Hex(compressed) + "  disk.img.xz\n").getBytes(StandardCharsets.UTF_8));
        FetchRequest request = FetchRequest.of(server.url("/disk.img.xz")).checksums(server.url("/SHA256SUMS"));

        FetchResult first = hoard.fetch(request);
        server.resetRecords();
        FetchResult offline = hoard.fetch(request.offline(true));

        assertEquals(FetchStatus.DOWNLOADED, first.status());
        assertEquals(FetchStatus.USED_CACHE, offline.status());
        assertEquals(first.digest(), offline.digest());
        assertEquals(List.of(), server.requests());
    }

    @Test
    void aChecksumFileThatDoesNotListTheFileIsATypedFailure() {
        server.put("/disk.img", CONTENT);
        server.put("/SHA256SUMS", ("a".repeat(64) + "  other.img\n").getBytes(StandardCharsets.UTF_8));

        ChecksumFileException e = assertThrows(ChecksumFileException.class, () -> hoard.fetch(
                FetchRequest.of(server.url("/disk.img")).checksums(server.url("/SHA256SUMS"))));

        assertEquals(server.url("/disk.img"), e.url());
        assertEquals("disk.img", e.fileName());
        assertEquals(server.url("/SHA256SUMS"), e.checksumsUrl());
        assertEquals(0, server.requestCount("/disk.img"));
    }

    @Test
    void corruptDataIsATypedFailureNamingTheFormat() {
        server.put("/disk.img.bz2", Compressed.truncated(Compressed.BZIP2.compress(CONTENT), 0.5));
        Path out = tmp.resolve("disk.img");

        DecompressionException e = assertThrows(DecompressionException.class, () -> hoard.fetch(
                FetchRequest.of(server.url("/disk.img.bz2")).decompress(true).output(out)));

        assertEquals("bzip2", e.format());
        assertEquals(server.url("/disk.img.bz2"), e.url());
        assertTrue(Files.notExists(out));
    }

    @Test
    void unrecognisedContentIsATypedFailureWithoutAFormat() {
        server.put("/disk.img", CONTENT);

        DecompressionException e = assertThrows(DecompressionException.class, () -> hoard.fetch(
                FetchRequest.of(server.url("/disk.img")).decompress(true).output(tmp.resolve("out"))));

        assertNull(e.format());
    }
}
