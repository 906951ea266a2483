package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.internal.json.Json;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Fault;
import dev.hoard.testing.FetchMode;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.InEveryFetchMode;
import dev.hoard.testing.RecordedRequest;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What the origin can do wrong, one case at a time, against an in-process fault-injecting server. */
@ExtendWith(CacheInvariants.class)
class FaultsTest {
    private static final int SIZE = 400_000;
    private static final byte[] BODY = TestBytes.random(SIZE, 3);
    private static final Digest SHA256 = Hashes.sha256(BODY);

    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    private TestHttpServer server;
    private Hoard hoard;
    private URI url;
    private final List<String> retries = new ArrayList<>();
    private final List<Long> resumedAt = new ArrayList<>();
    private final FetchListener recorder = new FetchListener() {
        @Override
        public void retrying(URI u, int attempt, Duration delay, String reason) {
            retries.add(delay.toMillis() + "ms " + reason);
        }

        @Override
        public void resumed(URI u, long offset, long total) {
            resumedAt.add(offset);
        }
    };

    @BeforeEach
    void start() throws IOException {
        server = TestHttpServer.start();
        server.put("/f.img", BODY);
        url = server.url("/f.img");
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        if (hoard != null) {
            hoard.close();
        }
    }

    /** Three quick retries, and a stall is noticed after 0.7 s. */
    private Hoard open(FetchMode mode) throws IOException {
        return Hoard.open(mode.applyTo(HoardOptions.of(cache).retries(3).retryDelay(Duration.ofMillis(10))
                .readTimeout(Duration.ofMillis(700))));
    }

    private FetchResult fetch(FetchRequest request) throws Exception {
        return hoard.fetch(request, recorder);
    }

    @InEveryFetchMode
    void aBodyDroppedMidwayIsResumedWithRangeAndIfRange(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.enqueue("/f.img", Fault.dropAfter(150_000));

        FetchResult r = fetch(FetchRequest.of(url));
        assertEquals(SHA256, r.digest());
        assertEquals(List.of(150_000L), resumedAt);
        RecordedRequest second = server.requests().get(1);
        assertEquals("bytes=150000-", second.header("Range"));
        assertEquals(TestHttpServer.etag(BODY), second.header("If-Range"));
        assertEquals(SIZE, server.bodyBytesSent("/f.img"), "nothing was sent twice");
        assertEquals(SIZE, r.bytesTransferred());
    }

    @InEveryFetchMode
    void aLargeBodyDroppedMidwayIsResumedWithinItsSegmentOrToTheEnd(FetchMode mode) throws Exception {
        hoard = open(mode);
        byte[] big = TestBytes.random(4 << 20, 13);
        server.put("/big.img", big);
        server.enqueue("/big.img", Fault.dropAfter(150_000)); // the first request, which also serves segment 0

        FetchResult r = fetch(FetchRequest.of(server.url("/big.img")));

        assertEquals(Hashes.sha256(big), r.digest());
        String resumption = mode.connections() == 4 ? "bytes=150000-1048575" : "bytes=150000-";
        assertTrue(server.requests().stream().anyMatch(q -> resumption.equals(q.header("Range"))
                && TestHttpServer.etag(big).equals(q.header("If-Range"))), server.requests().toString());
        assertEquals(big.length, server.bodyBytesSent("/big.img"), "nothing was sent twice");
    }

    @InEveryFetchMode
    void aStalledConnectionIsDetectedByTheReadTimeoutAndResumed(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.enqueue("/f.img", Fault.stallAfter(100_000));

        assertEquals(SHA256, fetch(FetchRequest.of(url)).digest());
        assertEquals(List.of(100_000L), resumedAt);
        assertEquals(1, retries.size(), retries.toString());
    }

    @InEveryFetchMode
    void a503WithRetryAfterIsRetriedAfterTheServersDelay(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.enqueue("/f.img", Fault.status(503, "Retry-After", "1"));

        assertEquals(SHA256, fetch(FetchRequest.of(url)).digest());
        assertEquals(1, retries.size());
        assertTrue(retries.get(0).startsWith("1000ms HTTP 503"), retries.toString());
    }

