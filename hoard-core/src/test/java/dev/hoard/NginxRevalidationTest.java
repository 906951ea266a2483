package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.hoard.testing.AccessLogEntry;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.Nginx;
import dev.hoard.testing.TestBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Revalidation against a real nginx, which sends ETag and Last-Modified and answers conditional requests. */
@ExtendWith(CacheInvariants.class)
class NginxRevalidationTest {
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final Instant MTIME = Instant.parse("2025-05-13T10:08:43Z");

    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    private Nginx nginx;
    private Path file;
    private Hoard hoard;

    @BeforeEach
    void start() throws Exception {
        Nginx.assumeAvailable();
        Path www = Files.createDirectories(tmp.resolve("www"));
        file = www.resolve("ubuntu.img");
        Files.write(file, TestBytes.random(500_000, 7));
        Files.setLastModifiedTime(file, FileTime.from(MTIME));
        nginx = Nginx.start(www);
        cache = tmp.resolve("cache");
        hoard = Hoard.open(cache);
    }

    @AfterEach
    void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void metadataHoldsTheFilesMtimeAsLastModifiedAndNginxsEtag() throws Exception {
        FetchResult r = hoard.fetch(FetchRequest.of(nginx.url("/ubuntu.img")));

        assertEquals(FetchStatus.DOWNLOADED, r.status());
        assertEquals(HTTP_DATE.format(MTIME), r.lastModified());
        assertNotNull(r.etag());
        assertEquals(Hashes.sha256(Files.readAllBytes(file)), r.digest());
    }

    @Test
    void anUnchangedFileIsAnsweredWith304AndUsedFromTheCache() throws Exception {
        hoard.fetch(FetchRequest.of(nginx.url("/ubuntu.img")));
        FetchResult again = hoard.fetch(FetchRequest.of(nginx.url("/ubuntu.img")).output(tmp.resolve("out.img")));

        assertEquals(FetchStatus.USED_CACHE, again.status());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(tmp.resolve("out.img")));
        List<AccessLogEntry> log = nginx.awaitAccessLog(2, Duration.ofSeconds(5));
        assertEquals(List.of(200, 304), log.stream().map(AccessLogEntry::status).toList());
        assertEquals(0, log.get(1).bodyBytesSent());
        assertEquals(HTTP_DATE.format(MTIME), log.get(1).ifModifiedSince());
    }

    @Test
    void aChangedFileIsDownloadedAgainAndPublishedWhole() throws Exception {
        hoard.fetch(FetchRequest.of(nginx.url("/ubuntu.img")));
        byte[] changed = TestBytes.random(700_000, 8);
        Files.write(file, changed);
        Files.setLastModifiedTime(file, FileTime.from(MTIME.plusSeconds(3600)));

        FetchResult r = hoard.fetch(FetchRequest.of(nginx.url("/ubuntu.img")).output(tmp.resolve("new.img")));
        assertEquals(FetchStatus.DOWNLOADED, r.status());
        assertArrayEquals(changed, Files.readAllBytes(tmp.resolve("new.img")));
        assertEquals(HTTP_DATE.format(MTIME.plusSeconds(3600)), r.lastModified());
        List<AccessLogEntry> log = nginx.awaitAccessLog(2, Duration.ofSeconds(5));
        assertEquals(2, log.stream().filter(e -> e.status() == 200).count(), log.toString());
    }

    @Test
    void withADigestAChangedFileIsNotAskedFor() throws Exception {
        Digest digest = Hashes.sha256(Files.readAllBytes(file));
        hoard.fetch(FetchRequest.of(nginx.url("/ubuntu.img")).digest(digest));
        Files.setLastModifiedTime(file, FileTime.from(MTIME.plusSeconds(60)));

        assertEquals(FetchStatus.USED_CACHE,
                hoard.fetch(FetchRequest.of(nginx.url("/ubuntu.img")).digest(digest)).status());
        // A digest-less fetch afterwards does reach nginx; it must be the second request nginx ever saw.
        hoard.fetch(FetchRequest.of(nginx.url("/ubuntu.img")));
        List<AccessLogEntry> log = nginx.awaitAccessLog(2, Duration.ofSeconds(5));
        assertEquals(2, log.size(), log.toString());
        assertNotNull(log.get(1).ifNoneMatch(), "the second request is the digest-less revalidation");
    }
}
