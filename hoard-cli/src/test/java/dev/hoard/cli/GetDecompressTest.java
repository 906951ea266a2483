package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Compressed;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.TestHttpServer;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoard get --decompress}: gz, bz2, xz and zst into the output, in-process, recognised by extension or by
 * magic number; the cache keeps the compressed bytes and the digest checks them.
 */
@ExtendWith(CacheInvariants.class)
class GetDecompressTest {
    private static final byte[] CONTENT = Compressed.sampleContent(400_000, 11);
    private static final List<String> TOOLS = List.of("gzip", "gunzip", "zcat", "pigz", "bzip2", "bunzip2",
            "xz", "unxz", "xzcat", "zstd", "unzstd", "zstdcat");
    private static final Pattern CACHE_PATH = Pattern.compile("\"cachePath\":\"([^\"]+)\"");
    /**
     * Forked JVMs run like {@code java -jar hoard.jar}: its manifest grants native access (for zstd-jni) and is not
     * Multi-Release, so the libraries' base classes run, not their Java 9+/22+ variants.
     */
    private static final List<String> AS_THE_JAR_RUNS = List.of("--enable-native-access=ALL-UNNAMED",
            "-Djdk.util.jar.enableMultiRelease=false");

    @TempDir
    Path tmp;

    @CacheDir
    Path cacheRoot;

    private TestHttpServer server;
    private String cacheDir;
    private TestCache cache;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        cacheRoot = tmp.resolve("cache");
        cache = new TestCache(cacheRoot);
        cacheDir = cache.dir();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyFormatRoundTripsByExtensionAndByMagicInAProcessWithNoCompressionToolOnItsPath() throws Exception {
        String path = pathWithoutCompressionTools();
        List<String> names = new ArrayList<>();
        List<Process> processes = new ArrayList<>();
        for (Compressed format : Compressed.values()) {
            byte[] compressed = format.compress(CONTENT);
            server.put("/files/sample" + format.extension(), compressed);
            server.put("/by-magic/" + format.label() + "-latest", compressed); // no extension to go by
            for (String url : List.of("/files/sample" + format.extension(), "/by-magic/" + format.label()
                    + "-latest")) {
                String name = format.label() + (url.startsWith("/by-magic") ? "-magic" : "-extension");
                names.add(name);
                processes.add(Cli.fork(tmp, name, Map.of("PATH", path), AS_THE_JAR_RUNS,
                        "get", "-q", "--json", "--decompress", "-d", "sha256:" + Hashes.sha256Hex(compressed),
                        "--cache-dir", cacheDir, "-o", tmp.resolve("out/" + name).toString(),
                        server.url(url).toString()));
            }
        }
        for (int i = 0; i < processes.size(); i++) {
            String name = names.get(i);
            Cli.Run run = Cli.await(processes.get(i), tmp, name, 120);
            assertEquals(0, run.exitCode(), name + ": " + run);
            assertEquals("", run.stderr(), name);
            assertArrayEquals(CONTENT, Files.readAllBytes(tmp.resolve("out/" + name)), name);
            Compressed format = Compressed.valueOf(name.substring(0, name.indexOf('-')).toUpperCase());
            assertArrayEquals(format.compress(CONTENT), Files.readAllBytes(Path.of(field(CACHE_PATH, run))),
                    name + ": the cache keeps the compressed bytes");
        }
    }

    @Test
    void aTruncatedStreamInEveryFormatExitsThreeAndWritesNoOutput() throws Exception {
        for (Compressed format : Compressed.values()) {
            server.put("/cut/sample" + format.extension(), Compressed.truncated(format.compress(CONTENT), 0.6));
            Path out = tmp.resolve("out-" + format.label() + "/disk.img");

            Cli.Run run = cache.quietGet("--decompress", "-o", out.toString(),
                    server.url("/cut/sample" + format.extension()).toString());

            assertEquals(3, run.exitCode(), format + ": " + run);
            assertTrue(run.stderr().startsWith("hoard: cannot decompress " + server.url("/cut/sample"
                    + format.extension()) + " as " + format.label() + ": the data is corrupt or truncated"),
                    run.stderr());
            assertEquals(1, run.stderr().lines().count(), run.stderr());
            assertNothingIn(out.getParent());
        }
    }