    @InEveryFetchMode
    void aServerThatIgnoresRangeMakesTheDownloadStartOver(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.enqueue("/f.img", Fault.dropAfter(200_000));
        server.enqueue("/f.img", Fault.ignoreRange());

        FetchResult r = fetch(FetchRequest.of(url).output(tmp.resolve("out")));
        assertArrayEquals(BODY, Files.readAllBytes(tmp.resolve("out")));
        assertEquals(List.of(), resumedAt, "a 200 to a Range request is a new body, not a continuation");
        assertEquals(SIZE + 200_000, server.bodyBytesSent("/f.img"));
        assertEquals(SHA256, r.digest());
    }

    @InEveryFetchMode
    void aBodyShorterThanItsContentLengthIsRetriedAndNeverPublished(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.always("/f.img", Fault.wrongLength(SIZE + 1000));

        DownloadException e = assertThrows(DownloadException.class, () -> fetch(FetchRequest.of(url)));
        assertTrue(e.getMessage().contains("gave up after 3 retries"), e.getMessage());
        assertNothingPublished();
        assertPartialsKeptOnlyToResume(mode);
    }

    @InEveryFetchMode
    void aBodyLongerThanItsContentLengthIsNeverPublished(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.always("/f.img", Fault.wrongLength(SIZE - 1000));

        assertThrows(DownloadException.class, () -> fetch(FetchRequest.of(url).digest(SHA256)));
        assertNothingPublished();
    }

    @InEveryFetchMode
    void aRedirectLoopFailsWithoutRetrying(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.redirectLoop("/a", "/b");

        DownloadException e = assertThrows(DownloadException.class,
                () -> fetch(FetchRequest.of(server.url("/a"))));
        assertTrue(e.getMessage().contains("too many redirects"), e.getMessage());
        assertTrue(server.requests().size() <= 12, "bounded: " + server.requests().size());
        assertEquals(List.of(), retries);
    }

    @InEveryFetchMode
    void clientErrorsFailAtOnceWithTheirStatus(FetchMode mode) throws Exception {
        hoard = open(mode);
        for (int status : new int[] {403, 404, 410}) {
            server.resetRecords();
            server.enqueue("/f.img", Fault.status(status));
            DownloadException e = assertThrows(DownloadException.class, () -> fetch(FetchRequest.of(url)));
            assertEquals(status, e.httpStatus());
            assertEquals(1, server.requests().size(), "no retry for " + status);
        }
        assertNothingPublished();
    }

    @InEveryFetchMode
    void serverErrorsAreRetriedThenReported(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.always("/f.img", Fault.status(500));

        DownloadException e = assertThrows(DownloadException.class, () -> fetch(FetchRequest.of(url)));
        assertEquals(500, e.httpStatus());
        assertEquals(4, server.requests().size(), "the first attempt and 3 retries");
    }

    @InEveryFetchMode
    void attemptsThatMakeProgressDoNotUseUpTheRetryBudget(FetchMode mode) throws Exception {
        hoard = open(mode);
        for (int i = 1; i <= 6; i++) {
            server.enqueue("/f.img", Fault.dropAfter(50_000));
        }

        assertEquals(SHA256, fetch(FetchRequest.of(url)).digest());
        assertEquals(6, resumedAt.size(), "six drops, six resumptions, with only 3 retries allowed");
        assertEquals(SIZE, server.bodyBytesSent("/f.img"));
    }

    @InEveryFetchMode
    void mirrorsAreTriedInOrderWhenTheUrlFails(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.put("/mirror1/f.img", BODY);
        server.put("/mirror2/f.img", BODY);
        server.always("/f.img", Fault.status(404));
        server.always("/mirror1/f.img", Fault.status(503));

        FetchResult r = fetch(FetchRequest.of(url).mirrors(List.of(server.url("/mirror1/f.img"),
                server.url("/mirror2/f.img"))));
        assertEquals(FetchStatus.DOWNLOADED, r.status());
        assertEquals(SHA256, r.digest());
        assertEquals(url, r.url());
        assertEquals(1, server.requestCount("/f.img"));
        assertEquals(4, server.requestCount("/mirror1/f.img"));
        assertEquals(1, server.fullBodyCount("/mirror2/f.img"));
    }

    @InEveryFetchMode
    void withADigestADownloadResumesOnAMirror(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.put("/mirror/f.img", BODY, Instant.parse("2020-01-01T00:00:00Z"), "application/octet-stream",
                "\"another-etag\"");
        server.enqueue("/f.img", Fault.dropAfter(100_000));
        server.always("/f.img", Fault.status(404));

        FetchResult r = fetch(FetchRequest.of(url).digest(SHA256).mirrors(List.of(server.url("/mirror/f.img"))));
        assertEquals(SHA256, r.digest());
        assertEquals(List.of(100_000L), resumedAt);
        assertEquals("bytes=100000-", server.requests().get(2).header("Range"));
        assertNull(server.requests().get(2).header("If-Range"), "another server's validators do not apply");
    }

