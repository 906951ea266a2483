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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library against an in-process origin: each behaviour Lima's downloader tests check, plus content addressing,
 * offline mode and corrupt metadata.
 */
@ExtendWith(CacheInvariants.class)
class FetchTest {
    private static final byte[] BODY = TestBytes.random(300_000, 1);
    private static final Digest BODY_SHA256 = Hashes.sha256(BODY);

    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    private TestHttpServer server;
    private Hoard hoard;
    private URI url;

    @BeforeEach
    void start() throws IOException {
        server = TestHttpServer.start();
        server.put("/disk.img", BODY, Instant.parse("2025-03-01T10:00:00Z"), "application/x-qemu-disk");
        url = server.url("/disk.img");
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        if (hoard != null) {
            hoard.close();
        }
    }

    private Hoard open(FetchMode mode) throws IOException {
        return Hoard.open(mode.applyTo(HoardOptions.of(cache)));
    }

    @InEveryFetchMode
    void withoutCacheAndWithoutDigestDownloadsThenSkipsTheExistingOutput(FetchMode mode) throws Exception {
        hoard = open(mode);
        Path out = tmp.resolve("out.img");
        FetchRequest request = FetchRequest.of(url).output(out).noCache(true);

        assertEquals(FetchStatus.DOWNLOADED, hoard.fetch(request).status());
        assertArrayEquals(BODY, Files.readAllBytes(out));
        assertEquals(FetchStatus.SKIPPED, hoard.fetch(request).status());
        assertEquals(1, server.requestCount("/disk.img"));
        assertFalse(Files.exists(tmp.resolve("cache/entries").resolve(entryKey(url))), "--no-cache wrote an entry");
    }

    @InEveryFetchMode
    void withoutCacheAndWithDigestDownloadsThenVerifiesAndSkips(FetchMode mode) throws Exception {
        hoard = open(mode);
        Path out = tmp.resolve("out.img");
        FetchRequest request = FetchRequest.of(url).output(out).noCache(true).digest(BODY_SHA256);

        assertEquals(FetchStatus.DOWNLOADED, hoard.fetch(request).status());
        FetchResult second = hoard.fetch(request);
        assertEquals(FetchStatus.SKIPPED, second.status());
        assertEquals(BODY_SHA256, second.digest());
    }

    @InEveryFetchMode
    void existingOutputWithADifferentDigestIsAnErrorAndLeftUntouched(FetchMode mode) throws Exception {
        hoard = open(mode);
        Path out = tmp.resolve("out.img");
        Files.writeString(out, "something else");

        IntegrityException e = assertThrows(IntegrityException.class,
                () -> hoard.fetch(FetchRequest.of(url).output(out).digest(BODY_SHA256)));
        assertEquals(BODY_SHA256, e.expected());
        assertEquals(url, e.url());
        assertEquals(out, e.existingOutput());
        assertEquals("something else", Files.readString(out));
        assertEquals(0, server.requestCount("/disk.img"));
    }

    @InEveryFetchMode
    void wrongDigestNamesBothDigestsCachesNothingAndWritesNoOutput(FetchMode mode) throws Exception {
        hoard = open(mode);
        Path out = tmp.resolve("out.img");
        Digest wrong = Hashes.sha256("not the body".getBytes());

        IntegrityException e = assertThrows(IntegrityException.class,
                () -> hoard.fetch(FetchRequest.of(url).output(out).digest(wrong)));
        assertEquals(wrong, e.expected());
        assertEquals(BODY_SHA256, e.actual());
        assertEquals(url, e.url());
        assertNull(e.existingOutput());
        assertTrue(e.getMessage().contains(wrong.hex()) && e.getMessage().contains(BODY_SHA256.hex()),
                e.getMessage());
        assertFalse(Files.exists(out));
        assertEquals(List.of(), blobs());
        assertFalse(Files.exists(entryDir(url).resolve("meta.json")));
        assertEquals(List.of(), tempFiles(tmp), "temp or partial files left behind");
    }

