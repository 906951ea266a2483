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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoard prefetch}: the three manifest formats, duplicates, failures among good items, malformed manifests. */
@ExtendWith(CacheInvariants.class)
class PrefetchCommandTest {
    private static final byte[] ALPINE = TestBytes.random(100_000);
    private static final byte[] DEBIAN = TestBytes.random(200_000);
    private static final byte[] UBUNTU = TestBytes.random(300_000);

    @TempDir
    Path tmp;

    private TestHttpServer server;
    @CacheDir
    String cacheDir;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/alpine.iso", ALPINE);
        server.put("/debian.qcow2", DEBIAN);
        server.put("/ubuntu.img", UBUNTU);
        cacheDir = tmp.resolve("cache").toString();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aYamlManifestFetchesEachItemWithItsDigestAndOutputRelativeToTheManifest() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("vms"));
        Path manifest = write(dir.resolve("images.yaml"), """
                # VM images for the lab
                - url: %s
                  digest: %s
                  output: disks/alpine.iso
                - url: %s
                """.formatted(url("/alpine.iso"), Hashes.sha256(ALPINE), url("/debian.qcow2")));

        Cli.Run run = Cli.run("prefetch", "-q", "--cache-dir", cacheDir, manifest.toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertArrayEquals(ALPINE, Files.readAllBytes(dir.resolve("disks/alpine.iso")));
        assertEquals(List.of(
                "STATUS      SIZE       URL",
                "downloaded   97.7 KiB  " + url("/alpine.iso"),
                "downloaded  195.3 KiB  " + url("/debian.qcow2")), run.stdout().lines().toList());
        assertEquals("", run.stderr());
        assertEquals(2, blobCount());
    }

    @Test
    void aJsonManifestWithJsonOutputPrintsOneArrayOfGetStyleObjects() throws Exception {
        Path manifest = write(tmp.resolve("images.json"), """
                [
                  {"url": "%s", "digest": "%s"},
                  {"url": "%s", "output": "out/ubuntu.img"}
                ]
                """.formatted(url("/alpine.iso"), Hashes.sha256(ALPINE), url("/ubuntu.img")));

        Cli.Run run = Cli.run("prefetch", "-q", "--json", "--cache-dir", cacheDir, manifest.toString());

        assertEquals(0, run.exitCode(), run.toString());
        List<String> lines = run.stdout().lines().toList();
        assertEquals(4, lines.size(), run.stdout());
        assertEquals("[", lines.get(0));
        assertTrue(lines.get(1).startsWith("{\"status\":\"downloaded\",\"url\":\"" + url("/alpine.iso") + "\","),
                lines.get(1));
        assertTrue(lines.get(1).contains("\"digest\":\"" + Hashes.sha256(ALPINE) + "\""), lines.get(1));
        assertTrue(lines.get(1).endsWith(",\"bytesTransferred\":100000,\"error\":null},"), lines.get(1));
        assertTrue(lines.get(2).contains("\"path\":\"" + tmp.resolve("out/ubuntu.img") + "\""), lines.get(2));
        assertEquals("]", lines.get(3));
        assertArrayEquals(UBUNTU, Files.readAllBytes(tmp.resolve("out/ubuntu.img")));
    }

    @Test
    void aTextManifestTakesUrlAndOptionalDigestPerLineAndSkipsCommentsAndBlankLines() throws Exception {
        Path manifest = write(tmp.resolve("images.txt"), """
                # one URL per line, optionally followed by its digest

                %s   %s
                  %s
                """.formatted(url("/alpine.iso"), Hashes.sha256(ALPINE), url("/debian.qcow2")));

        Cli.Run run = Cli.run("prefetch", "-q", "--cache-dir", cacheDir, manifest.toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(3, run.stdout().lines().count(), run.stdout());
        assertEquals(1, server.fullBodyCount("/alpine.iso"));
        assertEquals(1, server.fullBodyCount("/debian.qcow2"));
    }

    @Test
    void theSameUrlListedInThreeManifestsIsFetchedOnce() throws Exception {
        Path yaml = write(tmp.resolve("a.yaml"), "- url: " + url("/ubuntu.img") + "\n");
        Path json = write(tmp.resolve("b.json"), "[{\"url\": \"" + url("/ubuntu.img") + "\", \"digest\": \""
                + Hashes.sha256(UBUNTU) + "\"}]");
        Path text = write(tmp.resolve("c.list"), url("/ubuntu.img") + "\n" + url("/alpine.iso") + "\n");

        Cli.Run run = Cli.run("prefetch", "-q", "--cache-dir", cacheDir, yaml.toString(), json.toString(),
                text.toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(1, server.requestCount("/ubuntu.img"), "one fetch, not a fetch and two revalidations");
        assertEquals(UBUNTU.length, server.bodyBytesSent("/ubuntu.img"));
        assertEquals(3, run.stdout().lines().count(), "a header and two items: " + run.stdout());
    }

    @Test
    void aFailingItemIsNamedAndExitsFourWhileTheOthersAreCached() throws Exception {
        Path manifest = write(tmp.resolve("images.txt"), url("/alpine.iso") + "\n" + url("/missing.iso") + "\n"
                + url("/debian.qcow2") + "\n");

        Cli.Run run = Cli.run("prefetch", "--cache-dir", cacheDir, manifest.toString());

        assertEquals(4, run.exitCode(), run.toString());
        List<String> table = run.stdout().lines().toList();
        assertEquals("failed              -  " + url("/missing.iso"), table.get(2), run.stdout());
        assertEquals("                       HTTP 404 for " + url("/missing.iso"), table.get(3), run.stdout());
        assertTrue(run.stderr().contains("hoard: HTTP 404 for " + url("/missing.iso") + "\n"), run.stderr());
        assertTrue(run.stderr().endsWith("hoard: 1 of 3 items failed: " + url("/missing.iso") + "\n"),
                run.stderr());
        assertEquals(2, blobCount());
    }

    @Test
    void mixedFailuresExitWithTheMostSevereCodeADigestMismatchBeforeA404() throws Exception {
        Path manifest = write(tmp.resolve("images.txt"), url("/missing.iso") + "\n"
                + url("/alpine.iso") + " sha256:" + "0".repeat(64) + "\n" + url("/debian.qcow2") + "\n");

        Cli.Run run = Cli.run("prefetch", "-q", "--json", "--cache-dir", cacheDir, manifest.toString());

        assertEquals(3, run.exitCode(), run.toString());
        assertTrue(run.stdout().contains("{\"status\":\"failed\",\"url\":\"" + url("/missing.iso") + "\""),
                run.stdout());
        assertTrue(run.stdout().contains("\"error\":\"HTTP 404 for " + url("/missing.iso") + "\"}"), run.stdout());
        assertTrue(run.stdout().contains("\"status\":\"downloaded\",\"url\":\"" + url("/debian.qcow2") + "\""),
                run.stdout());
        assertEquals(1, blobCount(), "only the good item is cached");
    }

    @Test
    void malformedManifestsExitTwoNamingFileLineAndColumnAndFetchNothing() throws Exception {
        String good = url("/alpine.iso").toString();
        String[][] cases = {
            {"bad-syntax.yaml", "- url: " + good + "\n  digest: [unclosed\n", "bad-syntax.yaml:3:1: "},
            {"not-a-list.yaml", "url: " + good + "\n", "not-a-list.yaml:1:1: expected a list of items"},
            {"typo.yaml", "- url: " + good + "\n  digets: sha256:00\n", "typo.yaml:2:3: item 1: unknown field "
                    + "'digets'"},
            {"no-url.yml", "- output: x\n", "no-url.yml:1:3: item 1: no 'url'"},
            {"bad-digest.yaml", "- url: " + good + "\n- url: " + good + "\n  digest: sha256:abc\n",
                "bad-digest.yaml:3:11: malformed sha256 digest"},
            {"bad-mirrors.yaml", "- url: " + good + "\n  mirrors: " + good + "\n", "bad-mirrors.yaml:2:12: item 1: "
                    + "'mirrors' must be a list"},
            {"bad-scheme.json", "[{\"url\": \"ftp://example.org/x\"}]", "bad-scheme.json:1:10: unsupported URL "
                    + "scheme 'ftp'"},
            {"bad-syntax.json", "[{\"url\": \"" + good + "\",}", "bad-syntax.json:1:"},
            {"three-fields.txt", "# ok\n" + good + " sha256:" + "0".repeat(64) + " extra\n",
                "three-fields.txt:2:1: expected 'URL [DIGEST]', found 3 fields"},
            {"not-a-url.txt", "\n  example.org/disk.img\n", "not-a-url.txt:2:3: malformed URL 'example.org/disk.img'"},
        };
        for (String[] c : cases) {
            Path manifest = write(tmp.resolve(c[0]), c[1]);
            Cli.Run run = Cli.run("prefetch", "--cache-dir", cacheDir, manifest.toString());

            assertEquals(2, run.exitCode(), c[0] + "\n" + run);
            assertTrue(run.stderr().startsWith("hoard: " + manifest + c[2].substring(c[0].length())),
                    c[0] + "\n" + run.stderr());
            assertEquals(1, run.stderr().lines().count(), "one line: " + run.stderr());
            assertEquals("", run.stdout());
        }
        assertEquals(0, server.requests().size());
        assertFalse(Files.exists(tmp.resolve("cache/blobs")) && blobCount() > 0);
    }

    @Test
    void conflictingItemsAcrossManifestsAreUsageErrorsBeforeAnyFetch() throws Exception {
        Path a = write(tmp.resolve("a.yaml"), "- url: " + url("/alpine.iso") + "\n  digest: " + Hashes.sha256(ALPINE)
                + "\n- url: " + url("/debian.qcow2") + "\n  output: disk.img\n");
        Path b = write(tmp.resolve("b.txt"), url("/alpine.iso") + " sha256:" + "1".repeat(64) + "\n");
        Path c = write(tmp.resolve("c.yaml"), "- url: " + url("/ubuntu.img") + "\n  output: ./disk.img\n");

        Cli.Run digests = Cli.run("prefetch", "--cache-dir", cacheDir, a.toString(), b.toString());
        Cli.Run outputs = Cli.run("prefetch", "--cache-dir", cacheDir, a.toString(), c.toString());
        Cli.Run jobs = Cli.run("prefetch", "--jobs", "0", "--cache-dir", cacheDir, a.toString());

        assertEquals(2, digests.exitCode(), digests.toString());
        assertTrue(digests.stderr().startsWith("hoard: " + b + ":1:1: " + url("/alpine.iso") + " is also listed at "
                + a + ":1:3 with another digest"), digests.stderr());
        assertEquals(2, outputs.exitCode(), outputs.toString());
        assertTrue(outputs.stderr().startsWith("hoard: " + c + ":1:3: output " + tmp.resolve("disk.img")
                + " is also written by the item at " + a + ":3:3"), outputs.stderr());
        assertEquals(2, jobs.exitCode(), jobs.toString());
        assertTrue(jobs.stderr().startsWith("hoard: --jobs must be at least 1"), jobs.stderr());
        assertEquals(0, server.requests().size());
    }

    @Test
    void aMissingManifestIsAnIoErrorNamingIt() {
        Cli.Run run = Cli.run("prefetch", "--cache-dir", cacheDir, tmp.resolve("nope.yaml").toString());

        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.stderr().startsWith("hoard: " + tmp.resolve("nope.yaml") + ": no such file"), run.stderr());
    }

    @Test
    @Tag("needs-mirrors")
    void aMirrorInTheManifestIsUsedWhenTheFirstUrlFails() throws Exception {
        // nothing is served at /primary/: the first URL answers 404
        Path manifest = write(tmp.resolve("mirrored.yaml"), """
                - url: %s
                  digest: %s
                  mirrors:
                    - %s
                """.formatted(url("/primary/debian.qcow2"), Hashes.sha256(DEBIAN), url("/debian.qcow2")));

        Cli.Run run = Cli.run("prefetch", "-q", "--json", "--cache-dir", cacheDir, manifest.toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stdout().contains("\"status\":\"downloaded\""), run.stdout());
        assertEquals(1, server.fullBodyCount("/debian.qcow2"));
    }

    @Test
    void anItemsChecksumsFileGivesItsDigest() throws Exception {
        server.put("/SHA256SUMS", (Hashes.sha256Hex(DEBIAN) + " *debian.qcow2\n" + Hashes.sha256Hex(UBUNTU)
                + "  ./ubuntu.img\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        server.put("/ubuntu.img", ALPINE); // the server now serves the wrong bytes for ubuntu.img
        Path manifest = write(tmp.resolve("sums.yaml"), "- url: " + url("/debian.qcow2") + "\n  checksums: "
                + url("/SHA256SUMS") + "\n- url: " + url("/ubuntu.img") + "\n  checksums: " + url("/SHA256SUMS")
                + "\n");

        Cli.Run run = Cli.run("prefetch", "-q", "--json", "--cache-dir", cacheDir, manifest.toString());
        assertEquals(3, run.exitCode(), run.toString());
        assertTrue(run.stdout().contains("\"digest\":\"sha256:" + Hashes.sha256Hex(DEBIAN) + "\""), run.stdout());
        assertTrue(run.stdout().contains("expected sha256:" + Hashes.sha256Hex(UBUNTU)), run.stdout());
    }

    @Test
    void helpExplainsTheManifestFormats() {
        Cli.Run help = Cli.run("prefetch", "--help");

        assertEquals(0, help.exitCode());
        assertTrue(help.stdout().contains("--jobs"), help.stdout());
        assertTrue(help.stdout().contains("'URL [DIGEST]'"), help.stdout());
        assertTrue(help.stdout().contains("relative to the manifest's directory"), help.stdout());
    }

    private String url(String path) {
        return server.url(path).toString();
    }

    private static Path write(Path file, String text) throws Exception {
        return Files.writeString(file, text);
    }

    private long blobCount() throws Exception {
        try (Stream<Path> blobs = Files.list(tmp.resolve("cache/blobs"))) {
            return blobs.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
    }
}
