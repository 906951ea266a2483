package dev.hoard.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** Checks {@link Squid} and pins down the squid behaviour the proxy tests rely on. */
@Timeout(60)
class SquidTest {
    private static final byte[] BODY = TestBytes.random(50_000, 3);

    @TempDir
    static Path root;
    private static Nginx nginx;
    private static Squid squid;

    @BeforeAll
    static void start() throws IOException {
        Nginx.assumeAvailable();
        Squid.assumeAvailable();
        Files.write(root.resolve("file.bin"), BODY);
        nginx = Nginx.start(root);
        squid = Squid.start();
    }

    @AfterAll
    static void stop() {
        if (squid != null) {
            squid.close();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void forwardsRangesUncachedFromItsOutgoingAddressAndLogsThem() throws IOException {
        squid.clearAccessLog();
        int before = nginx.accessLog().size();
        for (int i = 0; i < 2; i++) {
            HttpURLConnection connection = (HttpURLConnection) nginx.url("/file.bin").toURL()
                    .openConnection(proxy(squid.port()));
            connection.setRequestProperty("Range", "bytes=10-19");
            assertEquals(206, connection.getResponseCode());
            try (InputStream in = connection.getInputStream()) {
                assertEquals(10, in.readAllBytes().length);
            }
        }

        List<Squid.Entry> log = squid.awaitAccessLog(2, Duration.ofSeconds(5));
        assertEquals("GET", log.get(0).method());
        assertEquals(nginx.url("/file.bin").toString(), log.get(0).url());
        assertEquals(206, log.get(0).status());
        assertEquals("bytes=10-19", log.get(0).range());
        assertNull(log.get(0).user());
        assertEquals(squid.port(), log.get(0).port());
        List<AccessLogEntry> all = nginx.awaitAccessLog(before + 2, Duration.ofSeconds(5));
        List<AccessLogEntry> origin = all.subList(before, all.size());
        assertEquals(2, origin.size(), "nothing cached: both reached nginx " + origin);
        assertTrue(origin.stream().allMatch(e -> e.remoteAddress().equals(Squid.OUTGOING_ADDRESS)), origin.toString());
    }

    @Test
    void theAuthPortWantsTheUserAndPassword() throws IOException {
        squid.clearAccessLog();
        HttpURLConnection anonymous = (HttpURLConnection) nginx.url("/file.bin").toURL()
                .openConnection(proxy(squid.authPort()));
        assertEquals(407, anonymous.getResponseCode());
        anonymous.disconnect();

        HttpURLConnection authorized = (HttpURLConnection) nginx.url("/file.bin").toURL()
                .openConnection(proxy(squid.authPort()));
        authorized.setRequestProperty("Proxy-Authorization", "Basic " + Base64.getEncoder().encodeToString(
                (Squid.USER + ":" + Squid.PASSWORD).getBytes(StandardCharsets.UTF_8)));
        assertEquals(200, authorized.getResponseCode());
        try (InputStream in = authorized.getInputStream()) {
            assertArrayEquals(BODY, in.readAllBytes());
        }

        List<Squid.Entry> log = squid.awaitAccessLog(2, Duration.ofSeconds(5));
        assertEquals(407, log.get(0).status());
        assertEquals(Squid.USER, log.get(1).user());
        assertEquals(squid.authPort(), log.get(1).port());
        assertEquals("http://hoard:p%40ss%2Fw%3Ard@127.0.0.1:" + squid.authPort(),
                squid.url(Squid.USER, Squid.PASSWORD));
    }

    @Test
    @SuppressWarnings("try") // closing inside the block, then again at its end, is what this checks
    void closeStopsSquidAndDeletesItsDirectory() throws IOException {
        int port;
        try (Squid other = Squid.start()) {
            port = other.port();
            other.close();
            assertThrows(IOException.class, () -> {
                HttpURLConnection c = (HttpURLConnection) nginx.url("/file.bin").toURL().openConnection(proxy(port));
                c.setConnectTimeout(1000);
                c.getResponseCode();
            });
        }
        try (var shm = Files.list(Path.of("/dev/shm"))) {
            assertFalse(shm.anyMatch(f -> f.getFileName().toString().startsWith("hoardsquid" + port)),
                    "a stopped squid leaves no shared memory behind");
        }
    }

    @Test
    void missingSquidSkipsWithAReasonUnlessRequired() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream log = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            Squid.assumeAvailable(Optional.of(Path.of("/usr/sbin/squid")), "1", log);
            assertThrows(TestAbortedException.class, () -> Squid.assumeAvailable(Optional.empty(), null, log));
            assertTrue(printed.toString(StandardCharsets.UTF_8).startsWith("SKIPPED squid not found"),
                    printed::toString);
            assertThrows(AssertionError.class, () -> Squid.assumeAvailable(Optional.empty(), "1", log));
        }
    }

    private static Proxy proxy(int port) {
        return new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", port));
    }
}