    @Test
    void damagedDataInEveryFormatExitsThreeAndWritesNoOutput() throws Exception {
        for (Compressed format : Compressed.values()) {
            server.put("/damaged/sample" + format.extension(), Compressed.damaged(format.compress(CONTENT)));
            Path out = tmp.resolve("out-" + format.label() + "/disk.img");

            Cli.Run run = cache.quietGet("--decompress", "-o", out.toString(), server.url("/damaged/sample"
                    + format.extension()).toString());

            assertEquals(3, run.exitCode(), format + ": " + run);
            assertTrue(run.stderr().contains("the data is corrupt or truncated"), run.stderr());
            assertNothingIn(out.getParent());
        }
    }

    @Test
    void contentInNoKnownFormatExitsThreeShowingItsFirstBytes() throws Exception {
        server.put("/page", "<!DOCTYPE html><html>".getBytes(StandardCharsets.UTF_8));
        server.put("/really-xz.gz", Compressed.XZ.compress(CONTENT));
        Path out = tmp.resolve("out/disk.img");

        Cli.Run unknown = cache.quietGet("--decompress", "-o", out.toString(), server.url("/page").toString());
        Cli.Run mislabelled = cache.quietGet("--decompress", "-o", out.toString(),
                server.url("/really-xz.gz").toString());

        assertEquals(3, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.stderr().contains("first bytes (3c 21 44 4f 43 54) are no gzip, bzip2, xz or zstd magic "
                + "number"), unknown.stderr());
        assertEquals(3, mislabelled.exitCode(), mislabelled.toString());
        assertTrue(mislabelled.stderr().contains(" as gzip: "), mislabelled.stderr());
        assertNothingIn(out.getParent());
    }

    @Test
    void theDigestChecksTheCompressedBytesNotTheDecompressedOnes() throws Exception {
        byte[] compressed = Compressed.XZ.compress(CONTENT);
        server.put("/disk.img.xz", compressed);
        String url = server.url("/disk.img.xz").toString();

        Cli.Run ofDecompressed = cache.quietGet("--decompress", "-d", "sha256:" + Hashes.sha256Hex(CONTENT), "-o",
                tmp.resolve("a.img").toString(), url);
        Cli.Run ofCompressed = cache.quietGet("--json", "--decompress", "-d",
                "sha256:" + Hashes.sha256Hex(compressed), "-o", tmp.resolve("b.img").toString(), url);

        assertEquals(3, ofDecompressed.exitCode(), ofDecompressed.toString());
        assertFalse(Files.exists(tmp.resolve("a.img")));
        assertEquals(0, ofCompressed.exitCode(), ofCompressed.toString());
        assertTrue(ofCompressed.stdout().contains("\"size\":" + compressed.length + ",\"digest\":\"sha256:"
                + Hashes.sha256Hex(compressed) + "\""), ofCompressed.stdout());
        assertArrayEquals(CONTENT, Files.readAllBytes(tmp.resolve("b.img")));
    }

    @Test
    void aSecondOutputIsDecompressedFromTheCacheWithoutARequest() throws Exception {
        byte[] compressed = Compressed.ZSTD.compress(CONTENT);
        server.put("/disk.img.zst", compressed);
        String url = server.url("/disk.img.zst").toString();
        String digest = "sha256:" + Hashes.sha256Hex(compressed);
        assertEquals(0, cache.quietGet("--decompress", "-d", digest, "-o", tmp.resolve("a.img").toString(),
                url).exitCode());
        server.resetRecords();

        Cli.Run second = cache.quietGet("--json", "--decompress", "-d", digest, "-o", tmp.resolve("b.img").toString(),
                url);

        assertEquals(0, second.exitCode(), second.toString());
        assertTrue(second.stdout().startsWith("{\"status\":\"used-cache\""), second.stdout());
        assertArrayEquals(CONTENT, Files.readAllBytes(tmp.resolve("b.img")));
        assertEquals(List.of(), server.requests());
    }

