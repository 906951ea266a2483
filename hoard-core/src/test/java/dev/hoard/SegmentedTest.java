package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.internal.store.PartialRecord;
import dev.hoard.internal.store.SegmentProgress;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Fault;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.RecordedRequest;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Downloads over several ranged connections: the split, faults within a segment, and resumption of segments. */
@ExtendWith(CacheInvariants.class)
class SegmentedTest {
    private static final int MIB = 1 << 20;
    private static final int SIZE = 4 * MIB;
    private static final byte[] BODY = TestBytes.random(SIZE, 9);
    private static final Digest SHA256 = Hashes.sha256(BODY);

    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    private TestHttpServer server;
    private URI url;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/big.img", BODY);
        url = server.url("/big.img");
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Hoard hoard(int connections) throws Exception {
        return Hoard.open(HoardOptions.of(cache).connections(connections)
                .retryDelay(Duration.ofMillis(10)));
    }

    @Test
    void fourConnectionsFetchFourRangesAndTheFileIsVerifiedWhole() throws Exception {
        server.throttle(4 * MIB); // per connection: the segments really run side by side

        FetchResult r = hoard(4).fetch(FetchRequest.of(url).output(tmp.resolve("out")).digest(SHA256));
        assertEquals(SHA256, r.digest());
        assertArrayEquals(BODY, Files.readAllBytes(tmp.resolve("out")));
        List<RecordedRequest> requests = server.requests();
        // Exchanges are recorded at their last write, so the four may be listed in any order: find the first by its
        // range.
        assertEquals(4, requests.size(), requests.toString());
        Set<String> ranges = requests.stream().map(q -> q.header("Range")).collect(Collectors.toSet());
        assertEquals(Set.of("bytes=0-1048575", "bytes=1048576-2097151", "bytes=2097152-3145727",
                "bytes=3145728-4194303"), ranges, "the first request already asks a range");
        assertTrue(requests.stream().filter(q -> !q.header("Range").equals("bytes=0-1048575"))
                .allMatch(q -> TestHttpServer.etag(BODY).equals(q.header("If-Range")) && q.status() == 206));
        assertEquals(BODY.length, requests.stream().mapToLong(RecordedRequest::bodyBytesSent).sum(),
                "no byte is sent twice: " + requests);
    }

    @Test
    void oneConnectionAndSmallFilesAreNotSplit() throws Exception {
        assertEquals(SHA256, hoard(1).fetch(FetchRequest.of(url)).digest());
        byte[] small = TestBytes.random(100_000, 1);
        server.put("/small", small);
        hoard(0).fetch(FetchRequest.of(server.url("/small")));
        assertTrue(server.requests().stream().allMatch(q -> q.header("Range") == null), server.requests().toString());
    }

    @Test
    void aSegmentThatBreaksOffIsResumedWithinItsRange() throws Exception {
        server.enqueue("/big.img", Fault.dropAfter(300_000)); // the first request, which also serves segment 0

        FetchResult r = hoard(4).fetch(FetchRequest.of(url));
        assertEquals(SHA256, r.digest());
        assertTrue(server.requests().stream().anyMatch(q -> "bytes=300000-1048575".equals(q.header("Range"))),
                server.requests().toString());
    }

    @Test
    void aServerThatAnswersRangesWithWholeFilesIsDownloadedOnOneConnection() throws Exception {
        server.always("/big.img", Fault.ignoreRange());

        FetchResult r = hoard(4).fetch(FetchRequest.of(url).output(tmp.resolve("out")));
        assertArrayEquals(BODY, Files.readAllBytes(tmp.resolve("out")));
        assertEquals(SHA256, r.digest());
    }

