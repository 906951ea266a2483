package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.TestHttpServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person typing hoard commands gets wrong, and what hoard says back: one line that names the mistake and what
 * was likely meant, exit 2, and a cache left exactly as it was.
 */
class UsageEdgesTest {
    private static final byte[] BODY = new byte[20_000];

    static {
        new Random(3).nextBytes(BODY);
    }

    @TempDir
    Path tmp;

    private TestHttpServer server;
    private TestCache cache;
    private List<String> before;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/disk.img", BODY);
        cache = new TestCache(tmp.resolve("cache"));
        cache.runExpecting(0, "get", "-q", server.url("/disk.img").toString());
        before = FailuresLeaveNoTraceTest.tree(tmp.resolve("cache"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aDurationWithoutAUnitIsRefusedWithTheLikelyMeaning() {
        Cli.Run prune = cache.runExpecting(2, "prune", "--older-than", "7");
        Cli.Run get = cache.runExpecting(2, "get", "--lock-timeout", "30", server.url("/disk.img").toString());

        assertTrue(prune.stderr().startsWith("hoard: Invalid value for option '--older-than': '7' has no unit; "
                + "did you mean 7d?"), prune.toString());
        assertTrue(get.stderr().contains("'30' has no unit; did you mean 30s?"), get.toString());
        assertUnchanged();
    }

    private void assertUnchanged() {
        assertEquals(before, FailuresLeaveNoTraceTest.tree(tmp.resolve("cache")));
    }
}
