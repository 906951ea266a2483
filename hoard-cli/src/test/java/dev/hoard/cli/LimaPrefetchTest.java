package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoard.testing.AccessLogEntry;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.Nginx;
import dev.hoard.testing.TestBytes;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoard lima prefetch} as a user runs it (a forked JVM, LIMA_TEMPLATES_PATH set) against a real nginx, with a
 * templates directory in Lima's shape: {@code k8s.yaml} with {@code base: template:_images/ubuntu}, where
 * {@code _images/ubuntu.yaml} is a symlink to {@code _images/ubuntu-26.04.yaml}, which lists dated, digest-pinned
 * images per arch first and digest-less {@code release/} fallbacks after. Lima's cache is then checked by Lima's own
 * hit rule, and util-linux {@code flock} stands in for {@code limactl}.
 */
@ExtendWith(CacheInvariants.class)
class LimaPrefetchTest {
    private static final byte[] DATED_AMD64 = TestBytes.random(3_000_000, 1);
    private static final byte[] DATED_ARM64 = TestBytes.random(200_000, 2);
    private static final byte[] RELEASE_AMD64 = TestBytes.random(1_000_000, 3);
    private static final byte[] RELEASE_ARM64 = TestBytes.random(100_000, 4);
    private static final byte[] CONTAINERD_AMD64 = TestBytes.random(400_000, 5);
    private static final byte[] CONTAINERD_ARM64 = TestBytes.random(100_000, 6);
    private static final byte[] BUILTIN_CONTAINERD = TestBytes.random(300_000, 7);
    private static final Instant RELEASE_TIME = Instant.parse("2026-05-20T08:30:00Z");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'",
            Locale.US).withZone(ZoneOffset.UTC);
    private static final Path FLOCK = Path.of("/usr/bin/flock");

    @TempDir
    Path tmp;
    @CacheDir
    Path hoardCache;
    /** An empty hoard cache for a second run, where only Lima's own cache can answer. */
    @CacheDir
    Path emptyHoardCache;
    private Path limaCache;
    private Path www;
    private Path templates;

    @BeforeEach
    void setUp() throws IOException {
        if (Runtime.version().feature() < 22) {
            System.err.println("SKIPPED hoard lima needs Java 22 or newer for flock(2); this JVM is "
                    + Runtime.version());
            assumeTrue(false, "hoard lima needs Java 22 or newer");
        }
        Nginx.assumeAvailable();
        hoardCache = tmp.resolve("hoard-cache");
        emptyHoardCache = tmp.resolve("another-hoard-cache");
        limaCache = tmp.resolve("lima-cache");
        www = Files.createDirectories(tmp.resolve("www"));
        write("releases/resolute/release-20260520/ubuntu-26.04-server-cloudimg-amd64.img", DATED_AMD64);
        write("releases/resolute/release-20260520/ubuntu-26.04-server-cloudimg-arm64.img", DATED_ARM64);
        write("releases/resolute/release/ubuntu-26.04-server-cloudimg-amd64.img", RELEASE_AMD64);
        write("releases/resolute/release/ubuntu-26.04-server-cloudimg-arm64.img", RELEASE_ARM64);
        write("containerd/nerdctl-full-2.1.0-linux-amd64.tar.gz", CONTAINERD_AMD64);
        write("containerd/nerdctl-full-2.1.0-linux-arm64.tar.gz", CONTAINERD_ARM64);
        write("builtin/nerdctl-full-2.0.0-linux-amd64.tar.gz", BUILTIN_CONTAINERD);
        templates = Files.createDirectories(tmp.resolve("templates"));
    }

    @Test
    void prefetchLeavesEveryEntryAHitByLimasRuleRequestingOnlyWhatLimaWouldAndStoresTheBytesOnce()
            throws Exception {
        try (Nginx nginx = Nginx.start(www)) {
            writeTemplates(nginx);
            Path bin = fakeLimactl(nginx);
            Map<String, String> env = Map.of("LIMA_TEMPLATES_PATH", templates.toString(),
                    "PATH", bin + File.pathSeparator + System.getenv("PATH"));

            Cli.Run first = lima(env, "first", "prefetch", "--arch", "x86_64", "--json", "-q",
                    "template:k8s", "template:docker");

            assertEquals(0, first.exitCode(), first.toString());
            assertEquals("", first.stderr(), "no native-access warning, no noise with -q");
            String image = url(nginx, "releases/resolute/release-20260520/ubuntu-26.04-server-cloudimg-amd64.img");
            String containerd = url(nginx, "containerd/nerdctl-full-2.1.0-linux-amd64.tar.gz");
            String builtIn = url(nginx, "builtin/nerdctl-full-2.0.0-linux-amd64.tar.gz");
            assertLimaHit(image, DATED_AMD64, true);
            assertLimaHit(containerd, CONTAINERD_AMD64, true);
            assertLimaHit(builtIn, BUILTIN_CONTAINERD, true); // template:docker names none: limactl info's
            assertTrue(first.stdout().contains("\"limaData\":\"linked\""), first.stdout());
            assertEquals(List.of("/builtin/nerdctl-full-2.0.0-linux-amd64.tar.gz",
                    "/containerd/nerdctl-full-2.1.0-linux-amd64.tar.gz",
                    "/releases/resolute/release-20260520/ubuntu-26.04-server-cloudimg-amd64.img"),
                    requested(nginx, 3), "other arches and unused fallbacks were never requested");

            long kib = du(hoardCache, limaCache);
            long once = (DATED_AMD64.length + CONTAINERD_AMD64.length + BUILTIN_CONTAINERD.length) / 1024;
            assertTrue(kib < once + once / 2, "both caches take " + kib + " KiB; the files alone are " + once
                    + " KiB (a copy would take twice that)");

            // with an empty hoard cache, only Lima's own hit rule can answer without a request
            Cli.Run second = lima(env, "second", emptyHoardCache, "prefetch", "--arch",
                    "x86_64", "-q", "template:k8s", "template:docker");

            assertEquals(0, second.exitCode(), second.toString());
            assertEquals(3, nginx.accessLog().size(), "digest-pinned items are answered without any request: "
                    + nginx.accessLog());
            assertTrue(second.stdout().startsWith("STATUS"), second.stdout());
            assertEquals(3, second.stdout().lines().filter(l -> l.startsWith("used-cache")).count(),
                    second.stdout());
        }
    }

    @Test
    void whenTheDatedImageIsGoneTheReleaseFallbackIsUsedWithTheServedLastModified() throws Exception {
        Files.delete(www.resolve("releases/resolute/release-20260520/ubuntu-26.04-server-cloudimg-amd64.img"));
        Path fallback = www.resolve("releases/resolute/release/ubuntu-26.04-server-cloudimg-amd64.img");
        Files.setLastModifiedTime(fallback, FileTime.from(RELEASE_TIME));
        try (Nginx nginx = Nginx.start(www)) {
            writeTemplates(nginx);
            Path k8s = templates.resolve("k8s.yaml");

            Cli.Run run = lima(Map.of("LIMA_TEMPLATES_PATH", templates.toString()), "run", "prefetch",
                    "--arch", "x86_64", k8s.toString());

            assertEquals(0, run.exitCode(), run.toString());
            String url = url(nginx, "releases/resolute/release/ubuntu-26.04-server-cloudimg-amd64.img");
            Path entry = entry(url);
            assertEquals(HTTP_DATE.format(RELEASE_TIME), Files.readString(entry.resolve("time")));
            assertLimaHit(url, RELEASE_AMD64, false);
            assertTrue(run.stderr().contains("HTTP 404 for " + url(nginx,
                    "releases/resolute/release-20260520/ubuntu-26.04-server-cloudimg-amd64.img")
                    + "; trying the next image"), run.stderr());
            assertFalse(Files.exists(entry(url(nginx,
                    "releases/resolute/release-20260520/ubuntu-26.04-server-cloudimg-amd64.img")).resolve("data")));
        }
    }

    @Test
    void aDatedImageWhoseDigestDoesNotMatchIsAnErrorNotAReasonToTakeTheFallback() throws Exception {
        write("releases/resolute/release-20260520/ubuntu-26.04-server-cloudimg-amd64.img", RELEASE_AMD64);
        try (Nginx nginx = Nginx.start(www)) {
            writeTemplates(nginx);
            String dated = url(nginx, "releases/resolute/release-20260520/ubuntu-26.04-server-cloudimg-amd64.img");

            Cli.Run run = lima(Map.of("LIMA_TEMPLATES_PATH", templates.toString()), "run", "prefetch", "--arch",
                    "x86_64", "-q", "template:k8s");

            assertEquals(3, run.exitCode(), run.toString());
            assertTrue(run.stdout().lines().anyMatch(l -> l.matches("failed +- +image +" + dated)), run.stdout());
            assertTrue(run.stdout().contains("digest mismatch for " + dated), run.stdout());
            assertTrue(nginx.accessLog().stream().noneMatch(e -> e.uri().contains("/release/")),
                    "the fallback was not requested: " + nginx.accessLog());
            assertFalse(Files.exists(entry(dated).resolve("data")));
            assertLimaHit(url(nginx, "containerd/nerdctl-full-2.1.0-linux-amd64.tar.gz"), CONTAINERD_AMD64, true);
        }
    }

    @Test
    void hoardWaitsForLimactlsFlockAndHoldsItWhileItDownloads() throws Exception {
        assumeFlock();
        try (Nginx nginx = Nginx.start(www, 1_000_000)) { // the 3 MB image takes ~3 s
            writeTemplates(nginx);
            String image = url(nginx, "releases/resolute/release-20260520/ubuntu-26.04-server-cloudimg-amd64.img");
            Path entry = Files.createDirectories(entry(image),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Process limactl = new ProcessBuilder(FLOCK.toString(), entry.toString(), "sleep", "60")
                    .redirectErrorStream(true).start();
            try {
                dev.hoard.testing.Poll.until(Duration.ofSeconds(10), "flock holds " + entry,
                        () -> flockNonBlocking(entry) != 0);
                Process hoard = Cli.fork(tmp, "hoard", Map.of("LIMA_TEMPLATES_PATH", templates.toString()),
                        List.of("--enable-native-access=ALL-UNNAMED"), "lima", "prefetch", "--arch", "x86_64",
                        "--cache-dir", hoardCache.toString(), "--lima-cache", limaCache.toString(), "template:k8s");
                Cli.awaitContains(tmp.resolve("hoard.err"), "waiting for Lima's lock on " + entry,
                        Duration.ofSeconds(30));
                assertTrue(nginx.accessLog().stream().noneMatch(e -> e.uri().contains("release-20260520")),
                        "nothing of the image is requested while limactl holds its entry");

                stop(limactl); // limactl is done: its lock goes with it
                Cli.awaitPartial(hoardCache, 100_000, Duration.ofSeconds(30));
                assertEquals(1, flockNonBlocking(entry), "flock -n fails while hoard downloads into the entry");

                Cli.Run run = Cli.await(hoard, tmp, "hoard", 60);
                assertEquals(0, run.exitCode(), run.toString());
                assertEquals(0, flockNonBlocking(entry), "free again once hoard is done");
                assertLimaHit(image, DATED_AMD64, true);
            } finally {
                stop(limactl);
            }
        }
    }

    @Test
    void aBaseCycleAMissingBaseAndNoImageForTheArchAreOneLineErrorsThatWriteNothing() throws Exception {
        Path a = text("cycle/a.yaml", "base: b.yaml\ncpus: 2\n");
        text("cycle/b.yaml", "base:\n- url: a.yaml\n");
        Path missing = text("missing.yaml", "mounts: []\nbase: ./nowhere/ubuntu.yaml\n");
        Path riscv = text("riscv.yaml", """
                images:
                - location: http://127.0.0.1:9/x86.img
                  arch: x86_64
                """);
        Path unknown = text("unknown.yaml", """
                images:
                - location: http://127.0.0.1:9/x86.img
                  arch: x86_64
                  digets: sha256:0000000000000000000000000000000000000000000000000000000000000000
                """);

        assertUsageError(List.of(a.toString()), a.resolveSibling("b.yaml") + ":2: base cycle: " + a + " → b.yaml → a.yaml");
        assertUsageError(List.of(missing.toString()), missing + ":2: template ./nowhere/ubuntu.yaml not found ("
                + templates.resolve("nowhere/ubuntu.yaml") + ") (base of " + missing + ")");
        assertUsageError(List.of("--arch", "riscv64", riscv.toString()), riscv + " (" + riscv + ") has no image "
                + "for arch riscv64; its images are for x86_64");
        assertUsageError(List.of(unknown.toString()), unknown + ":4: unknown field 'digets' in an images entry "
                + "(Lima knows location, arch, digest, kernel, initrd)");
        // every template is resolved before anything is fetched: a good one first changes nothing
        assertUsageError(List.of(text("good.yaml", "images:\n- location: http://127.0.0.1:9/x.img\n").toString(),
                a.toString()), a.resolveSibling("b.yaml") + ":2: base cycle: " + a + " → b.yaml → a.yaml");
    }

    @Test
    void aLimaCacheOnAnotherFileSystemGetsACopyThroughATempFileAndARename() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm)
                && !Files.getFileStore(shm).equals(Files.getFileStore(tmp)), "no writable /dev/shm on another file "
                + "system than " + tmp);
        limaCache = Files.createTempDirectory(shm, "hoard-lima-test-");
        try (Nginx nginx = Nginx.start(www)) {
            writeTemplates(nginx);

            Cli.Run run = lima(Map.of("LIMA_TEMPLATES_PATH", templates.toString()), "shm", "prefetch", "--arch",
                    "x86_64", "--json", "-q", "template:k8s");

            assertEquals(0, run.exitCode(), run.toString());
            assertTrue(run.stdout().contains("\"limaData\":\"copied\""), run.stdout());
            String image = url(nginx, "releases/resolute/release-20260520/ubuntu-26.04-server-cloudimg-amd64.img");
            assertLimaHit(image, DATED_AMD64, true);
            try (var files = Files.list(entry(image))) {
                assertEquals(List.of(), files.map(f -> f.getFileName().toString())
                        .filter(n -> n.startsWith("data.tmp") || n.endsWith(".tmp")).toList());
            }
        } finally {
            try (var tree = Files.walk(limaCache)) {
                tree.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void onTheJava21VersionOfTheJarHoardLimaSaysWhatItNeedsAndTheRestRuns() throws Exception {
        Path template = text("plain.yaml", "images:\n- location: http://127.0.0.1:9/x.img\n");
        List<String> java21 = List.of("--enable-native-access=ALL-UNNAMED", "-Djdk.util.jar.version=21");

        Cli.Run lima = Cli.await(Cli.fork(tmp, "lima21", Map.of(), java21, "lima", "prefetch", "--cache-dir",
                hoardCache.toString(), "--lima-cache", limaCache.toString(), template.toString()), tmp, "lima21", 60);
        Cli.Run dir = Cli.await(Cli.fork(tmp, "dir21", Map.of(), java21, "dir", "--cache-dir",
                hoardCache.toString()), tmp, "dir21", 60);

        assertEquals(1, lima.exitCode(), lima.toString());
        assertTrue(lima.stderr().startsWith("hoard: hoard lima needs Java 22 or newer (running on "), lima.stderr());
        assertFalse(Files.exists(limaCache));
        assertEquals(0, dir.exitCode(), dir.toString());
    }

    private void assertUsageError(List<String> args, String message) {
        List<String> all = new java.util.ArrayList<>(List.of("lima", "prefetch", "--cache-dir", hoardCache.toString(),
                "--lima-cache", limaCache.toString()));
        all.addAll(args);
        Cli.Run run = Cli.run(all.toArray(String[]::new));
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals("hoard: " + message + "\n", run.stderr());
        assertEquals("", run.stdout());
        assertFalse(Files.exists(hoardCache), "nothing in hoard's cache");
        assertFalse(Files.exists(limaCache), "nothing in Lima's cache");
    }

    /** Lima's hit rule (downloader.go's getCached), read from the entry as limactl would. */
    private void assertLimaHit(String url, byte[] content, boolean pinned) throws IOException {
        Path entry = entry(url);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(entry)));
        assertEquals(url, Files.readString(entry.resolve("url")), "url, without a newline");
        assertArrayEquals(content, Files.readAllBytes(entry.resolve("data")));
        if (pinned) {
            assertEquals(Hashes.sha256(content).toString(), Files.readString(entry.resolve("sha256.digest")));
        } else {
            assertFalse(Files.exists(entry.resolve("sha256.digest")));
            String served = java.net.http.HttpClient.newHttpClient().sendAsync(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(url)).method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                    .build(), java.net.http.HttpResponse.BodyHandlers.discarding()).join().headers()
                    .firstValue("Last-Modified").orElseThrow();
            assertEquals(served, Files.readString(entry.resolve("time")), "time is the server's Last-Modified");
        }
        assertEquals("application/octet-stream", Files.readString(entry.resolve("type")));
    }

    private Path entry(String url) {
        try {
            String key = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(url.getBytes(StandardCharsets.UTF_8)));
            return limaCache.resolve("download/by-url-sha256").resolve(key);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void writeTemplates(Nginx nginx) throws IOException {
        String dated = "releases/resolute/release-20260520/ubuntu-26.04-server-cloudimg-";
        String release = "releases/resolute/release/ubuntu-26.04-server-cloudimg-";
        text("_images/ubuntu-26.04.yaml", """
                images:
                # Try to use release-yyyyMMdd image if available.
                - location: "%s"
                  arch: "x86_64"
                  digest: "%s"
                - location: "%s"
                  arch: "aarch64"
                  digest: "%s"
                # Fallback to the latest release image.
                - location: %s
                  arch: x86_64
                - location: %s
                  arch: aarch64
                """.formatted(url(nginx, dated + "amd64.img"), Hashes.sha256(DATED_AMD64),
                url(nginx, dated + "arm64.img"), Hashes.sha256(DATED_ARM64), url(nginx, release + "amd64.img"),
                url(nginx, release + "arm64.img")));
        Files.createSymbolicLink(templates.resolve("_images/ubuntu.yaml"), Path.of("ubuntu-26.04.yaml"));
        text("k8s.yaml", """
                # Lima fields hoard does not read pass through
                minimumLimaVersion: 2.0.0
                base: template:_images/ubuntu
                cpus: 4
                mounts: []
                provision:
                - mode: system
                  script: |
                    #!/bin/bash
                    kubeadm init
                containerd:
                  system: true
                  user: false
                  archives:
                  - location: %s
                    arch: x86_64
                    digest: %s
                  - location: %s
                    arch: aarch64
                    digest: %s
                """.formatted(url(nginx, "containerd/nerdctl-full-2.1.0-linux-amd64.tar.gz"),
                Hashes.sha256(CONTAINERD_AMD64), url(nginx, "containerd/nerdctl-full-2.1.0-linux-arm64.tar.gz"),
                Hashes.sha256(CONTAINERD_ARM64)));
        text("docker.yaml", "base:\n- template:_images/ubuntu\ncontainerd:\n  system: false\n  user: null\n");
    }

    /** A {@code limactl} whose {@code info} prints the built-in containerd archives, as the real one does. */
    private Path fakeLimactl(Nginx nginx) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path limactl = bin.resolve("limactl");
        Files.writeString(limactl, """
                #!/bin/sh
                [ "$1" = info ] || exit 1
                cat <<'EOF'
                {"version":"2.0.0","defaultTemplate":{"arch":"x86_64","containerd":{"system":false,"user":true,\
                "archives":[{"location":"%s","arch":"x86_64","digest":"%s"}]}}}
                EOF
                """.formatted(url(nginx, "builtin/nerdctl-full-2.0.0-linux-amd64.tar.gz"),
                Hashes.sha256(BUILTIN_CONTAINERD)));
        Files.setPosixFilePermissions(limactl, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private Cli.Run lima(Map<String, String> env, String name, String... args) {
        return lima(env, name, hoardCache, args);
    }

    private Cli.Run lima(Map<String, String> env, String name, Path hoardDir, String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("lima"));
        all.addAll(List.of(args));
        all.addAll(2, List.of("--cache-dir", hoardDir.toString(), "--lima-cache", limaCache.toString()));
        Process process = Cli.fork(tmp, name, env, List.of("--enable-native-access=ALL-UNNAMED"),
                all.toArray(String[]::new));
        return Cli.await(process, tmp, name, 120);
    }

    private static List<String> requested(Nginx nginx, int atLeast) {
        return nginx.awaitAccessLog(atLeast, Duration.ofSeconds(5)).stream().map(AccessLogEntry::uri).sorted()
                .toList();
    }

    /**
     * Skips, saying why, when util-linux {@code flock} is missing; fails instead with HOARD_REQUIRE_FLOCK=1 (CI),
     * where a skip would hide that the lock is untested.
     */
    private static void assumeFlock() {
        if (Files.isExecutable(FLOCK)) {
            return;
        }
        String reason = "util-linux flock not found at " + FLOCK + "; install it with apt-get install util-linux";
        if ("1".equals(System.getenv("HOARD_REQUIRE_FLOCK"))) {
            throw new AssertionError("flock is required (HOARD_REQUIRE_FLOCK=1): " + reason);
        }
        System.err.println("SKIPPED " + reason);
        assumeTrue(false, reason);
    }

    /** Stops {@code flock DIR sleep N} and its sleep, which inherited the locked descriptor. */
    private static void stop(Process flock) throws InterruptedException {
        flock.descendants().forEach(ProcessHandle::destroy);
        flock.destroy();
        assertTrue(flock.waitFor(10, TimeUnit.SECONDS));
    }

    private static int flockNonBlocking(Path dir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(FLOCK.toString(), "-n", dir.toString(), "true").start();
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        return process.exitValue();
    }

    /** {@code du -sk --total} over {@code dirs}: hard links are counted once. */
    private static long du(Path... dirs) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("du", "-sk", "--total"));
        for (Path dir : dirs) {
            command.add(dir.toString());
        }
        Process process = new ProcessBuilder(command).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        String total = out.lines().filter(l -> l.endsWith("total")).findFirst().orElseThrow();
        return Long.parseLong(total.split("\\s+")[0]);
    }

    private static String url(Nginx nginx, String path) {
        return nginx.url("/" + path).toString();
    }

    private void write(String path, byte[] content) throws IOException {
        Path file = www.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    private Path text(String path, String content) throws IOException {
        Path file = templates.resolve(path);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }
}