    @Test
    void aSegmentedPartialLeftByADeadHolderResumesEachSegmentWhereItStopped() throws Exception {
        Hoard.open(cache);
        String key = Hashes.sha256(url.toString().getBytes()).hex();
        Path entry = Files.createDirectories(tmp.resolve("cache/entries").resolve(key));
        Path partial = tmp.resolve("cache/blobs/.partial-" + key + ".99999-1");
        long[][] segments = {{0, MIB, MIB}, {MIB, 2 * MIB, 100_000}, {2 * MIB, 3 * MIB, 0}, {3 * MIB, SIZE, 5}};
        byte[] onDisk = new byte[SIZE];
        for (long[] s : segments) {
            System.arraycopy(BODY, (int) s[0], onDisk, (int) s[0], (int) s[2]);
        }
        Files.write(partial, onDisk);
        String bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        Files.writeString(entry.resolve("partial.json"), "{\"format\": 1, \"file\": \"" + partial.getFileName()
                + "\", \"source\": \"" + url + "\", \"etag\": \"" + TestHttpServer.etag(BODY).replace("\"", "\\\"")
                + "\", \"lastModified\": null, \"length\": " + SIZE + ", \"bootId\": \"" + bootId
                + "\", \"durable\": 0, \"segments\": " + Arrays.deepToString(segments) + "}");

        FetchResult r = hoard(4).fetch(FetchRequest.of(url));
        assertEquals(SHA256, r.digest());
        long missing = SIZE - MIB - 100_000 - 5;
        assertEquals(missing, server.bodyBytesSent("/big.img"), "only the missing bytes were sent");
        assertEquals(missing, r.bytesTransferred());
        List<String> ranges = server.requests().stream().map(RecordedRequest::path).toList();
        assertEquals(3, ranges.size(), server.requests().toString());
    }

    @Test
    void aSegmentThatFailsForGoodEndsTheDownloadAtOnceEvenWhileAnotherWaitsOutALongRetryAfter() throws Exception {
        server.enqueue("/big.img", Fault.delay(Duration.ofMillis(1))); // the first range: answered
        server.enqueue("/big.img", Fault.status(503, "Retry-After", "300")); // one segment: come back in 5 minutes
        server.enqueue("/big.img", Fault.status(404)); // the other: gone for good

        DownloadException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(DownloadException.class, () -> hoard(3).fetch(FetchRequest.of(url))),
                "the failure is reported without waiting out the other segment's Retry-After");
        assertEquals(404, e.httpStatus(), e.getMessage());
        assertEquals(3, server.requests().size(), server.requests().toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (segmentWorkersAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(segmentWorkersAlive(), "the worker waiting out the Retry-After was woken and stopped");
    }

    private static boolean segmentWorkersAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith("hoard-segment-"));
    }

    @Test
    void aSegmentedPartialResumesFromItsProgressFileNotJustItsRecord() throws Exception {
        Hoard.open(tmp.resolve("cache"));
        String key = Hashes.sha256Hex(url.toString().getBytes());
        Path entryDir = Files.createDirectories(tmp.resolve("cache/entries").resolve(key));
        Path partial = tmp.resolve("cache/blobs/.partial-" + key + ".99999-1");
        long[] written = {MIB, 700_000, 0, 5};
        byte[] onDisk = new byte[SIZE];
        List<PartialRecord.Segment> recorded = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long start = (long) i * MIB;
            System.arraycopy(BODY, (int) start, onDisk, (int) start, (int) written[i]);
            recorded.add(new PartialRecord.Segment(start, i == 3 ? SIZE : start + MIB, 0)); // partial.json: nothing
        }
        Files.write(partial, onDisk);
        PartialRecord record = new PartialRecord(partial.getFileName().toString(), url.toString(),
                TestHttpServer.etag(BODY), null, SIZE, PartialRecord.currentBootId(), 0).withSegments(recorded);
        Files.writeString(entryDir.resolve("partial.json"), record.toJson());
        try (SegmentProgress progress = SegmentProgress.create(entryDir.resolve("segments"), record)) {
            for (int i = 0; i < 4; i++) {
                progress.record(i, written[i]); // what the workers counted after their last writes
            }
        }

        FetchResult r = hoard(4).fetch(FetchRequest.of(url));
        assertEquals(SHA256, r.digest());
        long missing = SIZE - MIB - 700_000 - 5;
        assertEquals(missing, server.bodyBytesSent("/big.img"), "only the missing bytes were sent");
        assertFalse(Files.exists(entryDir.resolve("segments")), "the progress file goes with the partial");
    }
}
