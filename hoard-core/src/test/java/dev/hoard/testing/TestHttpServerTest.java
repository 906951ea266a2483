package dev.hoard.testing;

import static dev.hoard.testing.JdkHttp.fetch;
import static dev.hoard.testing.JdkHttp.open;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.JdkHttp.Fetched;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Checks {@link TestHttpServer} with the JDK's HttpURLConnection, a client it did not write. */
@Timeout(30)
class TestHttpServerTest {

    private static final Instant MODIFIED = Instant.parse("2024-01-02T03:04:05Z");
    private static final byte[] BODY = TestBytes.random(100_000, 1);

    private TestHttpServer server;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/file.bin", BODY, MODIFIED, "application/x-test");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void servesBodyWithValidators() throws IOException {
        Fetched response = fetch("GET", server.url("file.bin"));

        assertEquals(200, response.status());
        assertArrayEquals(BODY, response.body());
        assertTrue(TestHttpServer.etag(BODY).matches("\"[0-9a-f]{16}\""), TestHttpServer.etag(BODY));
        assertEquals(TestHttpServer.etag(BODY), response.header("ETag"));
        assertEquals("Tue, 02 Jan 2024 03:04:05 GMT", response.header("Last-Modified"));
        assertEquals("application/x-test", response.header("Content-Type"));
        assertEquals("bytes", response.header("Accept-Ranges"));
        assertEquals("100000", response.header("Content-Length"));

