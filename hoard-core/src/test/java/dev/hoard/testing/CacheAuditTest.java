package dev.hoard.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.FetchRequest;
import dev.hoard.Hoard;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CacheAudit} finds each broken invariant in a cache a real fetch made, and names the file. */
class CacheAuditTest {
    private static final byte[] BODY = TestBytes.random(100_000, 11);
    private static final String SHA256 = Hashes.sha256Hex(BODY);
    private static final long SELF = ProcessHandle.current().pid();

    @TempDir
    Path tmp;

    private TestHttpServer server;
    private Path root;
    private URI url;
    private Path entry;

    @BeforeEach
    void fetchOneFile() throws Exception {
        server = TestHttpServer.start();
        server.put("/disk.img", BODY);
        url = server.url("/disk.img");
        root = tmp.resolve("cache");
        try (Hoard hoard = Hoard.open(root)) {
            hoard.fetch(FetchRequest.of(url).digest(Hashes.sha512(BODY)));
        }
        entry = root.resolve("entries").resolve(Hashes.sha256Hex(url.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aCacheThatHoardWroteIsSound() throws Exception {
        assertEquals(List.of(), CacheAudit.violations(root));
        assertTrue(Files.exists(root.resolve("aliases/sha512").resolve(Hashes.sha512Hex(BODY))), "the alias is checked");
        assertEquals(List.of(), CacheAudit.violations(tmp.resolve("never-created")));
    }

    @Test
    void aBlobWhoseBytesAreNotItsNameIsAPartialAtAPublishedPath() throws Exception {
        try (RandomAccessFile blob = new RandomAccessFile(blob().toFile(), "rw")) {
            blob.setLength(BODY.length / 2);
        }

        List<String> violations = CacheAudit.violations(root);

        assertEquals(3, violations.size(), violations.toString());
        assertTrue(violations.get(0).startsWith("blobs/" + SHA256 + " is published under its name but its content "
                + "has SHA-256 "), violations.toString());
        assertTrue(violations.get(1).endsWith("meta.json says size 100000 but its blob " + SHA256 + " has 50000 bytes"),
                violations.toString());
        assertTrue(violations.get(2).endsWith(" names blob sha256:" + SHA256 + ", whose SHA-512 is not the alias's "
                + "name"), violations.toString());
    }

    @Test
    void metadataNamingAMissingBlob() throws Exception {
        Files.delete(blob());

        assertEquals(List.of("entries/" + entry.getFileName() + "/meta.json names blob " + SHA256
                + ", which does not exist"), CacheAudit.violations(root));
    }

    @Test
    void tornMetadataAndMetadataInAnotherUrlsEntry() throws Exception {
        Path meta = entry.resolve("meta.json");
        String json = Files.readString(meta);
        Path other = Files.createDirectories(root.resolve("entries").resolve("0".repeat(64)));
        Files.writeString(other.resolve("meta.json"), json);
        Files.writeString(meta, json.substring(0, json.length() / 2));

        List<String> violations = CacheAudit.violations(root);

        assertEquals(2, violations.size(), violations.toString());
        assertTrue(violations.get(0).startsWith("entries/" + "0".repeat(64) + "/meta.json has url " + url
                + ", whose SHA-256 is not its entry's name"), violations.toString());
        assertTrue(violations.get(1).startsWith("entries/" + entry.getFileName() + "/meta.json is published but "
                + "not a complete JSON object: malformed JSON at offset "), violations.toString());
    }

    @Test
    void aStrayFileInBlobsAndALyingAlias() throws Exception {
        Files.writeString(root.resolve("blobs/disk.img"), "not a blob");
        Path alias = root.resolve("aliases/sha512").resolve(Hashes.sha512Hex(BODY));
        Files.move(alias, alias.resolveSibling("f".repeat(128)));

        assertEquals(List.of("blobs/disk.img is in blobs/ but not named by a SHA-256",
                "aliases/sha512/" + "f".repeat(128) + " names blob sha256:" + SHA256 + ", whose SHA-512 is not the "
                        + "alias's name"), CacheAudit.violations(root));
    }

    @Test
    void tempFilesAndPartialsOfThisJvmAreLeaksUnlessTheyAreResumable() throws Exception {
        String key = entry.getFileName().toString();
        Files.writeString(entry.resolve(".meta.json." + SELF + "-7.tmp"), "{");
        Files.writeString(root.resolve("blobs/.partial-" + key + "." + SELF + "-8"), "half");
        Files.writeString(root.resolve("blobs/.odd"), "?");

        assertEquals(List.of(
                "blobs/.odd is neither a temp file nor a partial download, yet starts with a dot",
                "blobs/.partial-" + key + "." + SELF + "-8 was left behind by this JVM (pid " + SELF + "), and no "
                        + "partial.json names it",
                "entries/" + key + "/.meta.json." + SELF + "-7.tmp was left behind by this JVM (pid " + SELF + ")"),
                CacheAudit.violations(root).stream().sorted().toList());

        Files.delete(root.resolve("blobs/.odd"));
        Files.delete(entry.resolve(".meta.json." + SELF + "-7.tmp"));
        Files.writeString(entry.resolve("partial.json"), "{\"format\": 1, \"file\": \".partial-" + key + "." + SELF
                + "-8\"}");
        assertEquals(List.of(), CacheAudit.violations(root), "a partial that partial.json names is resumable");
    }

    @Test
    void leftoversOfDeadProcessesAreLegal() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        long dead = finished.pid();
        Files.writeString(root.resolve("blobs/.partial-" + entry.getFileName() + "." + dead + "-1"), "crashed");
        Files.writeString(root.resolve(".hoard-cache.json." + dead + "-1.tmp"), "{");

        assertEquals(List.of(), CacheAudit.violations(root));
    }

    @Test
    void assertHoldListsEveryViolationWithTheCacheItIsIn() throws Exception {
        Files.delete(blob());
        Files.writeString(root.resolve("blobs/x"), "");

        AssertionError e = assertThrows(AssertionError.class, () -> CacheInvariants.assertHold(root));

        assertEquals("the cache at " + root + " breaks its invariants:\n  blobs/x is in blobs/ but not named by a "
                + "SHA-256\n  entries/" + entry.getFileName() + "/meta.json names blob " + SHA256 + ", which does "
                + "not exist", e.getMessage());
    }

    private Path blob() {
        return root.resolve("blobs").resolve(SHA256);
    }
}
