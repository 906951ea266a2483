package dev.hoard.testing;

import static dev.hoard.testing.JdkHttp.fetch;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.JdkHttp.Fetched;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * Checks {@link Nginx} and pins down the nginx behaviour hoard's tests rely on, so that a different nginx build or
 * version that behaves otherwise shows up here rather than as a puzzling failure elsewhere.
 */
@Timeout(30)
class NginxTest {

    private static final Instant MODIFIED = Instant.parse("2024-01-02T03:04:05Z");
    private static final byte[] BODY = TestBytes.random(100_000, 7);
    private static final String ETAG = "\"" + Long.toHexString(MODIFIED.getEpochSecond()) + "-"
            + Long.toHexString(BODY.length) + "\"";

    @TempDir
    static Path root;
    private static Nginx nginx;

    @BeforeAll
    static void start() throws IOException {
        Nginx.assumeAvailable();
        Path file = Files.write(root.resolve("file.bin"), BODY);
        Files.setLastModifiedTime(file, FileTime.from(MODIFIED));
        nginx = Nginx.start(root);
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void servesFileWithEtagAndMtimeAsLastModified() throws IOException {
        Fetched response = fetch("GET", nginx.url("file.bin"));

        assertEquals(200, response.status());
        assertArrayEquals(BODY, response.body());
        assertEquals(ETAG, response.header("ETag"), "strong ETag: hex mtime seconds - hex size");
        assertEquals("Tue, 02 Jan 2024 03:04:05 GMT", response.header("Last-Modified"));
        assertEquals("application/octet-stream", response.header("Content-Type"));
        assertEquals("bytes", response.header("Accept-Ranges"));
        assertEquals(root, nginx.root());
        assertEquals(nginx.port(), nginx.url("/x").getPort());
    }

    @Test
    void answersConditionalRequestsWith304() throws IOException {
        assertEquals(304, fetch("GET", nginx.url("/file.bin"), "If-None-Match", ETAG).status());
        assertEquals(304, fetch("GET", nginx.url("/file.bin"), "If-Modified-Since", "Tue, 02 Jan 2024 03:04:05 GMT")
                .status());
        assertEquals(200, fetch("GET", nginx.url("/file.bin"), "If-None-Match", "\"other\"").status());
    }

    /** nginx's default {@code if_modified_since exact}: only the exact Last-Modified date counts as not modified. */
    @Test
    void ifModifiedSinceMustMatchExactly() throws IOException {
        Fetched later = fetch("GET", nginx.url("/file.bin"), "If-Modified-Since", "Wed, 03 Jan 2024 00:00:00 GMT");

        assertEquals(200, later.status());
    }

    @Test
    void servesRanges() throws IOException {
        Fetched open = fetch("GET", nginx.url("/file.bin"), "Range", "bytes=99990-");
        Fetched closed = fetch("GET", nginx.url("/file.bin"), "Range", "bytes=10-19");
        Fetched unsatisfiable = fetch("GET", nginx.url("/file.bin"), "Range", "bytes=100000-");
        Fetched staleIfRange = fetch("GET", nginx.url("/file.bin"), "Range", "bytes=10-", "If-Range", "\"changed\"");
        Fetched freshIfRange = fetch("GET", nginx.url("/file.bin"), "Range", "bytes=10-", "If-Range", ETAG);

        assertEquals(206, open.status());
        assertEquals("bytes 99990-99999/100000", open.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(BODY, 99990, 100000), open.body());
        assertEquals(206, closed.status());
        assertArrayEquals(Arrays.copyOfRange(BODY, 10, 20), closed.body());
        assertEquals(416, unsatisfiable.status());
        assertEquals("bytes */100000", unsatisfiable.header("Content-Range"));
        assertEquals(200, staleIfRange.status());
        assertArrayEquals(BODY, staleIfRange.body());
        assertEquals(206, freshIfRange.status());
    }

    /** Uses its own nginx so that no other test's log lines, which nginx writes after responding, can interleave. */
    @Test
    void accessLogRecordsWhatWasAskedAndSent(@TempDir Path logRoot) throws IOException {
        Files.setLastModifiedTime(Files.write(logRoot.resolve("file.bin"), BODY), FileTime.from(MODIFIED));
        try (Nginx logging = Nginx.start(logRoot)) {
            fetch("GET", logging.url("/file.bin"), "Range", "bytes=10-19");
            fetch("GET", logging.url("/file.bin"), "If-None-Match", ETAG);
            fetch("GET", logging.url("/file.bin"), "If-Modified-Since", "Tue, 02 Jan 2024 03:04:05 GMT");
            fetch("HEAD", logging.url("/file.bin"));
            fetch("GET", logging.url("/missing"));
            fetch("GET", logging.url("/file.bin"));

            List<AccessLogEntry> entries = logging.awaitAccessLog(6, Duration.ofSeconds(5));

            assertEquals(6, entries.size(), entries.toString());
            AccessLogEntry range = entries.get(0);
            assertEquals("GET", range.method());
            assertEquals("/file.bin", range.uri());
            assertEquals(206, range.status());
            assertEquals(10, range.bodyBytesSent());
            assertEquals("bytes=10-19", range.range());
            assertNull(range.ifNoneMatch());
            assertNull(range.ifModifiedSince());
            assertTrue(range.requestLength() > 0);
            assertEquals("127.0.0.1", range.remoteAddress());
            assertEquals(304, entries.get(1).status());
            assertEquals(0, entries.get(1).bodyBytesSent());
            assertEquals(ETAG, entries.get(1).ifNoneMatch(), "quotes survive nginx's \\x22 escaping");
            assertEquals("Tue, 02 Jan 2024 03:04:05 GMT", entries.get(2).ifModifiedSince());
            assertEquals("HEAD", entries.get(3).method());
            assertEquals(0, entries.get(3).bodyBytesSent());
            assertEquals(404, entries.get(4).status());
            assertEquals(200, entries.get(5).status());
            assertEquals(BODY.length, entries.get(5).bodyBytesSent());
        }
    }

    @Test
    void accessLogParsingUndoesEscapes() {
        AccessLogEntry entry = AccessLogEntry.parse(
                "GET\t/a\\x5Cb\t200\t5\t-\t\\x22x\\x22, W/\\x22y\\x22\t-\tMon, 01 Jan 2024 00:00:00 GMT\t99"
                + "\t127.0.0.2\tBasic YTpi");

        assertEquals("/a\\b", entry.uri());
        assertEquals("\"x\", W/\"y\"", entry.ifNoneMatch());
        assertNull(entry.range());
        assertEquals("Mon, 01 Jan 2024 00:00:00 GMT", entry.ifRange());
        assertEquals(99, entry.requestLength());
        assertEquals("127.0.0.2", entry.remoteAddress());
        assertEquals("Basic YTpi", entry.authorization());
        assertThrows(IllegalArgumentException.class, () -> AccessLogEntry.parse("not\ta\tlog line"));
    }

    /** limit_rate paces the body; 200 KB at 100 KB/s takes 2 s, and at least 1 s even if nginx allowed a 1 s burst. */
    @Test
    void limitRateSlowsTheBody(@TempDir Path slowRoot) throws IOException {
        byte[] body = TestBytes.random(200_000, 8);
        Files.write(slowRoot.resolve("slow.bin"), body);
        try (Nginx limited = Nginx.start(slowRoot, 100_000)) {
            long start = System.nanoTime();
            Fetched response = fetch("GET", limited.url("/slow.bin"));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertArrayEquals(body, response.body());
            assertTrue(elapsed.toMillis() >= 1_000, "200 KB at 100 KB/s took only " + elapsed);
        }
    }

    /** The https listener serves the test CA's certificate; a client that trusts that CA gets the file. */
    @Test
    void servesHttpsWithTheCertificateItIsGiven(@TempDir Path tlsRoot) throws Exception {
        TestCertificates.assumeAvailable();
        Files.write(tlsRoot.resolve("file.bin"), BODY);
        try (Nginx tls = Nginx.startTls(tlsRoot, TestCertificates.get().valid())) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            try (InputStream in = Files.newInputStream(TestCertificates.get().ca())) {
                trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            HttpsURLConnection connection = (HttpsURLConnection) tls.httpsUrl("/file.bin").toURL().openConnection();
            connection.setSSLSocketFactory(context.getSocketFactory());

            assertEquals(200, connection.getResponseCode());
            assertEquals("CN=hoard test server",
                    ((X509Certificate) connection.getServerCertificates()[0]).getSubjectX500Principal().getName());
            try (InputStream body = connection.getInputStream()) {
                assertArrayEquals(BODY, body.readAllBytes());
            }
            assertEquals(200, fetch("GET", tls.url("/file.bin")).status(), "plain http still on port()");
        }
    }

    @Test
    void closeLeavesNoProcessAndFreesThePort(@TempDir Path otherRoot) throws IOException {
        Nginx other = Nginx.start(otherRoot);
        long pid = other.pid();
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        assertTrue(process.map(ProcessHandle::isAlive).orElse(false), "nginx runs as pid " + pid);
        assertTrue(other.accessLog().isEmpty(), "the readiness probe sends no request: " + other.accessLog());

        Path directory = other.directory();
        other.close();

        assertFalse(Files.exists(directory), "close deletes " + directory);
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "nginx " + pid + " survived");
        assertTrue(ProcessHandle.current().descendants().noneMatch(p -> p.pid() == pid));
        assertThrows(IOException.class, () -> connect(other.port()));
        other.close(); // idempotent
    }