        RecordedRequest recorded = server.requests().getFirst();
        assertEquals("GET", recorded.method());
        assertEquals("/file.bin", recorded.path());
        assertEquals(200, recorded.status());
        assertEquals(BODY.length, recorded.bodyBytesSent());
        assertNotNull(recorded.header("user-agent"), "header lookup ignores case: " + recorded.headers());
        assertEquals(1, server.requestCount("/file.bin"));
        assertEquals(1, server.fullBodyCount("/file.bin"));
        assertEquals(BODY.length, server.bodyBytesSent("/file.bin"));
    }

    @Test
    void defaultsToOctetStreamNowAndNoEtagWhenAskedNot() throws IOException {
        Instant before = Instant.now().minusSeconds(1);
        server.put("/plain", BODY);
        server.put("/untagged", BODY, MODIFIED, "text/plain", null);

        Fetched plain = fetch("GET", server.url("/plain"));
        Fetched untagged = fetch("GET", server.url("/untagged"));

        assertEquals("application/octet-stream", plain.header("Content-Type"));
        Instant lastModified = TestHttpServer.parseHttpDate(plain.header("Last-Modified"));
        assertTrue(!lastModified.isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)), "" + lastModified);
        assertEquals(200, untagged.status());
        assertNull(untagged.header("ETag"));
    }

    @Test
    void headSendsHeadersWithoutBody() throws IOException {
        Fetched response = fetch("HEAD", server.url("/file.bin"));

        assertEquals(200, response.status());
        assertEquals("100000", response.header("Content-Length"));
        assertEquals(0, response.body().length);
        assertEquals(0, server.requests().getFirst().bodyBytesSent());
        assertEquals(0, server.fullBodyCount("/file.bin"));
    }

    @Test
    void missingAndRemovedPathsAre404() throws IOException {
        assertEquals(404, fetch("GET", server.url("/nothing")).status());
        server.remove("/file.bin");
        assertEquals(404, fetch("GET", server.url("/file.bin")).status());
    }

    @Test
    void ifNoneMatchGives304() throws IOException {
        String etag = TestHttpServer.etag(BODY);

        Fetched matching = fetch("GET", server.url("/file.bin"), "If-None-Match", etag);
        Fetched listed = fetch("GET", server.url("/file.bin"), "If-None-Match", "\"other\", W/" + etag);
        Fetched star = fetch("GET", server.url("/file.bin"), "If-None-Match", "*");
        Fetched other = fetch("GET", server.url("/file.bin"), "If-None-Match", "\"other\"",
                "If-Modified-Since", "Tue, 02 Jan 2024 03:04:05 GMT");

        assertEquals(304, matching.status());
        assertEquals(0, matching.body().length);
        assertEquals(etag, matching.header("ETag"));
        assertEquals(304, listed.status());
        assertEquals(304, star.status());
        assertEquals(200, other.status(), "If-None-Match decides; If-Modified-Since is then ignored");
        assertEquals(1, server.fullBodyCount("/file.bin"));
    }

    @Test
    void ifModifiedSinceGives304UnlessModifiedLater() throws IOException {
        assertEquals(304, fetch("GET", server.url("/file.bin"), "If-Modified-Since", "Tue, 02 Jan 2024 03:04:05 GMT")
                .status());
        assertEquals(304, fetch("GET", server.url("/file.bin"), "If-Modified-Since", "Wed, 03 Jan 2024 00:00:00 GMT")
                .status());
        assertEquals(200, fetch("GET", server.url("/file.bin"), "If-Modified-Since", "Tue, 02 Jan 2024 03:04:04 GMT")
                .status());
        assertEquals(200, fetch("GET", server.url("/file.bin"), "If-Modified-Since", "not a date").status());
    }

    @Test
    void rangesGive206() throws IOException {
        Fetched open = fetch("GET", server.url("/file.bin"), "Range", "bytes=99990-");
        Fetched closed = fetch("GET", server.url("/file.bin"), "Range", "bytes=10-19");
        Fetched clamped = fetch("GET", server.url("/file.bin"), "Range", "bytes=99999-200000");
        Fetched suffix = fetch("GET", server.url("/file.bin"), "Range", "bytes=-5");

        assertEquals(206, open.status());
        assertEquals("bytes 99990-99999/100000", open.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(BODY, 99990, 100000), open.body());
        assertEquals(206, closed.status());
        assertEquals("bytes 10-19/100000", closed.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(BODY, 10, 20), closed.body());
        assertEquals("bytes 99999-99999/100000", clamped.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(BODY, 99995, 100000), suffix.body());
        assertEquals(10 + 10 + 1 + 5, server.bodyBytesSent("/file.bin"));
        assertEquals(0, server.fullBodyCount("/file.bin"));
    }

    @Test
    void unsatisfiableRangeGives416() throws IOException {
        Fetched response = fetch("GET", server.url("/file.bin"), "Range", "bytes=100000-");

        assertEquals(416, response.status());
        assertEquals("bytes */100000", response.header("Content-Range"));
    }

    @Test
    void ifRangeMismatchGivesFull200() throws IOException {
        String etag = TestHttpServer.etag(BODY);
        Fetched sameTag = fetch("GET", server.url("/file.bin"), "Range", "bytes=10-", "If-Range", etag);
        Fetched sameDate = fetch("GET", server.url("/file.bin"), "Range", "bytes=10-",
                "If-Range", "Tue, 02 Jan 2024 03:04:05 GMT");
        Fetched otherTag = fetch("GET", server.url("/file.bin"), "Range", "bytes=10-", "If-Range", "\"changed\"");
        Fetched otherDate = fetch("GET", server.url("/file.bin"), "Range", "bytes=10-",
                "If-Range", "Mon, 01 Jan 2024 00:00:00 GMT");

        assertEquals(206, sameTag.status());
        assertEquals(206, sameDate.status());
        assertEquals(200, otherTag.status());
        assertArrayEquals(BODY, otherTag.body());
        assertEquals(200, otherDate.status());
        assertEquals(2, server.fullBodyCount("/file.bin"));
    }

    @Test
    void keepAliveReusesOneConnection() throws IOException {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, fetch("GET", server.url("/file.bin")).status());
        }
        assertEquals(304, fetch("GET", server.url("/file.bin"), "If-None-Match", "*").status());

        assertEquals(4, server.requestCount("/file.bin"));
        assertEquals(1, server.connectionCount());
    }

    @Test
    void throttleSlowsTheBody() throws IOException {
        server.put("/200k", TestBytes.random(200_000, 2));
        server.throttle(1_000_000);

        long start = System.nanoTime();
        Fetched response = fetch("GET", server.url("/200k"));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertEquals(200_000, response.body().length);
        assertTrue(elapsed.toMillis() >= 150, "200 KB at 1 MB/s took only " + elapsed);
    }

    @Test
    void dropAfterCutsTheBodyAfterExactlyThoseBytes() throws IOException {
        server.enqueue("/file.bin", Fault.dropAfter(1000));

        HttpURLConnection connection = open("GET", server.url("/file.bin"));
        assertEquals(200, connection.getResponseCode());
        assertEquals(BODY.length, connection.getContentLengthLong());
        Partial partial = readAll(connection);

        assertArrayEquals(Arrays.copyOf(BODY, 1000), partial.bytes());
        assertNotNull(partial.error(), "a body shorter than its Content-Length must not end quietly");
        assertEquals(1000, server.bodyBytesSent("/file.bin"));
        assertEquals(0, server.fullBodyCount("/file.bin"));
        assertArrayEquals(BODY, fetch("GET", server.url("/file.bin")).body(), "the fault was used up");
        server.enqueue("/file.bin", Fault.dropAfter(1000));
        Raw raw = rawGet("/file.bin");
        assertTrue(raw.head().contains("\r\nContent-Length: 100000\r\n"), raw.head());
        assertArrayEquals(Arrays.copyOf(BODY, 1000), raw.body());
    }

    @Test
    void resetAfterResetsTheConnection() throws IOException {
        server.enqueue("/file.bin", Fault.resetAfter(1000));

        HttpURLConnection connection = open("GET", server.url("/file.bin"));
        assertEquals(200, connection.getResponseCode());
        Partial partial = readAll(connection);

        assertTrue(partial.bytes().length <= 1000, "received " + partial.bytes().length);
        assertNotNull(partial.error());
        assertEquals(1000, server.requests().getFirst().bodyBytesSent());
    }

    @Test
    void stallAfterStopsSendingButKeepsTheConnection() throws Exception {
        server.enqueue("/file.bin", Fault.stallAfter(1000));

        HttpURLConnection connection = open("GET", server.url("/file.bin"));
        connection.setReadTimeout(300);
        assertEquals(200, connection.getResponseCode());
        Partial partial = readAll(connection);

        assertEquals(1000, partial.bytes().length);
        assertInstanceOf(SocketTimeoutException.class, partial.error());
        RecordedRequest stalled = server.takeRequest(Duration.ofSeconds(5));
        assertEquals(1000, stalled.bodyBytesSent());
    }

    @Test
    void holdUntilAllArriveSendsNoBodyToTheEndBeforeTheLastRequestBegins() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        server.enqueue("/file.bin", Fault.holdUntilAllArrive(both, 1000));
        server.enqueue("/file.bin", Fault.holdUntilAllArrive(both, 1000));
        server.throttle(1_000_000); // the second part is paced too, from where the first ended

        HttpURLConnection first = open("GET", server.url("/file.bin"));
        first.setReadTimeout(300);
        assertEquals(200, first.getResponseCode());
        InputStream firstBody = first.getInputStream();
        assertEquals(1000, firstBody.readNBytes(1000).length);
        assertThrows(SocketTimeoutException.class, firstBody::read, "held until the second request arrives");
        assertEquals(List.of(), server.requests(), "a held exchange is not recorded");

        Fetched second = fetch("GET", server.url("/file.bin"));

        assertArrayEquals(BODY, second.body());
        assertEquals(0, both.getCount());
        first.setReadTimeout(5_000);
        byte[] rest = firstBody.readAllBytes();
        assertArrayEquals(Arrays.copyOfRange(BODY, 1000, BODY.length), rest);
        assertEquals(2, server.fullBodyCount("/file.bin"));
    }

    @Test
    void closeIsPromptWithStalledConnections() throws Exception {
        server.always("/file.bin", Fault.stallAfter(10));
        List<HttpURLConnection> stalled = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpURLConnection connection = open("GET", server.url("/file.bin"));
            assertEquals(200, connection.getResponseCode());
            stalled.add(connection);
        }
        for (int i = 0; i < 3; i++) {
            assertNotNull(server.takeRequest(Duration.ofSeconds(5)));
        }

        long start = System.nanoTime();
        server.close();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(elapsed.toSeconds() < 5, "close took " + elapsed);
        for (HttpURLConnection connection : stalled) {
            Partial partial = readAll(connection);
            assertEquals(10, partial.bytes().length);
        }
    }

    @Test
    void statusFaultSendsStatusAndHeadersOnce() throws IOException {
        server.enqueue("/file.bin", Fault.status(503, "Retry-After", "1"));

        Fetched unavailable = fetch("GET", server.url("/file.bin"));
        Fetched next = fetch("GET", server.url("/file.bin"));

        assertEquals(503, unavailable.status());
        assertEquals("1", unavailable.header("Retry-After"));
        assertEquals(200, next.status());
        assertEquals(List.of(503, 200), server.requests().stream().map(RecordedRequest::status).toList());
    }

    @Test
    void ignoreRangeAnswersRangeWithFull200() throws IOException {
        server.enqueue("/file.bin", Fault.ignoreRange());

        Fetched response = fetch("GET", server.url("/file.bin"), "Range", "bytes=10-");

        assertEquals(200, response.status());
        assertNull(response.header("Content-Range"));
        assertArrayEquals(BODY, response.body());
    }

    @Test
    void wrongLengthLongerThanBodyEndsPrematurely() throws IOException {
        server.enqueue("/file.bin", Fault.wrongLength(BODY.length + 500));
        server.enqueue("/file.bin", Fault.wrongLength(BODY.length + 500));

        Raw raw = rawGet("/file.bin");
        HttpURLConnection connection = open("GET", server.url("/file.bin"));
        assertEquals(BODY.length + 500, connection.getContentLengthLong());
        Partial partial = readAll(connection);

        assertTrue(raw.head().contains("\r\nContent-Length: 100500\r\n"), raw.head());
        assertArrayEquals(BODY, raw.body(), "the real body, then the connection closes");
        assertArrayEquals(BODY, partial.bytes());
        assertNotNull(partial.error(), "premature end of a Content-Length body");
        assertEquals(0, server.fullBodyCount("/file.bin"), "a lying Content-Length is not a full download");
    }

    /**
     * The client must stop at Content-Length itself: HttpURLConnection hands over whatever its last read returned, so it
     * may deliver bytes beyond the declared length when the server sends more.
     */
    @Test
    void wrongLengthShorterThanBodySendsSurplusBytes() throws IOException {
        server.enqueue("/file.bin", Fault.wrongLength(100));
        server.enqueue("/file.bin", Fault.wrongLength(100));

        Raw raw = rawGet("/file.bin");
        HttpURLConnection connection = open("GET", server.url("/file.bin"));
        assertEquals(100, connection.getContentLengthLong());
        Partial partial = readAll(connection);

        assertTrue(raw.head().contains("\r\nContent-Length: 100\r\n"), raw.head());
        assertArrayEquals(BODY, raw.body(), "the real body, then the connection closes");
        assertTrue(partial.bytes().length >= 100, "got " + partial.bytes().length);
        assertArrayEquals(Arrays.copyOf(BODY, 100), Arrays.copyOf(partial.bytes(), 100));
    }

    @Test
    void redirectIsFollowed() throws IOException {
        server.enqueue("/old", Fault.redirect("/file.bin", 301));

        Fetched response = fetch("GET", server.url("/old"));

        assertEquals(200, response.status());
        assertArrayEquals(BODY, response.body());
        assertEquals(List.of("/old", "/file.bin"), server.requests().stream().map(RecordedRequest::path).toList());
    }

    @Test
    void redirectLoopIsReportedByTheClient() throws IOException {
        server.redirectLoop("/a", "/b");

        HttpURLConnection connection = open("GET", server.url("/a"));
        ProtocolException error = assertThrows(ProtocolException.class, connection::getResponseCode);

        assertTrue(error.getMessage().contains("redirected too many times"), error.getMessage());
        assertTrue(server.requestCount("/a") > 1);
        assertTrue(server.requestCount("/b") > 1);
        HttpURLConnection unfollowed = open("GET", server.url("/a"));
        unfollowed.setInstanceFollowRedirects(false);
        assertEquals(302, unfollowed.getResponseCode());
        assertEquals("/b", unfollowed.getHeaderField("Location"));
    }

    @Test
    void disconnectSendsNothing() throws IOException {
        server.always("/file.bin", Fault.disconnect());

        HttpURLConnection connection = open("GET", server.url("/file.bin"));
        assertThrows(IOException.class, connection::getResponseCode);

        assertTrue(server.requests().stream().allMatch(r -> r.status() == 0 && r.bodyBytesSent() == 0));
    }

    /** Worth knowing when testing hoard: HttpURLConnection silently resends a GET once if no response head came. */
    @Test
    void oneDisconnectIsRetriedByHttpUrlConnection() throws IOException {
        server.enqueue("/file.bin", Fault.disconnect());

        Fetched response = fetch("GET", server.url("/file.bin"));

        assertEquals(200, response.status());
        assertEquals(List.of(0, 200), server.requests().stream().map(RecordedRequest::status).toList());
    }

    @Test
    void delayHoldsTheResponseHead() throws IOException {
        server.enqueue("/file.bin", Fault.delay(Duration.ofMillis(200)));

        long start = System.nanoTime();
        int status = open("GET", server.url("/file.bin")).getResponseCode();

        assertEquals(200, status);
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 150);
    }

    @Test
    void takeRequestWaitsAndTimesOut() throws Exception {
        fetch("GET", server.url("/file.bin"), "X-Probe", "1");

        RecordedRequest taken = server.takeRequest(Duration.ofSeconds(5));

        assertEquals("1", taken.header("x-probe"));
        assertNull(server.takeRequest(Duration.ofMillis(50)));
        server.resetRecords();
        assertEquals(0, server.requests().size());
        assertEquals(0, server.requestCount("/file.bin"));
    }

    /**
     * Twenty clients each read the first bytes of a throttled body and wait for all the others to do the same; a
     * server that did not serve them concurrently would never let the latch open.
     */
    @Test
    void servesTwentySlowDownloadsConcurrentlyWithExactCounts() throws Exception {
        int clients = 20;
        byte[] body = TestBytes.random(50_000, 3);
        server.put("/slow", body);
        server.throttle(200_000);
        CountDownLatch allStarted = new CountDownLatch(clients);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<byte[]>> downloads = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                downloads.add(pool.submit(() -> downloadAfterAllStarted(server.url("/slow"), allStarted)));
            }
            for (Future<byte[]> download : downloads) {
                assertArrayEquals(body, download.get(20, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(clients, server.requestCount("/slow"));
        assertEquals(clients, server.fullBodyCount("/slow"));
        assertEquals((long) clients * body.length, server.bodyBytesSent("/slow"));
    }

    private static byte[] downloadAfterAllStarted(URI url, CountDownLatch allStarted) throws Exception {
        HttpURLConnection connection = open("GET", url);
        try (InputStream in = connection.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(in.readNBytes(100));
            allStarted.countDown();
            assertTrue(allStarted.await(10, TimeUnit.SECONDS), "downloads were not served concurrently");
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    /** Sends a GET on a fresh socket and reads until the server closes it, to see exactly what went on the wire. */
    private Raw rawGet(String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] all = socket.getInputStream().readAllBytes();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n") + 4;
            return new Raw(text.substring(0, end), Arrays.copyOfRange(all, end, all.length));
        }
    }

    /** Reads until end of stream or error, keeping what arrived before the error. */
    static Partial readAll(HttpURLConnection connection) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (InputStream in = connection.getInputStream()) {
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received.write(buffer, 0, n);
            }
            return new Partial(received.toByteArray(), null);
        } catch (IOException e) {
            return new Partial(received.toByteArray(), e);
        }
    }

    record Partial(byte[] bytes, IOException error) {
    }

    record Raw(String head, byte[] body) {
    }
}
