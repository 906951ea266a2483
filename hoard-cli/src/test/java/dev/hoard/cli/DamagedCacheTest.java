package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache files damaged by an outside hand (a disk error, a stray command, a half-finished copy of the cache): each is
 * named by its path, never trusted, never copied out, and never keeps the rest of the cache from working.
 */
@ExtendWith(CacheInvariants.class)
class DamagedCacheTest {
    private static final byte[] DISK = TestBytes.random(80_000, 1);
    private static final byte[] KERNEL = TestBytes.random(30_000, 2);

    @TempDir
    Path tmp;

    @CacheDir
    Path cacheRoot;

    private TestHttpServer server;
    private TestCache cache;
    private URI disk;
    private URI kernel;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/disk.img", DISK);
        server.put("/vmlinuz", KERNEL);
        disk = server.url("/disk.img");
        kernel = server.url("/vmlinuz");
        cacheRoot = tmp.resolve("cache");
        cache = new TestCache(cacheRoot);
        cache.runExpecting(0, "get", "-q", disk.toString());
        cache.runExpecting(0, "get", "-q", kernel.toString());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aBlobOfTheWrongSizeIsNeverCopiedOutButDownloadedAgain() throws Exception {
        Path blob = cache.blob(Hashes.sha256Hex(DISK));
        Files.write(blob, new byte[1000]); // cut short, e.g. by a copy of the cache that did not finish
        Path out = tmp.resolve("disk.img");

        Cli.Run run = cache.runExpecting(0, "get", "-q", "-o", out.toString(), disk.toString());

        assertArrayEquals(DISK, Files.readAllBytes(out));
        assertArrayEquals(DISK, Files.readAllBytes(blob), "replaced by the new download");
        assertTrue(run.stderr().contains("the cached file " + blob + " has 1000 bytes, but 80000 were downloaded"),
                run.toString());
        assertEquals(2, server.fullBodyCount("/disk.img"));
    }

    @Test
    void withADigestABlobOfTheWrongSizeIsDownloadedAgainToo() throws Exception {
        Path blob = cache.blob(Hashes.sha256Hex(DISK));
        Files.write(blob, new byte[1000]);
        Path out = tmp.resolve("disk.img");

        Cli.Run run = cache.runExpecting(0, "get", "-q", "-d", "sha256:" + Hashes.sha256Hex(DISK), "-o",
                out.toString(), disk.toString());

        assertArrayEquals(DISK, Files.readAllBytes(out));
        assertTrue(run.stderr().contains(blob + " has 1000 bytes"), run.toString());
    }

    @Test
    void aMetaJsonThatIsADirectoryIsReportedAndReplacedByTheNextDownload() throws Exception {
        Path meta = cache.entryDir(disk).resolve("meta.json");
        Files.delete(meta);
        Files.createDirectories(meta.resolve("inside"));

        assertReportedAndDownloadedAgain(meta + " is a directory");
    }

    @Test
    void aMetaJsonThatIsGarbageIsReportedAndReplacedByTheNextDownload() throws Exception {
        Path meta = cache.entryDir(disk).resolve("meta.json");
        Files.write(meta, new byte[] {(byte) 0xff, 0x00, 'x'});

        assertReportedAndDownloadedAgain(meta + " is not valid metadata: not UTF-8");
    }

    @Test
    void aLockThatIsASymlinkIsNeverFollowedAndRmRemovesIt() throws Exception {
        Path victim = Files.writeString(tmp.resolve("victim"), "precious");
        Path lock = cache.entryDir(disk).resolve("lock");
        Files.delete(lock);
        Files.createSymbolicLink(lock, victim);
        String problem = lock + " is a symbolic link (hoard does not follow it)";

        Cli.Run ls = cache.runExpecting(0, "ls");
        assertTrue(ls.stderr().contains("hoard: damaged: " + problem + "; 'hoard rm " + disk + "'"), ls.toString());
        assertTrue(ls.stdout().contains(kernel.toString()), "the rest is listed:\n" + ls);
        Cli.Run verify = cache.runExpecting(3, "verify");
        assertTrue(verify.stdout().contains(disk + ": FAILED: " + problem), verify.toString());
        assertTrue(verify.stdout().contains(kernel + ": OK"), verify.toString());

        cache.runExpecting(0, "rm", disk.toString());

        assertEquals("precious", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(lock));
        cache.runExpecting(0, "get", "-q", disk.toString());
        assertEquals(2, server.fullBodyCount("/disk.img"));
    }

