package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Fault;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fetch that found its file in the cache, while a prune removes that file before the fetch opens it: the fetch
 * looks again and downloads, rather than failing with "no such file".
 */
@ExtendWith(CacheInvariants.class)
class PruneDuringFetchTest {
    private static final byte[] BODY = TestBytes.random(250_000, 7);

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
        server.put("/disk.img", BODY);
        url = server.url("/disk.img");
        cache = tmp.resolve("cache");
        hoard = Hoard.open(cache);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aFilePrunedAfterItWasFoundIsDownloadedAgain() throws Exception {
        hoard.fetch(FetchRequest.of(url));
        // The revalidation fails, so the fetch warns and goes on with the cached file; the warning is the moment
        // between finding the file and copying it out, and the listener prunes the cache right then.
        server.enqueue("/disk.img", Fault.status(503));
        PruneOnWarning listener = new PruneOnWarning();
        Path out = tmp.resolve("out.img");

        FetchResult result = hoard.fetch(FetchRequest.of(url).output(out), listener);

        assertEquals(1, listener.report.count(PruneReport.Kind.ENTRY), listener.report.toString());
        assertEquals(FetchStatus.DOWNLOADED, result.status());
        assertArrayEquals(BODY, Files.readAllBytes(out));
        assertEquals(2, server.fullBodyCount("/disk.img"));
        List<CacheEntryInfo> entries = hoard.entries();
        assertEquals(1, entries.size());
        assertEquals(CacheEntryInfo.State.COMPLETE, entries.getFirst().state());
        assertTrue(Files.exists(entries.getFirst().path()));
    }

    private final class PruneOnWarning implements FetchListener {
        PruneReport report;

        @Override
        public void warning(URI warned, String message) {
            try {
                report = hoard.prune(PrunePolicy.all(), false);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