    @InEveryFetchMode
    void onlyFourConnectionsSplitAFileOfFourMebibytes(FetchMode mode) throws Exception {
        hoard = open(mode);
        byte[] big = TestBytes.random(4 << 20, 12);
        server.put("/big.img", big);
        server.throttle(16 << 20); // per connection: the four workers take their segments before the first reaches them

        FetchResult r = hoard.fetch(FetchRequest.of(server.url("/big.img")).output(tmp.resolve("big.img")));

        assertEquals(Hashes.sha256(big), r.digest());
        assertArrayEquals(big, Files.readAllBytes(tmp.resolve("big.img")));
        List<RecordedRequest> ranged = server.requests().stream().filter(q -> q.header("Range") != null).toList();
        if (mode.connections() == 4) {
            assertTrue(ranged.size() >= 3 && ranged.stream().allMatch(q -> q.status() == 206), ranged.toString());
        } else {
            assertEquals(List.of(), ranged, "automatic mode splits only files of 32 MiB or more");
        }
    }

    @Test // no fetch, so no mode
    void malformedDigestsAreRejectedBeforeAnyRequest() {
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:abc"));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("md5:" + "0".repeat(32)));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("0".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:" + "g".repeat(64)));
        assertEquals(BODY_SHA256, Digest.parse("SHA256:" + BODY_SHA256.hex().toUpperCase()));
    }

    @InEveryFetchMode
    void withCacheSeriallyDownloadsThenSkipsThenUsesTheCacheForASecondOutput(FetchMode mode) throws Exception {
        hoard = open(mode);
        Path first = tmp.resolve("a/out.img");
        Path second = tmp.resolve("b/out.img");

        assertEquals(FetchStatus.DOWNLOADED, hoard.fetch(FetchRequest.of(url).output(first)).status());
        assertEquals(FetchStatus.SKIPPED, hoard.fetch(FetchRequest.of(url).output(first)).status());
        FetchResult third = hoard.fetch(FetchRequest.of(url).output(second));
        assertEquals(FetchStatus.USED_CACHE, third.status());
        assertArrayEquals(BODY, Files.readAllBytes(second));
        assertEquals(second, third.path());
        assertEquals(1, server.fullBodyCount("/disk.img"));
    }

    @InEveryFetchMode
    void twentyParallelRequestsInOneJvmDownloadOnce(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.throttle(300_000); // 1 s of body, so the requests really overlap
        List<FetchResult> results = inParallel(20,
                i -> FetchRequest.of(url).output(tmp.resolve("out-" + i + ".img")));

        assertEquals(Map.of(FetchStatus.DOWNLOADED, 1L, FetchStatus.USED_CACHE, 19L), countByStatus(results));
        assertEquals(1, server.requestCount("/disk.img"), "waiters must reuse the result, not even revalidate");
        for (FetchResult r : results) {
            assertArrayEquals(BODY, Files.readAllBytes(r.path()));
            assertEquals(BODY_SHA256, r.digest());
        }
    }

    @InEveryFetchMode
    void cachingOnlyModeSeriallyDownloadsThenUsesTheCache(FetchMode mode) throws Exception {
        hoard = open(mode);
        FetchResult first = hoard.fetch(FetchRequest.of(url));
        FetchResult second = hoard.fetch(FetchRequest.of(url));

        assertEquals(FetchStatus.DOWNLOADED, first.status());
        assertEquals(FetchStatus.USED_CACHE, second.status());
        assertEquals(first.cachePath(), second.path());
        assertArrayEquals(BODY, Files.readAllBytes(second.path()));
        assertEquals(0, second.bytesTransferred());
    }

    @InEveryFetchMode
    void cachingOnlyModeInParallelDownloadsOnce(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.throttle(300_000);
        List<FetchResult> results = inParallel(10, i -> FetchRequest.of(url));

        assertEquals(Map.of(FetchStatus.DOWNLOADED, 1L, FetchStatus.USED_CACHE, 9L), countByStatus(results));
        assertEquals(1, results.stream().map(FetchResult::path).distinct().count());
        assertEquals(1, server.requestCount("/disk.img"));
    }

    @InEveryFetchMode
    void aCachedEntryIsFoundWithTheRightDigestAndRejectedWithAWrongOne(FetchMode mode) throws Exception {
        hoard = open(mode);
        hoard.fetch(FetchRequest.of(url));
        server.resetRecords();

        FetchResult right = hoard.fetch(FetchRequest.of(url).digest(BODY_SHA256));
        assertEquals(FetchStatus.USED_CACHE, right.status());
        assertEquals(0, server.requestCount("/disk.img"), "a known digest must not touch the network");

        Digest wrong = Hashes.sha256("other".getBytes());
        assertThrows(IntegrityException.class, () -> hoard.fetch(FetchRequest.of(url).digest(wrong)));
        assertEquals(FetchStatus.USED_CACHE, hoard.fetch(FetchRequest.of(url)).status(), "a mismatch evicted it");
    }

    @InEveryFetchMode
    void metadataRecordsLastModifiedAndContentTypeAsServed(FetchMode mode) throws Exception {
        hoard = open(mode);
        FetchResult r = hoard.fetch(FetchRequest.of(url));

        assertEquals("Sat, 01 Mar 2025 10:00:00 GMT", r.lastModified());
        assertEquals("application/x-qemu-disk", r.contentType());
        assertEquals(TestHttpServer.etag(BODY), r.etag());
        assertEquals(BODY.length, r.size());
        String meta = Files.readString(entryDir(url).resolve("meta.json"));
        assertTrue(meta.contains("\"lastModified\": \"Sat, 01 Mar 2025 10:00:00 GMT\""), meta);
        assertTrue(meta.contains("\"sha256\": \"" + BODY_SHA256.hex() + "\""), meta);
    }

    @InEveryFetchMode
    void anUnchangedRemoteIsRevalidatedWithoutResendingTheBody(FetchMode mode) throws Exception {
        hoard = open(mode);
        hoard.fetch(FetchRequest.of(url));
        server.resetRecords();

        FetchResult again = hoard.fetch(FetchRequest.of(url));
        assertEquals(FetchStatus.USED_CACHE, again.status());
        assertEquals(1, server.requestCount("/disk.img"));
        assertEquals(0, server.bodyBytesSent("/disk.img"));
        assertEquals(TestHttpServer.etag(BODY), server.requests().get(0).header("If-None-Match"));
        assertEquals("Sat, 01 Mar 2025 10:00:00 GMT", server.requests().get(0).header("If-Modified-Since"));
    }

    @InEveryFetchMode
    void aChangedLastModifiedCausesARedownload(FetchMode mode) throws Exception {
        hoard = open(mode);
        byte[] changed = TestBytes.random(200_000, 2);
        server.put("/disk.img", BODY, Instant.parse("2025-03-01T10:00:00Z"), "application/octet-stream", null);
        hoard.fetch(FetchRequest.of(url));
        server.put("/disk.img", changed, Instant.parse("2025-04-01T10:00:00Z"), "application/octet-stream", null);

        FetchResult r = hoard.fetch(FetchRequest.of(url).output(tmp.resolve("new.img")));
        assertEquals(FetchStatus.DOWNLOADED, r.status());
        assertArrayEquals(changed, Files.readAllBytes(tmp.resolve("new.img")));
        assertEquals("Tue, 01 Apr 2025 10:00:00 GMT", r.lastModified());
        assertEquals(2, server.fullBodyCount("/disk.img"), "the changed body is sent once, not twice");
    }

    @InEveryFetchMode
    void anUnchangedLastModifiedWithoutEtagDoesNotRedownload(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.put("/disk.img", BODY, Instant.parse("2025-03-01T10:00:00Z"), "application/octet-stream", null);
        hoard.fetch(FetchRequest.of(url));

        assertEquals(FetchStatus.USED_CACHE, hoard.fetch(FetchRequest.of(url)).status());
        assertEquals(1, server.fullBodyCount("/disk.img"));
    }

    @InEveryFetchMode
    void withADigestAChangedLastModifiedDoesNotRedownload(FetchMode mode) throws Exception {
        hoard = open(mode);
        hoard.fetch(FetchRequest.of(url).digest(BODY_SHA256));
        server.put("/disk.img", BODY, Instant.parse("2026-01-01T00:00:00Z"), "application/octet-stream");
        server.resetRecords();

        assertEquals(FetchStatus.USED_CACHE, hoard.fetch(FetchRequest.of(url).digest(BODY_SHA256)).status());
        assertEquals(0, server.requestCount("/disk.img"));
    }

    @InEveryFetchMode
    void withTheServerGoneADigestlessCachedFileIsUsedAndReallyWritten(FetchMode mode) throws Exception {
        hoard = open(mode);
        hoard.fetch(FetchRequest.of(url));
        server.close();
        Path out = tmp.resolve("offline-copy.img");
        List<String> warnings = new ArrayList<>();

        FetchResult r = hoard.fetch(FetchRequest.of(url).output(out), new FetchListener() {
            @Override
            public void warning(URI u, String message) {
                warnings.add(message);
            }
        });
        assertEquals(FetchStatus.USED_CACHE, r.status());
        assertArrayEquals(BODY, Files.readAllBytes(out));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("using the cached copy"), warnings.get(0));
    }

    @InEveryFetchMode
    void aServerErrorOnRevalidationAlsoFallsBackToTheCache(FetchMode mode) throws Exception {
        hoard = open(mode);
        hoard.fetch(FetchRequest.of(url));
        server.enqueue("/disk.img", dev.hoard.testing.Fault.status(503));

        assertEquals(FetchStatus.USED_CACHE, hoard.fetch(FetchRequest.of(url)).status());
    }

    @Test // a file: URL is copied, never cached: it takes no lock and opens no connection
    void fileUrlsAreCopiedAndCheckedButNotCached() throws Exception {
        hoard = Hoard.open(cache);
        Path source = tmp.resolve("local.img");
        Files.write(source, BODY);
        Path out = tmp.resolve("copy.img");

        FetchResult r = hoard.fetch(FetchRequest.of(source.toUri()).output(out).digest(BODY_SHA256));
        assertEquals(FetchStatus.DOWNLOADED, r.status());
        assertArrayEquals(BODY, Files.readAllBytes(out));
        assertNull(r.cachePath());
        assertEquals(List.of(), blobs());

        Path out2 = tmp.resolve("copy2.img");
        Digest wrong = Hashes.sha256("x".getBytes());
        IntegrityException e = assertThrows(IntegrityException.class,
                () -> hoard.fetch(FetchRequest.of(source.toUri()).output(out2).digest(wrong)));
        assertEquals(BODY_SHA256, e.actual());
        assertFalse(Files.exists(out2));
        assertEquals(List.of(), tempFiles(tmp));
    }

    @InEveryFetchMode
    void theSameBytesAtTwoUrlsAreStoredOnce(FetchMode mode) throws Exception {
        hoard = open(mode);
        server.put("/mirror/disk.img", BODY);
        FetchResult a = hoard.fetch(FetchRequest.of(url));
        FetchResult b = hoard.fetch(FetchRequest.of(server.url("/mirror/disk.img")));

        assertEquals(FetchStatus.DOWNLOADED, b.status());
        assertEquals(a.cachePath(), b.cachePath());
        assertEquals(List.of(BODY_SHA256.hex()), blobs());
    }

    @InEveryFetchMode
    void aStoredDigestIsServedWithoutAnyRequestWhateverTheUrl(FetchMode mode) throws Exception {
        hoard = open(mode);
        hoard.fetch(FetchRequest.of(url));
        server.resetRecords();
        URI elsewhere = URI.create("http://127.0.0.1:1/never/contacted.img"); // port 1: nothing listens

        FetchResult r = hoard.fetch(FetchRequest.of(elsewhere).digest(BODY_SHA256).output(tmp.resolve("x.img")));
        assertEquals(FetchStatus.USED_CACHE, r.status());
        assertArrayEquals(BODY, Files.readAllBytes(tmp.resolve("x.img")));
        assertEquals(0, server.requests().size());
    }

    @InEveryFetchMode
    void aSha512DigestIsVerifiedAndThenAnsweredFromTheStore(FetchMode mode) throws Exception {
        hoard = open(mode);
        Digest sha512 = Hashes.sha512(BODY);
        assertEquals(FetchStatus.DOWNLOADED, hoard.fetch(FetchRequest.of(url).digest(sha512)).status());
        server.resetRecords();

        FetchResult r = hoard.fetch(FetchRequest.of(server.url("/other")).digest(sha512));
        assertEquals(FetchStatus.USED_CACHE, r.status());
        assertEquals(BODY_SHA256, r.digest());
        assertEquals(0, server.requests().size());
    }

    @InEveryFetchMode
    void offlineSendsNothingAndFailsWhenNotCached(FetchMode mode) throws Exception {
        hoard = open(mode);
        assertThrows(OfflineException.class, () -> hoard.fetch(FetchRequest.of(url).offline(true)));
        assertThrows(OfflineException.class,
                () -> hoard.fetch(FetchRequest.of(url).offline(true).digest(BODY_SHA256)));
        assertEquals(0, server.requests().size());

        hoard.fetch(FetchRequest.of(url));
        server.resetRecords();
        assertEquals(FetchStatus.USED_CACHE, hoard.fetch(FetchRequest.of(url).offline(true)).status());
        assertEquals(0, server.requests().size());
    }

    @InEveryFetchMode
    void corruptMetadataIsAMissAndIsRepaired(FetchMode mode) throws Exception {
        hoard = open(mode);
        hoard.fetch(FetchRequest.of(url));
        Path meta = entryDir(url).resolve("meta.json");
        Files.writeString(meta, "{\"format\": 1, \"url\": tru");

        assertEquals(FetchStatus.DOWNLOADED, hoard.fetch(FetchRequest.of(url)).status());
        assertEquals(FetchStatus.USED_CACHE, hoard.fetch(FetchRequest.of(url)).status());
        assertTrue(Files.readString(meta).contains(BODY_SHA256.hex()));
    }

    @InEveryFetchMode
    void httpErrorsAreDownloadExceptionsWithTheStatusAndCacheNothing(FetchMode mode) throws Exception {
        hoard = open(mode);
        DownloadException e = assertThrows(DownloadException.class,
                () -> hoard.fetch(FetchRequest.of(server.url("/missing.img"))));
        assertEquals(404, e.httpStatus());
        assertTrue(e.getMessage().contains("404"), e.getMessage());
        assertEquals(List.of(), blobs());
    }

    @Test // no fetch, so no mode
    void unsupportedSchemesAndHostlessUrlsAreUsageErrors() {
        assertThrows(IllegalArgumentException.class, () -> FetchRequest.of(URI.create("ftp://example.org/x")));
        assertThrows(IllegalArgumentException.class, () -> FetchRequest.of(URI.create("http:///x")));
        assertThrows(IllegalArgumentException.class, () -> FetchRequest.of(URI.create("relative/path")));
    }

    @Test // about opening the cache, before any fetch
    void theCacheFormatIsRecordedAndAnUnknownOneIsRefused() throws Exception {
        Hoard.open(cache).close();
        Path root = cache;
        assertTrue(Files.readString(root.resolve("hoard-cache.json")).contains("\"format\": 1"));
        Files.writeString(root.resolve("hoard-cache.json"), "{\"format\": 99}");
        IOException e = assertThrows(IOException.class, () -> Hoard.open(root));
        assertTrue(e.getMessage().contains("format 99"), e.getMessage());
    }

    private List<FetchResult> inParallel(int n, Function<Integer, FetchRequest> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch ready = new CountDownLatch(n);
            List<Callable<FetchResult>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                tasks.add(() -> {
                    ready.countDown();
                    ready.await();
                    return hoard.fetch(request.apply(index));
                });
            }
            List<FetchResult> results = new ArrayList<>();
            for (Future<FetchResult> f : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<FetchStatus, Long> countByStatus(List<FetchResult> results) {
        return results.stream().collect(Collectors.groupingBy(FetchResult::status, ConcurrentHashMap::new,
                Collectors.counting()));
    }

    private List<String> blobs() throws IOException {
        try (Stream<Path> files = Files.list(tmp.resolve("cache/blobs"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static List<Path> tempFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> {
                String name = p.getFileName().toString();
                return name.endsWith(".tmp") || name.startsWith(".partial");
            }).toList();
        }
    }

    private Path entryDir(URI u) {
        return tmp.resolve("cache/entries").resolve(entryKey(u));
    }

    private static String entryKey(URI u) {
        return Hashes.sha256(u.toString().getBytes()).hex();
    }
}
