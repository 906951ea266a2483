package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.internal.store.PartialRecord;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Fault;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The next lock holder adopts what a dead one left: a partial file and its record, laid out as on disk. */
@ExtendWith(CacheInvariants.class)
class ResumeTest {
    private static final int SIZE = 300_000;
    private static final byte[] BODY = TestBytes.random(SIZE, 5);

    @TempDir
    Path tmp;

    private TestHttpServer server;
    private URI url;
    @CacheDir
    Path cache;
    private final List<Long> resumedAt = new ArrayList<>();
    private final FetchListener recorder = new FetchListener() {
        @Override
        public void resumed(URI u, long offset, long total) {
            resumedAt.add(offset);
        }
    };

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/disk.img", BODY);
        url = server.url("/disk.img");
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aDeadHoldersPartialIsAdoptedAndOnlyTheRestIsFetched() throws Exception {
        leavePartial(120_000, "\"etag\": " + quoted(TestHttpServer.etag(BODY)));

        FetchResult r = Hoard.open(cache).fetch(FetchRequest.of(url), recorder);
        assertEquals(Hashes.sha256(BODY), r.digest());
        assertEquals(List.of(120_000L), resumedAt);
        assertEquals(SIZE - 120_000, server.bodyBytesSent("/disk.img"));
        assertEquals(SIZE - 120_000, r.bytesTransferred());
        assertFalse(Files.exists(entryDir().resolve("partial.json")), "the record goes with the published file");
    }

    @Test
    void aCompletePartialWithADigestIsVerifiedAndPublishedWithoutABody() throws Exception {
        leavePartial(SIZE, "\"etag\": " + quoted(TestHttpServer.etag(BODY)));

        FetchResult r = Hoard.open(cache).fetch(FetchRequest.of(url).digest(Hashes.sha256(BODY)), recorder);
        assertEquals(FetchStatus.DOWNLOADED, r.status());
        assertEquals(1, server.requests().size());
        assertEquals(416, server.requests().get(0).status());
        assertEquals(0, server.bodyBytesSent("/disk.img"));
    }

    @Test
    void aPartialFromAnotherBootIsTrustedOnlyUpToItsCheckpoint() throws Exception {
        leavePartial(200_000, "\"etag\": " + quoted(TestHttpServer.etag(BODY)), "not-this-boot", 50_000);

        Hoard.open(cache).fetch(FetchRequest.of(url), recorder);
        assertEquals(List.of(50_000L), resumedAt);
    }

    @Test
    void aPartialWhoseRemoteChangedIsDiscarded() throws Exception {
        leavePartial(100_000, "\"etag\": \"\\\"stale\\\"\"");

        FetchResult r = Hoard.open(cache).fetch(FetchRequest.of(url), recorder);
        assertEquals(Hashes.sha256(BODY), r.digest());
        assertEquals(List.of(), resumedAt);
        assertEquals(SIZE, server.bodyBytesSent("/disk.img"));
    }

    @Test
    void aCorruptRecordMeansAFreshStart() throws Exception {
        Path partial = leavePartial(100_000, "\"etag\": " + quoted(TestHttpServer.etag(BODY)));
        Files.writeString(entryDir().resolve("partial.json"), "{\"format\": 1, \"file\": ");

        FetchResult r = Hoard.open(cache).fetch(FetchRequest.of(url), recorder);
        assertEquals(Hashes.sha256(BODY), r.digest());
        assertEquals(List.of(), resumedAt);
        assertFalse(Files.exists(partial), "an unrecorded partial is garbage and is removed");
    }

    @Test
    void aFailedDownloadLeavesARecordOfWhatWasFsyncedForAfterAReboot() throws Exception {
        int mib = 1 << 20;
        byte[] big = TestBytes.random(72 * mib, 6);
        server.put("/big.img", big);
        server.enqueue("/big.img", Fault.dropAfter(70 * mib));
        URI bigUrl = server.url("/big.img");
        Hoard hoard = Hoard.open(HoardOptions.of(cache).connections(1).retries(0));

        assertThrows(DownloadException.class, () -> hoard.fetch(FetchRequest.of(bigUrl)));

        String key = Hashes.sha256(bigUrl.toString().getBytes()).hex();
        PartialRecord record = PartialRecord.parse(
                Files.readString(cache.resolve("entries").resolve(key).resolve("partial.json")));
        // The background flush starts at 64 MiB; the attempt waits for it before it gives up.
        assertTrue(record.durable() >= 64L * mib && record.durable() <= 70L * mib, "durable: " + record.durable());
        assertEquals(70L * mib, Files.size(cache.resolve("blobs").resolve(record.file())));
    }

    private Path leavePartial(int bytes, String validator) throws Exception {
        return leavePartial(bytes, validator, currentBootId(), 0);
    }

    /** Lays out what a holder that died after writing {@code bytes} leaves: the partial and partial.json. */
    private Path leavePartial(int bytes, String validator, String bootId, long durable) throws Exception {
        Hoard.open(cache); // creates the layout
        Files.createDirectories(entryDir());
        Path partial = cache.resolve("blobs/.partial-" + key() + ".99999-1");
        Files.write(partial, Arrays.copyOf(BODY, bytes));
        Files.writeString(entryDir().resolve("partial.json"), "{\"format\": 1, \"file\": \"" + partial.getFileName()
                + "\", \"source\": \"" + url + "\", " + validator + ", \"lastModified\": null, \"length\": " + SIZE
                + ", \"bootId\": " + (bootId == null ? "null" : quoted(bootId)) + ", \"durable\": " + durable + "}");
        return partial;
    }

    private Path entryDir() {
        return cache.resolve("entries").resolve(key());
    }

    private String key() {
        return Hashes.sha256(url.toString().getBytes()).hex();
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String currentBootId() throws Exception {
        Path bootId = Path.of("/proc/sys/kernel/random/boot_id");
        return Files.exists(bootId) ? Files.readString(bootId).trim() : null;
    }
}