    /** No shutdown hook runs when a JVM is SIGKILLed (say, by a surefire fork timeout); the watchdog still acts. */
    @Test
    void nginxDiesWithAKilledJvm(@TempDir Path orphanRoot) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(java, "-cp", TestJvm.classPath(), StartAndHang.class.getName(),
                orphanRoot.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            String pidLine = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertNotNull(pidLine, "the child JVM did not start nginx");
            String[] pidAndDirectory = pidLine.split(" ", 2);
            ProcessHandle orphan = ProcessHandle.of(Long.parseLong(pidAndDirectory[0])).orElseThrow();
            ProcessHandle watchdog = orphan.parent().orElseThrow();
            Path directory = Path.of(pidAndDirectory[1]);
            assertTrue(Files.isDirectory(directory));

            jvm.destroyForcibly();

            assertTrue(jvm.waitFor(10, TimeUnit.SECONDS));
            orphan.onExit().get(10, TimeUnit.SECONDS);
            watchdog.onExit().get(10, TimeUnit.SECONDS);
            assertFalse(orphan.isAlive());
            assertFalse(Files.exists(directory), "the watchdog deletes " + directory);
        } finally {
            jvm.destroyForcibly();
        }
    }

    /** Run in a child JVM by {@link #nginxDiesWithAKilledJvm}: starts nginx, prints its pid, and waits to be killed. */
    static final class StartAndHang {
        public static void main(String[] args) throws InterruptedException {
            Nginx nginx = Nginx.start(Path.of(args[0]));
            System.out.println(nginx.pid() + " " + nginx.directory());
            System.out.flush();
            Thread.sleep(Duration.ofSeconds(30)); // bounded: the parent kills this JVM long before
        }
    }

    @Test
    void missingNginxSkipsWithAReasonUnlessRequired() {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        Nginx.assumeAvailable(Optional.of(Path.of("/usr/sbin/nginx")), "1", log);

        TestAbortedException skipped =
                assertThrows(TestAbortedException.class, () -> Nginx.assumeAvailable(Optional.empty(), null, log));
        AssertionError required =
                assertThrows(AssertionError.class, () -> Nginx.assumeAvailable(Optional.empty(), "1", log));

        assertTrue(skipped.getMessage().contains("nginx not found"), skipped.getMessage());
        assertEquals("SKIPPED nginx not found on PATH or /usr/sbin; install it with apt-get install nginx\n",
                stderr.toString(StandardCharsets.UTF_8), "one visible line, for the skip only");
        assertTrue(required.getMessage().contains("HOARD_REQUIRE_NGINX=1"), required.getMessage());
    }

    private static void connect(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
        }
    }
}
