package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Compressed;
import dev.hoard.testing.Fault;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.RecordedRequest;
import dev.hoard.testing.TestHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers that compress although hoard asks for {@code Accept-Encoding: identity}: the decoded bytes are the file,
 * never the encoded ones, and an encoding that cannot be decoded is refused before anything is stored. (The same
 * against a real nginx: NginxGzipStaticTest.)
 */
@ExtendWith(CacheInvariants.class)
class EncodedResponsesTest {
    private static final byte[] BODY = Compressed.sampleContent(600_000, 11);
    private static final Digest SHA256 = Hashes.sha256(BODY);

    @TempDir
    Path tmp;

    @CacheDir
    Path cacheRoot;

    private TestHttpServer server;
    private URI url;
    private final List<String> warnings = new ArrayList<>();
    private final FetchListener listener = new FetchListener() {
        @Override
        public void warning(URI u, String message) {
            warnings.add(message);
        }
    };

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        url = server.url("/disk.img");
        cacheRoot = tmp.resolve("cache");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Hoard open(HoardOptions options) throws IOException {
        return Hoard.open(options.retries(3).retryDelay(Duration.ofMillis(10)));
    }

    private FetchResult fetch(FetchRequest request) throws Exception {
        return open(HoardOptions.of(cacheRoot)).fetch(request, listener);
    }

    @Test
    void aGzipEncodedBodyIsStoredDecodedWithAWarning() throws Exception {
        server.putEncoded("/disk.img", Compressed.GZIP.compress(BODY), "gzip");

        FetchResult r = fetch(FetchRequest.of(url).digest(SHA256).output(tmp.resolve("disk.img")));

        assertEquals(SHA256, r.digest(), "the digest is the decoded file's, as SHA256SUMS lists it");
        assertArrayEquals(BODY, Files.readAllBytes(tmp.resolve("disk.img")));
        assertArrayEquals(BODY, Files.readAllBytes(r.cachePath()));
        assertEquals(BODY.length, r.size());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains("gzip-compressed (Content-Encoding: gzip)"), warnings.toString());
    }

    @Test
    void deflateIsDecodedWhetherZlibWrappedOrRaw() throws Exception {
        server.putEncoded("/disk.img", deflate(BODY, false), "deflate");
        server.putEncoded("/raw.img", deflate(BODY, true), "deflate");

        assertEquals(SHA256, fetch(FetchRequest.of(url)).digest());
        assertEquals(SHA256, fetch(FetchRequest.of(server.url("/raw.img"))).digest());
    }

    @Test
    void anEncodingThatCannotBeDecodedFailsAtOnceAndStoresNothing() throws InterruptedException {
        server.putEncoded("/disk.img", BODY, "br");

        DownloadException e = assertThrows(DownloadException.class, () -> fetch(FetchRequest.of(url)));

        assertTrue(e.getMessage().contains("Content-Encoding: br, which cannot be decoded"), e.getMessage());
        // hoard gives up on the headers, so the server may still be writing the body, and recording the exchange,
        // when fetch returns: wait for that record, then for a second (a retry would have been sent before the
        // return, so its record follows within moments).
        assertNotNull(server.takeRequest(Duration.ofSeconds(10)), "the request was recorded");
        assertNull(server.takeRequest(Duration.ofMillis(500)), "a permanent failure is not retried");
        assertEquals(List.of(), files(cacheRoot.resolve("blobs")));
        assertEquals(List.of(), files(cacheRoot.resolve("entries")));
    }

    @Test
    void aCutEncodedBodyStartsOverFromByteZeroInsteadOfResuming() throws Exception {
        byte[] gzip = Compressed.GZIP.compress(BODY);
        server.putEncoded("/disk.img", gzip, "gzip");
        server.enqueue("/disk.img", Fault.dropAfter(gzip.length / 2));

        FetchResult r = fetch(FetchRequest.of(url));

        assertEquals(SHA256, r.digest());
        List<RecordedRequest> requests = server.requests();
        assertEquals(2, requests.size());
        assertNull(requests.get(1).header("Range"), "decoded bytes are not the encoded stream's: no range");
    }

    @Test
    void aCutEncodedBodyLeavesNoPartialForAnotherProcessToResume() throws Exception {
        byte[] gzip = Compressed.GZIP.compress(BODY);
        server.putEncoded("/disk.img", gzip, "gzip");
        server.always("/disk.img", Fault.dropAfter(gzip.length / 2));

        assertThrows(DownloadException.class, () -> fetch(FetchRequest.of(url)));

        assertEquals(List.of(), files(cacheRoot.resolve("blobs")), "no partial is kept");
        assertEquals(List.of(), files(cacheRoot.resolve("entries")));
    }

    @Test
    void withSeveralConnectionsAnEncodedRangeFallsBackToOneRequestForAllOfIt() throws Exception {
        byte[] large = Compressed.sampleContent(3_000_000, 12);
        server.putEncoded("/disk.img", Compressed.GZIP.compress(large), "gzip");

        FetchResult r = open(HoardOptions.of(cacheRoot).connections(3))
                .fetch(FetchRequest.of(url).digest(Hashes.sha256(large)), listener);

        assertEquals(Hashes.sha256(large), r.digest());
        // Each exchange is recorded at its last write, and the abandoned ranged response may still be sending into
        // the socket's buffers when the request for all of it has finished: compare the two as a set, not in order.
        List<RecordedRequest> requests = server.requests();
        assertEquals(2, requests.size(), requests.toString());
        List<String> ranges = requests.stream().map(q -> String.valueOf(q.header("Range"))).sorted().toList();
        assertEquals(List.of("bytes=0-1048575", "null"), ranges, requests.toString());
    }

    @Test
    void aDownloadThatWasEncodedIsRevalidatedByItsEtag() throws Exception {
        byte[] gzip = Compressed.GZIP.compress(BODY);
        server.putEncoded("/disk.img", gzip, "gzip");
        fetch(FetchRequest.of(url));

        FetchResult again = fetch(FetchRequest.of(url));

        assertEquals(FetchStatus.USED_CACHE, again.status());
        assertEquals(TestHttpServer.etag(gzip), server.requests().get(1).header("If-None-Match"));
        assertEquals(SHA256, again.digest());
    }

    private static byte[] deflate(byte[] data, boolean raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflater = new DeflaterOutputStream(out, new Deflater(6, raw))) {
            deflater.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static List<String> files(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
