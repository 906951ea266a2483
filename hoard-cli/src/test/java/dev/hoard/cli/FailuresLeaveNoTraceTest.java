package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Fault;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request that fails before a byte of content arrives leaves the cache exactly as it was: no entry directory, no
 * partial file, no owner.json, nothing for {@code ls} to list. Each case compares the cache's file tree before and
 * after, and checks the exit code and the one line that says what failed.
 */
@ExtendWith(CacheInvariants.class)
class FailuresLeaveNoTraceTest {
    private static final byte[] BODY = TestBytes.random(50_000, 7);

    @TempDir
    Path tmp;

    @CacheDir
    Path cacheRoot;

    private TestHttpServer server;
    private TestCache cache;
    private List<String> before;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/good.img", BODY);
        cacheRoot = tmp.resolve("cache");
        cache = new TestCache(cacheRoot);
        cache.quietGet(server.url("/good.img").toString()); // a cache with something in it
        before = cache.tree();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void a404LeavesNoTrace() {
        assertFailsCleanly(4, "HTTP 404 for " + server.url("/missing.img"), server.url("/missing.img").toString());
        assertEquals(1, server.requestCount("/missing.img"), "a 404 is not retried");
    }

    @Test
    void a403And410LeaveNoTrace() {
        server.always("/forbidden.img", Fault.status(403));
        server.always("/gone.img", Fault.status(410));

        assertFailsCleanly(4, "HTTP 403 for ", server.url("/forbidden.img").toString());
        assertFailsCleanly(4, "HTTP 410 for ", server.url("/gone.img").toString());
    }

    @Test
    void aRefusedConnectionLeavesNoTrace() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        assertFailsCleanly(4, "Connection refused", "--retries", "1", "http://127.0.0.1:" + port + "/x.img");
    }

    @Test
    void anUnknownHostFailsAtOnceAndLeavesNoTrace() {
        Cli.Run run = assertFailsCleanly(4, "unknown host 'no-such-host.invalid'",
                "http://no-such-host.invalid/x.img");
        assertFalse(run.stderr().contains("retry"), "an unknown host is not retried:\n" + run);
    }

    @Test
    void aRedirectLoopLeavesNoTrace() {
        server.redirectLoop("/a.img", "/b.img");

        assertFailsCleanly(4, "too many redirects", server.url("/a.img").toString());
    }

    @Test
    @SuppressWarnings("try") // closed early to end the answering thread before the join
    void aReplyThatIsNotHttpLeavesNoTrace() throws Exception {
        try (ServerSocket notHttp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread answering = Thread.ofPlatform().daemon().start(() -> answerWithGarbage(notHttp));
            assertFailsCleanly(4, "127.0.0.1:" + notHttp.getLocalPort(), "--retries", "1",
                    "http://127.0.0.1:" + notHttp.getLocalPort() + "/x.img");
            notHttp.close();
            answering.join(5_000);
        }
    }

    @Test
    void aFailedDownloadAfterAnEarlierFailureStillLeavesNoTrace() {
        String missing = server.url("/missing.img").toString();
        cache.quietGet(missing);
        assertFailsCleanly(4, "HTTP 404", missing);
    }

    @Test
    void aPortOutOfRangeIsAUsageErrorInOneLine() {
        Cli.Run run = assertFailsCleanly(2, "port 99999 is not between 1 and 65535", "http://127.0.0.1:99999/x");
        assertEquals(1, run.stderr().lines().count(), run.toString());
    }

    /** Runs {@code hoard get -q args} and checks the exit code, the message, and that the cache did not change. */
    private Cli.Run assertFailsCleanly(int exitCode, String message, String... args) {
        Cli.Run run = cache.quietGet(args);

        assertEquals(exitCode, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains(message), run.toString());
        assertTrue(run.stderr().startsWith("hoard: ") && !run.stderr().contains("\tat "), run.toString());
        assertEquals(before, cache.tree(), "the cache changed:\n" + run);
        assertEquals(1, cache.list().size(), "ls lists only the good entry");
        return run;
    }

    /** Answers every connection with a line that is no HTTP status line, as an SSH server on the port would. */
    private static void answerWithGarbage(ServerSocket socket) {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept(); OutputStream out = client.getOutputStream()) {
                out.write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                return;
            }
        }
    }
}