    @InEveryFetchMode
    void aChangedRemoteDuringResumeStartsOverAndPublishesTheNewFile(FetchMode mode) throws Exception {
        hoard = open(mode);
        byte[] replaced = TestBytes.random(SIZE, 4);
        server.enqueue("/f.img", Fault.dropAfter(120_000));
        FetchListener replaceOnRetry = new FetchListener() {
            @Override
            public void retrying(URI u, int attempt, Duration delay, String reason) {
                server.put("/f.img", replaced);
            }
        };

        FetchResult r = hoard.fetch(FetchRequest.of(url).output(tmp.resolve("out")), replaceOnRetry);
        assertArrayEquals(replaced, Files.readAllBytes(tmp.resolve("out")));
        assertEquals(Hashes.sha256(replaced), r.digest());
        assertEquals(200, server.requests().get(1).status(), "If-Range did not match: a whole new body");
    }

    @InEveryFetchMode
    void aSymlinkPlantedAtTheBlobPathIsReplacedNotFollowed(FetchMode mode) throws Exception {
        hoard = open(mode);
        Path victim = tmp.resolve("victim.txt");
        Files.writeString(victim, "precious");
        Path blobs = Files.createDirectories(tmp.resolve("cache/blobs"));
        Files.createSymbolicLink(blobs.resolve(SHA256.hex()), victim);

        FetchResult r = fetch(FetchRequest.of(url).digest(SHA256));
        assertEquals(FetchStatus.DOWNLOADED, r.status(), "a symlink is not a stored blob");
        assertEquals("precious", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(blobs.resolve(SHA256.hex())));
        assertArrayEquals(BODY, Files.readAllBytes(blobs.resolve(SHA256.hex())));
    }

    @InEveryFetchMode
    void aSymlinkPlantedAsMetadataIsNotTrusted(FetchMode mode) throws Exception {
        hoard = open(mode);
        Path victim = tmp.resolve("victim.json");
        Files.writeString(victim, "{\"not\": \"metadata\"}");
        fetch(FetchRequest.of(url));
        Path meta = Files.list(tmp.resolve("cache/entries")).findFirst().orElseThrow().resolve("meta.json");
        Files.delete(meta);
        Files.createSymbolicLink(meta, victim);

        assertEquals(FetchStatus.DOWNLOADED, fetch(FetchRequest.of(url)).status());
        assertEquals("{\"not\": \"metadata\"}", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(meta));
    }

    private void assertNothingPublished() {
        assertEquals(List.of(), publishedBlobs());
    }

    private List<String> publishedBlobs() {
        return blobs().filter(n -> !n.startsWith(".")).toList();
    }

    /**
     * A failed download keeps its partial only where file locks make adopting it safe, and only if it holds bytes to
     * resume that the entry's partial.json describes (a last attempt that had to start over leaves none: whether it
     * did depends on timing, so the rule is asserted, not a count).
     */
    private void assertPartialsKeptOnlyToResume(FetchMode mode) throws IOException {
        List<String> kept = partials();
        if (!mode.fileLocks()) {
            assertEquals(List.of(), kept, "without file locks no partial is kept for a next holder");
            return;
        }
        List<String> described = describedPartials();
        for (String partial : kept) {
            assertTrue(Files.size(cache.resolve("blobs").resolve(partial)) > 0, "a kept partial is not empty: "
                    + partial);
            assertTrue(described.contains(partial), "a kept partial is described by partial.json: " + partial
                    + " (described: " + described + ")");
        }
    }

    /** The partial files the entries' partial.json records name. */
    private List<String> describedPartials() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(cache.resolve("entries"))) {
            for (Path record : entries.map(e -> e.resolve("partial.json")).filter(Files::isRegularFile).toList()) {
                names.add((String) Json.parseObject(Files.readString(record)).get("file"));
            }
        }
        return names;
    }

    private List<String> partials() {
        return blobs().filter(n -> n.startsWith(".partial-")).toList();
    }

    private Stream<String> blobs() {
        try (Stream<Path> files = Files.list(cache.resolve("blobs"))) {
            return files.map(p -> p.getFileName().toString()).toList().stream();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
