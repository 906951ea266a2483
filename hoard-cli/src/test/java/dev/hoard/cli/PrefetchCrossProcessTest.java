package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two prefetches with overlapping manifests and a get, in three JVMs started together on one empty cache: the
 * library's locks make every file's body cross the network once.
 */
@ExtendWith(CacheInvariants.class)
class PrefetchCrossProcessTest {
    private static final int SIZE = 1_500_000;

    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    @BeforeEach
    void setUp() {
        cache = tmp.resolve("cache");
    }

    @Test
    void twoPrefetchesAndAGetAtOnceDownloadEachFileOnce() throws Exception {
        List<String> names = List.of("a.img", "b.img", "c.img");
        try (TestHttpServer server = TestHttpServer.start()) {
            for (int i = 0; i < names.size(); i++) {
                server.put("/" + names.get(i), TestBytes.random(SIZE + i));
            }
            server.throttle(1_000_000); // ~1.5 s per body: the three processes overlap
            Path first = Files.writeString(tmp.resolve("first.txt"),
                    server.url("/a.img") + "\n" + server.url("/b.img") + "\n");
            Path second = Files.writeString(tmp.resolve("second.yaml"),
                    "- url: " + server.url("/b.img") + "\n- url: " + server.url("/c.img") + "\n- url: "
                            + server.url("/a.img") + "\n");

            Process p1 = Cli.fork(tmp, "prefetch-1", Map.of(), "prefetch", "--cache-dir", cache.toString(),
                    first.toString());
            Process p2 = Cli.fork(tmp, "prefetch-2", Map.of(), "prefetch", "--cache-dir", cache.toString(),
                    second.toString());
            Process get = Cli.fork(tmp, "get", Map.of(), "get", "--cache-dir", cache.toString(), "-o",
                    tmp.resolve("c-copy.img").toString(), server.url("/c.img").toString());

            for (Cli.Run run : List.of(Cli.await(p1, tmp, "prefetch-1", 120), Cli.await(p2, tmp, "prefetch-2", 120),
                    Cli.await(get, tmp, "get", 120))) {
                assertEquals(0, run.exitCode(), run.toString());
            }
            for (int i = 0; i < names.size(); i++) {
                String path = "/" + names.get(i);
                assertEquals(1, server.fullBodyCount(path), path + ": " + server.requests());
                assertEquals(SIZE + i, server.bodyBytesSent(path), path);
            }
            assertArrayEquals(TestBytes.random(SIZE + 2), Files.readAllBytes(tmp.resolve("c-copy.img")));
        }
    }
}
