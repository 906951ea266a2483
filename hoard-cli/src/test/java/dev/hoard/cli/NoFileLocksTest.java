package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.Hashes;
import dev.hoard.testing.LockingProcess;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --no-file-locks} and {@code HOARD_FILE_LOCKS=off} reach the management commands too. Another process holds
 * the OS file lock of a cached entry, as a downloading hoard would: with file locks, ls, verify, rm and prune treat
 * the entry as busy; without, they do not see that lock at all, as on a mount where OS locks silently do nothing.
 */
class NoFileLocksTest {
    private static final byte[] BODY = TestBytes.random(100_000);

    @TempDir
    Path tmp;

    private TestHttpServer server;
    private TestCache cache;
    private URI url;
    private LockingProcess otherProcess;

    @BeforeEach
    void cacheAnEntryWhoseLockAnotherProcessHolds() {
        server = TestHttpServer.start();
        server.put("/disk.img", BODY);
        url = server.url("/disk.img");
        cache = new TestCache(tmp.resolve("cache"));
        cache.quietGet(url.toString());
        otherProcess = LockingProcess.hold(cache.entryDir(url).resolve("lock"));
    }

    @AfterEach
    void stop() throws Exception {
        otherProcess.close();
        server.close();
    }

    @Test
    void everyManagementCommandTakesTheOptionAndExplainsIt() {
        for (String command : List.of("ls", "verify", "rm", "prune")) {
            Cli.Run help = cache.runExpecting(0, command, "--help");
            assertTrue(help.stdout().contains("--no-file-locks"), help.stdout());
            assertTrue(help.stdout().contains("HOARD_FILE_LOCKS=off"), help.stdout());
        }
        assertEquals(0, cache.runExpecting(0, "verify", "--no-file-locks").exitCode());
    }

    @Test
    void rmRemovesTheEntryWithoutFileLocksAndLeavesItWithThem() {
        Cli.Run busy = cache.runExpecting(5, "rm", url.toString());
        assertTrue(busy.stderr().startsWith("hoard: " + url + " is being downloaded by"), busy.toString());

        Cli.Run rm = cache.runExpecting(0, "rm", "--no-file-locks", url.toString());

        assertEquals("removed " + url + " (97.7 KiB freed)\n", rm.stdout());
        assertNull(cache.listed(url), "removed");
    }

    @Test
    void hoardFileLocksOffInTheEnvironmentDoesTheSame() {
        Process rm = Cli.fork(tmp, "rm", Map.of("HOARD_FILE_LOCKS", "off"), "rm", "--cache-dir", cache.dir(),
                url.toString());

        Cli.Run run = Cli.await(rm, tmp, "rm", 120);

        assertEquals(0, run.exitCode(), run.toString());
        assertNull(cache.listed(url), "removed");
    }

    @Test
    void lsAndPruneSeeAPartialDownloadAsBusyOnlyWithFileLocks() throws Exception {
        Path partial = tmp.resolve("cache").resolve("blobs").resolve(".partial-" + cache.entryDir(url).getFileName() + ".1-1");
        Files.write(partial, new byte[1000]);

        assertEquals("downloading", cache.listed(url).get("state"));
        assertEquals("complete", listedWithoutFileLocks().get("state"));
        Cli.Run skipped = cache.runExpecting(0, "prune", "--partial");
        assertTrue(skipped.stderr().contains("hoard: skipped " + url + ": being downloaded by"), skipped.toString());
        assertTrue(Files.exists(partial));

        Cli.Run pruned = cache.runExpecting(0, "prune", "--partial", "--no-file-locks");

        assertTrue(pruned.stdout().startsWith("removed partial download " + partial.getFileName()),
                pruned.toString());
        assertFalse(Files.exists(partial));
    }

    @Test
    void verifyRepairRemovesACorruptEntryWithoutFileLocksAndLeavesItWithThem() throws Exception {
        Path blob = cache.blob(Hashes.sha256Hex(BODY));
        Files.write(blob, new byte[BODY.length]);

        Cli.Run leftAlone = cache.runExpecting(3, "verify", "--repair", url.toString());
        assertTrue(leftAlone.stdout().contains("the entry was left to"), leftAlone.toString());
        assertEquals("missing", cache.listed(url).get("state"));

        Cli.Run repaired = cache.runExpecting(3, "verify", "--repair", "--no-file-locks", url.toString());

        assertTrue(repaired.stdout().startsWith(url + ": FAILED: its blob"), repaired.toString());
        assertTrue(repaired.stdout().trim().endsWith("; removed"), repaired.toString());
        assertNull(cache.listed(url), "removed");
    }

    private Map<String, Object> listedWithoutFileLocks() {
        Cli.Run ls = cache.runExpecting(0, "ls", "--json", "--no-file-locks");
        return ls.stdout().lines().map(dev.hoard.internal.json.Json::parseObject)
                .filter(e -> url.toString().equals(e.get("url"))).findFirst().orElseThrow();
    }
}
