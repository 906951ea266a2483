package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person typing hoard commands gets wrong, and what hoard says back: one line that names the mistake and what
 * was likely meant, exit 2, and a cache left exactly as it was.
 */
@ExtendWith(CacheInvariants.class)
class UsageEdgesTest {
    private static final byte[] BODY = TestBytes.random(20_000, 3);

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
        server.put("/disk.img", BODY);
        cacheRoot = tmp.resolve("cache");
        cache = new TestCache(cacheRoot);
        cache.runExpecting(0, "get", "-q", server.url("/disk.img").toString());
        before = cache.tree();
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

    /**
     * picocli quotes what it could not take, and a secret typed one place off lands there: a header's value where a
     * number was expected, a URL with a password as an unexpected argument. Neither is shown.
     */
    @Test
    void aSecretThatLandsInTheWrongPlaceIsNotRepeatedBack() {
        String url = server.url("/disk.img").toString();
        Cli.Run shifted = cache.runExpecting(2, "get", "--header", "Authorization: Bearer SECRET-TOKEN-1",
                "--connections", "Bearer SECRET-TOKEN-1", url);
        Cli.Run attached = cache.runExpecting(2, "get", "-HPrivate-Token: SECRET-TOKEN-2", "--retries",
                "SECRET-TOKEN-2", url);
        Cli.Run login = cache.runExpecting(2, "rm", "--bogus", "https://alice:SECRET-PASSWORD@127.0.0.1/x");
        Cli.Run unexpected = cache.runExpecting(2, "dir", "https://alice:SECRET-PASSWORD@127.0.0.1/x");

        assertEquals("hoard: Invalid value for option '--connections': '***' is not an int\n"
                + "Try 'hoard get --help' for more information.\n", shifted.stderr());
        assertTrue(attached.stderr().startsWith("hoard: Invalid value for option '--retries': '***'"),
                attached.toString());
        for (Cli.Run run : List.of(shifted, attached, login, unexpected)) {
            assertFalse(run.stderr().contains("SECRET") || run.stdout().contains("SECRET"), run.toString());
        }
        assertTrue(unexpected.stderr().contains("https://alice:***@127.0.0.1/x"), unexpected.toString());
        assertUnchanged();
    }

    @Test
    void anEmptyCacheDirectoryIsRefusedWhereverItComesFrom() {
        Cli.Run flag = Cli.run("get", "-q", "--cache-dir", "", server.url("/disk.img").toString());
        Cli.Run ls = Cli.run("ls", "--cache-dir", "");

        assertEquals(2, flag.exitCode(), flag.toString());
        assertEquals("hoard: --cache-dir is empty; name a directory, or leave the option out for the default ("
                + dev.hoard.Hoard.defaultCacheDir() + ")\n", flag.stderr());
        assertEquals(2, ls.exitCode(), ls.toString());
        assertFalse(Files.exists(Path.of("hoard-cache.json")) || Files.exists(Path.of("blobs")),
                "no cache was made in the working directory");
    }

