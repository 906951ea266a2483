package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoard get}, {@code dir}, {@code --version}: output, JSON and exit codes per the README. */
@ExtendWith(CacheInvariants.class)
class GetCommandTest {
    private static final byte[] BODY = TestBytes.random(123_456, 42);
    private static final String SHA256 = Hashes.sha256Hex(BODY);

    @TempDir
    Path tmp;

    private TestHttpServer server;
    private String url;
    @CacheDir
    String cacheDir;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/image.qcow2", BODY);
        url = server.url("/image.qcow2").toString();
        cacheDir = tmp.resolve("cache").toString();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void cachingOnlyPrintsTheCachedPathOnStdout() throws Exception {
        Cli.Run run = Cli.run("get", "-q", "--cache-dir", cacheDir, url);

        assertEquals(0, run.exitCode(), run.toString());
        Path printed = Path.of(run.stdout().trim());
        assertTrue(printed.startsWith(tmp.resolve("cache")), run.toString());
        assertEquals(SHA256, Hashes.sha256Hex(Files.readAllBytes(printed)));
        assertEquals("", run.stderr());
    }

    @Test
    void jsonDescribesEachOutcome() {
        String out = tmp.resolve("out.qcow2").toString();
        Cli.Run first = Cli.run("get", "-q", "--json", "--cache-dir", cacheDir, "-o", out, url);
        Cli.Run second = Cli.run("get", "-q", "--json", "--cache-dir", cacheDir, "-o", out, url);
        Cli.Run third = Cli.run("get", "-q", "--json", "--cache-dir", cacheDir, "-o", out + ".2", url);

        assertTrue(first.stdout().startsWith("{\"status\":\"downloaded\",\"url\":\"" + url + "\",\"path\":\"" + out
                + "\",\"cachePath\":\"" + cacheDir + "/blobs/" + SHA256 + "\",\"size\":123456,\"digest\":\"sha256:"
                + SHA256 + "\",\"etag\":\"" + TestHttpServer.etag(BODY).replace("\"", "\\\"") + "\",\"lastModified\":\""),
                first.stdout());
        assertTrue(first.stdout().contains("\"contentType\":\"application/octet-stream\",\"bytesTransferred\":123456}"),
                first.stdout());
        assertTrue(second.stdout().startsWith("{\"status\":\"skipped\""), second.stdout());
        assertTrue(third.stdout().startsWith("{\"status\":\"used-cache\""), third.stdout());
        assertTrue(third.stdout().contains("\"bytesTransferred\":0}"), third.stdout());
    }

    @Test
    void wrongDigestExitsThreeNamingBothDigestsAndLeavesNothing() throws Exception {
        String wrong = "sha256:" + "0".repeat(64);
        Path out = tmp.resolve("out.qcow2");
        Cli.Run run = Cli.run("get", "-q", "--cache-dir", cacheDir, "-d", wrong, "-o", out.toString(), url);

        assertEquals(3, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains(wrong) && run.stderr().contains("sha256:" + SHA256), run.stderr());
        assertFalse(Files.exists(out));
        try (Stream<Path> blobs = Files.list(tmp.resolve("cache/blobs"))) {
            assertEquals(0, blobs.count());
        }
    }

    @Test
    void usageErrorsExitTwoWithAMessageAndSendNothing() {
        String[][] bad = {
            {"get", "--cache-dir", cacheDir, "-d", "sha256:123", url},
            {"get", "--cache-dir", cacheDir, "-d", "md5:" + "0".repeat(32), url},
            {"get", "--cache-dir", cacheDir, "http://exa mple.org/x"},
            {"get", "--cache-dir", cacheDir, "ftp://example.org/x"},
            {"get", "--cache-dir", cacheDir, "--no-cache", url},
            {"get", "--cache-dir", cacheDir, "--lock-timeout", "soon", url},
            {"get", "--cache-dir", cacheDir, "--bogus", url},
            {"get"},
            {"frobnicate"},
        };
        for (String[] args : bad) {
            Cli.Run run = Cli.run(args);
            assertEquals(2, run.exitCode(), String.join(" ", args) + "\n" + run);
            assertTrue(run.stderr().startsWith("hoard: "), run.toString());
            assertEquals("", run.stdout(), run.toString());
        }
        assertEquals(0, server.requests().size());
    }

    @Test
    void httpFailureExitsFour() {
        Cli.Run run = Cli.run("get", "-q", "--cache-dir", cacheDir, server.url("/nope").toString());

        assertEquals(4, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("HTTP 404"), run.stderr());
    }

    @Test
    void offlineAndNotCachedExitsSixWithoutARequest() {
        Cli.Run run = Cli.run("get", "--offline", "--cache-dir", cacheDir, url);

        assertEquals(6, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("not in the cache"), run.stderr());
        assertEquals(0, server.requests().size());
    }

    @Test
    void aLocalPathIsCopiedAndChecked() throws Exception {
        Path source = tmp.resolve("local.bin");
        Files.write(source, BODY);
        Path out = tmp.resolve("copy.bin");

        Cli.Run ok = Cli.run("get", "-q", "-d", "sha256:" + SHA256, "-o", out.toString(), "--cache-dir", cacheDir,
                source.toString());
        assertEquals(0, ok.exitCode(), ok.toString());
        assertEquals(BODY.length, Files.size(out));

        Cli.Run bad = Cli.run("get", "-q", "-d", "sha256:" + "1".repeat(64), "-o", out + ".2", "--cache-dir",
                cacheDir, source.toUri().toString());
        assertEquals(3, bad.exitCode(), bad.toString());
        Cli.Run missing = Cli.run("get", "-q", "--cache-dir", cacheDir, tmp.resolve("absent.bin").toString());
        assertEquals(1, missing.exitCode(), missing.toString());
        assertTrue(missing.stderr().contains("absent.bin"), missing.stderr());
    }

    @Test
    void dirPrintsTheCacheRootFromTheFlagOrTheDefault() {
        Cli.Run run = Cli.run("dir", "--cache-dir", cacheDir);
        assertEquals(cacheDir + "\n", run.stdout());
        Cli.Run defaulted = Cli.run("dir");
        assertEquals(0, defaulted.exitCode());
        assertTrue(defaulted.stdout().trim().endsWith("hoard"), defaulted.stdout());
    }

    @Test
    void versionAndHelpGoToStdoutAndExitZero() {
        Cli.Run version = Cli.run("--version");
        assertEquals(0, version.exitCode());
        // The version, the commit the build baked in (git describe: a short hash, "-dirty" if the tree had changes),
        // and the runtime: a JDK by its path, as here, or a release archive's bundled runtime (checked by .ci/run).
        assertTrue(version.stdout().matches("hoard \\d+\\.\\d+\\.\\d+\\S*, commit [0-9a-f]{7,}(-dirty)?\\n"
                + "Java \\S+ \\(.+\\) at \\S+\\n"), version.stdout());
        assertTrue(version.stdout().endsWith(" at " + System.getProperty("java.home") + "\n"), version.stdout());
        Cli.Run help = Cli.run("get", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.stdout().contains("--lock-timeout"), help.stdout());
        assertTrue(help.stdout().contains("Exit codes"), help.stdout());
    }
}