    @Test
    void aLockThatIsADirectoryIsRepairedByTheGetThatMustLockTheEntry() throws Exception {
        Path lock = cache.entryDir(disk).resolve("lock");
        Files.delete(lock);
        Files.createDirectories(lock.resolve("x"));
        Files.delete(cache.entryDir(disk).resolve("meta.json")); // so that the get needs the lock

        Cli.Run get = cache.runExpecting(0, "get", "-q", "-o", tmp.resolve("out").toString(), disk.toString());

        assertTrue(get.stderr().contains("hoard: warning: " + lock + " is a directory; removed it"), get.toString());
        assertArrayEquals(DISK, Files.readAllBytes(tmp.resolve("out")));
        assertTrue(Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS));
        assertEquals("", cache.runExpecting(0, "ls").stderr());
    }

    @Test
    void anEntryDirectoryThatIsASymlinkIsNeverWrittenThrough() throws Exception {
        Path entry = cache.entryDir(disk);
        Path elsewhere = tmp.resolve("elsewhere");
        Files.move(entry, elsewhere);
        Files.delete(elsewhere.resolve("meta.json"));
        Files.createSymbolicLink(entry, elsewhere);
        List<String> untouched = TestCache.tree(elsewhere);

        Cli.Run ls = cache.runExpecting(0, "ls");
        assertTrue(ls.stderr().contains(entry + " is a symbolic link (hoard does not follow it)"), ls.toString());
        Cli.Run get = cache.runExpecting(0, "get", "-q", disk.toString());

        assertTrue(get.stderr().contains(entry + " is a symbolic link (hoard does not follow it); removed it"),
                get.toString());
        assertEquals(untouched, TestCache.tree(elsewhere), "nothing was written through the link");
        assertTrue(Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aHitThroughAnEntryDirectoryThatIsASymlinkWritesNothingThere() throws Exception {
        Path entry = cache.entryDir(disk);
        Path elsewhere = tmp.resolve("elsewhere");
        Files.move(entry, elsewhere);
        Files.createSymbolicLink(entry, elsewhere);
        FileTime longAgo = FileTime.from(java.time.Instant.now().minus(java.time.Duration.ofDays(2)));
        Files.setLastModifiedTime(elsewhere.resolve("used"), longAgo); // a hit would record its use

        Cli.Run get = cache.runExpecting(0, "get", "-q", disk.toString());

        assertTrue(get.stdout().contains(Hashes.sha256Hex(DISK)), "read through, it is still a hit:\n" + get);
        assertEquals(longAgo, Files.getLastModifiedTime(elsewhere.resolve("used")), "not written through");
    }

    @Test
    void aFormatFileThatIsADirectoryIsRewritten() throws Exception {
        Path format = tmp.resolve("cache/hoard-cache.json");
        Files.delete(format);
        Files.createDirectories(format.resolve("y"));

        Cli.Run ls = cache.runExpecting(0, "ls");

        assertTrue(ls.stdout().contains(disk.toString()), ls.toString());
        assertTrue(Files.isRegularFile(format, LinkOption.NOFOLLOW_LINKS));
        assertEquals(1L, dev.hoard.internal.json.Json.parseObject(Files.readString(format)).get("format"));
        cache.runExpecting(0, "get", "-q", disk.toString());
    }

    @Test
    void blobsThatIsAFileFailsGetsByNameAndPruneAllRepairsIt() throws Exception {
        Path blobs = tmp.resolve("cache/blobs");
        Files.walk(blobs).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        Files.writeString(blobs, "not a directory");

        Cli.Run get = cache.runExpecting(1, "get", "-q", disk.toString());
        assertEquals("hoard: " + blobs + " is a file, not a directory: the cache is damaged and cannot store files; "
                + "pruning all of it repairs it\n", get.stderr());
        Cli.Run ls = cache.runExpecting(0, "ls");
        assertTrue(ls.stderr().contains("hoard: damaged: " + blobs + " is a file, not a directory"), ls.toString());
        assertTrue(ls.stdout().lines().anyMatch(l -> l.contains(" missing ") && l.endsWith(disk.toString())),
                ls.toString());
        assertTrue(ls.stdout().contains("(damaged) " + blobs), ls.toString());
        Cli.Run verify = cache.runExpecting(3, "verify");
        assertTrue(verify.stdout().contains("(damaged): FAILED: " + blobs + " is a file"), verify.toString());

        assertEmptyAndWorkingAfterPruneAll();
    }

    @Test
    void pruneAllLeavesAnEmptyWorkingCacheWhateverIsDamaged() throws Exception {
        Path diskEntry = cache.entryDir(disk);
        Files.delete(diskEntry.resolve("lock"));
        Files.createDirectories(diskEntry.resolve("lock/x"));
        Files.delete(diskEntry.resolve("meta.json"));
        Files.createDirectories(diskEntry.resolve("meta.json"));
        Path kernelEntry = cache.entryDir(kernel);
        Files.writeString(kernelEntry.resolve("meta.json"), "{\"format\": 1, \"url\": 7}");
        Files.delete(kernelEntry.resolve("lock"));
        Files.createSymbolicLink(kernelEntry.resolve("lock"), tmp.resolve("nowhere"));
        Path format = tmp.resolve("cache/hoard-cache.json");
        Files.delete(format);
        Files.createDirectories(format);
        Path third = tmp.resolve("cache/entries").resolve("ab".repeat(32));
        Files.createSymbolicLink(third, tmp);

        assertEmptyAndWorkingAfterPruneAll();
        assertTrue(Files.exists(tmp.resolve("cache")) && Files.isDirectory(tmp), "the link's target is untouched");
    }

    /** After an outside hand damaged an entry: ls and verify name it and go on, get downloads it again. */
    private void assertReportedAndDownloadedAgain(String problem) throws Exception {
        Cli.Run ls = cache.runExpecting(0, "ls");
        assertTrue(ls.stderr().contains("hoard: damaged: " + problem), ls.toString());
        assertTrue(ls.stdout().contains("damaged   " + disk) && ls.stdout().contains("complete  " + kernel),
                ls.toString());
        Cli.Run verify = cache.runExpecting(3, "verify");
        assertTrue(verify.stdout().contains(disk + ": FAILED: " + problem), verify.toString());
        assertTrue(verify.stdout().contains(kernel + ": OK"), verify.toString());

        Path out = tmp.resolve("disk.img");
        Cli.Run get = cache.runExpecting(0, "get", "-q", "-o", out.toString(), disk.toString());

        assertTrue(get.stderr().contains("hoard: warning: " + problem), get.toString());
        assertArrayEquals(DISK, Files.readAllBytes(out));
        assertEquals("", cache.runExpecting(0, "ls").stderr(), "repaired");
    }

    private void assertEmptyAndWorkingAfterPruneAll() throws Exception {
        Cli.Run prune = cache.runExpecting(0, "prune", "--all");

        assertEquals("", prune.stderr(), prune.toString());
        assertEquals(List.of(), cache.list());
        assertEquals(List.of("/", "blobs/", "entries/", "hoard-cache.json 18"),
                cache.tree().stream()
                        .filter(f -> !f.equals("entries/.repair.lock 0")).toList(),
                "an empty cache (and the lock file that repairs take, if one was made)");
        cache.runExpecting(0, "get", "-q", disk.toString());
        cache.runExpecting(0, "get", "-q", kernel.toString());
    }
}