    @Test
    void anEmptyHoardCacheDirIsRefusedInAForkedRun() {
        Cli.Run run = Cli.await(Cli.fork(tmp, "empty-env", java.util.Map.of("HOARD_CACHE_DIR", ""), "dir"), tmp,
                "empty-env", 60);

        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.stderr().startsWith("hoard: HOARD_CACHE_DIR is set but empty;"), run.toString());
        assertEquals("", run.stdout());
    }

    @Test
    void managementCommandsOnADirectoryWithoutACacheSaySoAndCreateNothing() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve("notes.txt"), "mine");
        for (String[] command : new String[][] {{"ls"}, {"verify"}, {"rm", server.url("/disk.img").toString()},
                {"prune", "--all"}}) {
            String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command),
                    java.util.stream.Stream.of("--cache-dir", home.toString())).toArray(String[]::new);
            Cli.Run run = Cli.run(args);

            assertEquals(1, run.exitCode(), run.toString());
            assertEquals("hoard: " + home + ": holds no hoard cache (no hoard-cache.json, blobs or entries); nothing "
                    + "was changed\n", run.stderr());
            assertEquals(List.of("/", "notes.txt 4"), TestCache.tree(home));
        }
    }

    @Test
    void everyCommandPrintsTheVersion() {
        String expected = String.join("\n", BuildInfo.versionLines()) + "\n";
        for (String command : List.of("get", "prefetch", "ls", "verify", "rm", "prune", "dir", "completion")) {
            for (String flag : List.of("--version", "-V")) {
                Cli.Run run = Cli.run(command, flag);
                assertEquals(0, run.exitCode(), command + " " + flag + "\n" + run);
                assertEquals(expected, run.stdout(), command + " " + flag);
            }
        }
    }

    @Test
    void aMistypedCommandOrOptionNamesTheLikelyOne() {
        assertUsage("hoard: unknown command 'gte'; did you mean 'get'?", "gte", server.url("/disk.img").toString());
        assertUsage("hoard: unknown command 'prnue'; did you mean 'prune'?", "prnue", "--all");
        assertUsage("hoard: unknown option '--outptu'; did you mean '--output'?", "get", "--outptu", "x",
                server.url("/disk.img").toString());
        assertUsage("hoard: unknown command 'fetch'", "fetch", "x");
        assertUsage("hoard: unexpected argument 'extra'", "ls", "extra");
        assertUnchanged();
    }

    @Test
    void usageErrorsAreOneSentenceWithoutPicocliPrefixes() {
        String[][] mistakes = {
            {"prune"}, {"prune", "--all", "--partial"}, {"get"}, {"get", "--connections", "many", "http://x/y"},
            {"get", "-d", "sha256:abc", "http://x/y"}, {"verify", "--repiar"}, {"rm"}, {"prefetch"},
        };
        for (String[] mistake : mistakes) {
            Cli.Run run = cache.run(mistake);
            assertEquals(2, run.exitCode(), String.join(" ", mistake) + "\n" + run);
            String first = run.stderr().lines().findFirst().orElse("");
            assertTrue(first.startsWith("hoard: ") && !first.startsWith("hoard: Error") && !first.contains("index")
                    && !first.startsWith("hoard: hoard:") && !run.stderr().contains("\tat "), run.toString());
        }
        assertUnchanged();
    }

    @Test
    void getJsonDescribesAFailureAsAnObjectToo() {
        String missing = server.url("/missing.img").toString();
        Cli.Run run = cache.run("get", "-q", "--json", "-o", tmp.resolve("out.img").toString(), missing);

        assertEquals(4, run.exitCode(), run.toString());
        assertEquals("{\"status\":\"failed\",\"url\":\"" + missing + "\",\"path\":\"" + tmp.resolve("out.img")
                + "\",\"cachePath\":null,\"size\":null,\"digest\":null,\"etag\":null,\"lastModified\":null,"
                + "\"contentType\":null,\"bytesTransferred\":null,\"error\":\"HTTP 404 for " + missing + "\"}\n",
                run.stdout());
        assertEquals("hoard: HTTP 404 for " + missing + "\n", run.stderr());
        assertUnchanged();
    }

    @Test
    void anIoFailureNamesThePathAndWhatIsWrongWithIt() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");

        Cli.Run run = cache.run("get", "-q", "-o", file.resolve("out.img").toString(),
                server.url("/disk.img").toString());

        assertEquals(1, run.exitCode(), run.toString());
        assertEquals("hoard: " + file + ": is in the way: it exists, and is not the directory needed here\n",
                run.stderr());
        assertUnchanged();
    }

    private void assertUsage(String message, String... args) {
        Cli.Run run = cache.run(args);
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals(message, run.stderr().lines().findFirst().orElse(""), run.toString());
    }

    private void assertUnchanged() {
        assertEquals(before, cache.tree());
    }
}
