package dev.hoard.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.internal.auth.AuthHeaders;
import dev.hoard.Digest;
import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import dev.hoard.internal.auth.AuthHeaders;
import dev.hoard.internal.http.HttpResponse;
import dev.hoard.internal.http.HttpTransport;
import dev.hoard.internal.store.PartialRecord;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.RecordedRequest;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The automatic connection count of a segmented download: one whole-file response streams through every segment
 * while nobody else takes them, and workers are added while the hasher waits for the network. The policy's
 * threshold is pinned here (never / always) so that the outcome does not depend on this machine's speed.
 */
class SegmentedDownloadTest {
    private static final int MIB = 1 << 20;
    private static final byte[] BODY = TestBytes.random(8 * MIB, 5);
    private static final Digest SHA256 = Hashes.sha256(BODY);

    @TempDir
    Path tmp;

    private TestHttpServer server;
    private URI url;
    private final HttpTransport http = new HttpTransport(Duration.ofSeconds(10), Duration.ofSeconds(10), "test", false);

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/big.img", BODY);
        url = server.url("/big.img");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Runs an adaptive download of BODY in 8 segments with up to 4 connections; returns what was hashed. */
    private Transfer.Received download(int rampIdlePercent) throws Exception {
        Path file = tmp.resolve("partial");
        Files.createFile(file);
        HttpResponse inHand = http.get(url, Map.of());
        assertEquals(200, inHand.status());
        List<PartialRecord.Segment> segments = new ArrayList<>();
        for (long start = 0; start < BODY.length; start += MIB) {
            segments.add(new PartialRecord.Segment(start, start + MIB, 0));
        }
        PartialRecord record = new PartialRecord(file.getFileName().toString(), url.toString(),
                inHand.header("ETag"), inHand.header("Last-Modified"), BODY.length, null, 0);
        Backoff backoff = new Backoff(2, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1));
        DownloadContext context = new DownloadContext(FetchRequest.of(url),
                new Exchange(http, Clock.systemUTC(), url, AuthHeaders.NONE), backoff,
                new SegmentationPolicy(0, rampIdlePercent), FetchListener.NONE);
        SegmentedWriter writer = new SegmentedWriter(context, url, new PartialFile(file, null, record), segments,
                context.newBudget());
        BodyWriter.Written written = writer.write(new Reply.Body(inHand, 0, BODY.length));
        assertEquals(BODY.length, writer.transferred());
        assertArrayEquals(BODY, Files.readAllBytes(file));
        return ((BodyWriter.Whole) written).received();
    }

    @Test
    void oneWorkerStreamsTheWholeFileThroughEverySegmentWithOneRequest() throws Exception {
        server.throttle(16L * MIB); // ~0.5 s: several ramp windows pass, and none may add a worker

        Transfer.Received received = download(101);

        assertEquals(SHA256, received.sha256());
        List<RecordedRequest> requests = server.requests();
        assertEquals(1, requests.size(), requests.toString());
        assertNull(requests.get(0).header("Range"));
    }

    @Test
    void workersAreAddedWhileTheHasherWaitsForTheNetwork() throws Exception {
        server.throttle(4L * MIB); // one connection alone would take 2 s

        Transfer.Received received = download(0);

        assertEquals(SHA256, received.sha256());
        List<RecordedRequest> ranged = server.requests().stream().filter(q -> q.header("Range") != null).toList();
        assertTrue(ranged.size() >= 3, "workers took segments with ranged requests: " + server.requests());
        assertTrue(ranged.stream().allMatch(q -> q.status() == 206), ranged.toString());
        // Workers keep their connections alive from one segment to the next: one connection per worker, plus the
        // first response's, cut off once the segment after the one it fills was taken.
        int connections = server.connectionCount();
        assertTrue(connections >= 3 && connections <= 4 + 1, "connections: " + connections);
    }
}