    @Test
    void anExistingOutputIsSkippedUntouchedWithoutARequest() throws Exception {
        server.put("/disk.img.gz", Compressed.GZIP.compress(CONTENT));
        Path out = tmp.resolve("disk.img");
        Files.writeString(out, "a disk that has booted since");

        Cli.Run run = cache.quietGet("--json", "--decompress", "-d", "sha256:" + "0".repeat(64), "-o", out.toString(),
                server.url("/disk.img.gz").toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stdout().startsWith("{\"status\":\"skipped\""), run.stdout());
        assertEquals("a disk that has booted since", Files.readString(out));
        assertEquals(List.of(), server.requests());
    }

    @Test
    void decompressWithoutAnOutputIsAUsageErrorBeforeAnyRequest() {
        server.put("/disk.img.gz", Compressed.GZIP.compress(CONTENT));

        Cli.Run run = cache.quietGet("--decompress", server.url("/disk.img.gz").toString());

        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.stderr().startsWith("hoard: --decompress needs -o PATH"), run.stderr());
        assertEquals(List.of(), server.requests());
    }

    @Test
    void progressShowsTheDownloadThenTheDecompression() {
        server.put("/disk.img.bz2", Compressed.BZIP2.compress(CONTENT));
        Path out = tmp.resolve("disk.img");

        Cli.Run run = Cli.run("get", "--cache-dir", cacheDir, "--decompress", "-o", out.toString(),
                server.url("/disk.img.bz2").toString());

        assertEquals(0, run.exitCode(), run.toString());
        List<String> lines = run.stderr().lines().toList();
        assertEquals(4, lines.size(), run.stderr());
        assertTrue(lines.get(0).startsWith("hoard: downloading " + server.url("/disk.img.bz2")), run.stderr());
        assertTrue(lines.get(1).startsWith("hoard: downloaded disk.img.bz2 ("), run.stderr());
        assertTrue(lines.get(2).startsWith("hoard: decompressing disk.img.bz2 (bzip2, "), run.stderr());
        assertTrue(lines.get(3).startsWith("hoard: decompressed disk.img.bz2 into " + out + " (390.6 KiB in "),
                run.stderr());
    }

    @Test
    void withNoCacheOnlyTheDecompressedFileIsLeft() throws Exception {
        server.put("/disk.img.xz", Compressed.XZ.compress(CONTENT));
        Path out = tmp.resolve("direct/disk.img");

        Cli.Run run = cache.quietGet("--no-cache", "--decompress", "-o", out.toString(),
                server.url("/disk.img.xz").toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertArrayEquals(CONTENT, Files.readAllBytes(out));
        try (Stream<Path> files = Files.list(out.getParent())) {
            assertEquals(List.of(out), files.toList());
        }
        try (Stream<Path> blobs = Files.list(tmp.resolve("cache/blobs"))) {
            assertEquals(0, blobs.count());
        }
    }

    @Test
    void aLocalCompressedFileIsDecompressed() throws Exception {
        Path source = tmp.resolve("disk.img.zst");
        Files.write(source, Compressed.ZSTD.compress(CONTENT));

        Cli.Run run = cache.quietGet("--decompress", "-o", tmp.resolve("disk.img").toString(), source.toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertArrayEquals(CONTENT, Files.readAllBytes(tmp.resolve("disk.img")));
    }

    @Test
    void aChecksumFileListingTheCompressedFileVerifiesIt() throws Exception {
        byte[] compressed = Compressed.XZ.compress(CONTENT);
        server.put("/38/Cloud/disk.raw.xz", compressed);
        server.put("/38/Cloud/CHECKSUM", ("SHA256 (disk.raw.xz) = " + Hashes.sha256Hex(compressed) + "\n")
                .getBytes(StandardCharsets.UTF_8));

        Cli.Run run = cache.quietGet("--decompress", "--checksums", server.url("/38/Cloud/CHECKSUM").toString(), "-o",
                tmp.resolve("disk.raw").toString(), server.url("/38/Cloud/disk.raw.xz").toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertArrayEquals(CONTENT, Files.readAllBytes(tmp.resolve("disk.raw")));
    }

    @Test
    void aPlainGetLoadsNoDecompressionLibraryAndADecompressingOneDoes() throws Exception {
        byte[] compressed = Compressed.ZSTD.compress(CONTENT);
        server.put("/disk.img.zst", compressed);
        String url = server.url("/disk.img.zst").toString();
        String digest = "sha256:" + Hashes.sha256Hex(compressed);
        assertEquals(0, cache.quietGet("-d", digest, url).exitCode()); // cached: the forked get below is a pure hit

        String plain = loadedClasses("plain", "get", "-q", "-d", digest, "--cache-dir", cacheDir, "-o",
                tmp.resolve("copy.zst").toString(), url);
        String decompressing = loadedClasses("decompressing", "get", "-q", "-d", digest, "--cache-dir", cacheDir,
                "--decompress", "-o", tmp.resolve("disk.img").toString(), url);

        assertTrue(plain.contains("dev.hoard.cli.GetCommand"), "the log works");
        for (String library : List.of("com.github.luben.zstd", "org.tukaani.xz", "org.apache.commons",
                "dev.hoard.internal.decompress.Decoders", "dev.hoard.internal.decompress.Decompressor")) {
            assertFalse(plain.contains(library), library + " was loaded by a plain get");
        }
        assertTrue(decompressing.contains("com.github.luben.zstd.ZstdInputStreamNoFinalizer"), decompressing);
        assertFalse(decompressing.contains("org.tukaani.xz") || decompressing.contains("org.apache.commons"),
                "decompressing zstd loads only zstd-jni");
    }

    @Test
    void aZstdNativeLibraryThatCannotLoadIsAnIoFailureSayingWhatToChange() throws Exception {
        server.put("/disk.img.zst", Compressed.ZSTD.compress(CONTENT));
        Path out = tmp.resolve("disk.img");

        // zstd-jni unpacks its library into java.io.tmpdir, as it would fail to on a noexec /tmp.
        List<String> options = new ArrayList<>(AS_THE_JAR_RUNS);
        options.add("-Djava.io.tmpdir=" + tmp.resolve("absent"));
        Process process = Cli.fork(tmp, "no-tmp", Map.of(), options, "get", "-q", "--cache-dir", cacheDir, "--decompress", "-o",
                out.toString(), server.url("/disk.img.zst").toString());
        Cli.Run run = Cli.await(process, tmp, "no-tmp", 120);

        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("hoard: zstd decompression is unavailable: its native library did not "
                + "load") && run.stderr().contains("-Djava.io.tmpdir=DIR"), run.stderr());
        assertFalse(Files.exists(out));
    }

    /** Runs hoard in a new JVM that logs every class it loads, and returns the log. */
    private String loadedClasses(String name, String... args) throws Exception {
        Path log = tmp.resolve(name + "-classes.log");
        List<String> options = new ArrayList<>(AS_THE_JAR_RUNS);
        options.add("-Xlog:class+load=info:file=" + log);
        Process process = Cli.fork(tmp, name, Map.of(), options, args);
        Cli.Run run = Cli.await(process, tmp, name, 120);
        assertEquals(0, run.exitCode(), run.toString());
        return Files.readString(log);
    }

    /** An empty directory and the JDK's bin: a PATH on which no compression tool can be found. */
    private String pathWithoutCompressionTools() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty-bin"));
        Path javaBin = Path.of(Cli.javaBinary()).getParent();
        for (Path dir : List.of(empty, javaBin)) {
            for (String tool : TOOLS) {
                assertFalse(Files.exists(dir.resolve(tool)), dir.resolve(tool) + " exists");
            }
        }
        return empty + File.pathSeparator + javaBin;
    }

    /** The directory holds no file: no output, and no temp file left beside it. */
    private static void assertNothingIn(Path dir) throws Exception {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.toList());
            }
        }
    }

    private static String field(Pattern pattern, Cli.Run run) {
        Matcher m = pattern.matcher(run.stdout());
        assertTrue(m.find(), run.toString());
        return m.group(1);
    }
}
