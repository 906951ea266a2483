package dev.hoard.internal.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One pass over a file gives its size and its digest in every algorithm asked for. */
class FileHashTest {
    @TempDir
    Path tmp;

    @Test
    void aFileLargerThanTheBufferHashesAsItsBytesDoInEachAlgorithm() throws Exception {
        byte[] bytes = new byte[(1 << 20) * 2 + 12345];
        new Random(3).nextBytes(bytes);
        Path file = Files.write(tmp.resolve("blob"), bytes);

        FileHash hash = FileHash.of(file, List.of(DigestAlgorithm.SHA256, DigestAlgorithm.SHA512));

        assertEquals(bytes.length, hash.size());
        assertEquals(expected(DigestAlgorithm.SHA256, bytes), hash.in(DigestAlgorithm.SHA256));
        assertEquals(expected(DigestAlgorithm.SHA512, bytes), hash.in(DigestAlgorithm.SHA512));
        assertEquals(expected(DigestAlgorithm.SHA512, bytes), FileHash.of(file, DigestAlgorithm.SHA512));
    }

    @Test
    void anAlgorithmNotAskedForHasNoDigest() throws Exception {
        Path file = Files.writeString(tmp.resolve("empty"), "");

        FileHash hash = FileHash.of(file, List.of(DigestAlgorithm.SHA256));

        assertEquals(0, hash.size());
        assertEquals(expected(DigestAlgorithm.SHA256, new byte[0]), hash.in(DigestAlgorithm.SHA256));
        assertNull(hash.in(DigestAlgorithm.SHA512));
    }

    @Test
    void aMissingFileIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> FileHash.of(tmp.resolve("gone"), DigestAlgorithm.SHA256));
    }

    private static Digest expected(DigestAlgorithm algorithm, byte[] bytes) throws Exception {
        return Digest.of(algorithm, MessageDigest.getInstance(algorithm == DigestAlgorithm.SHA256 ? "SHA-256"
                : "SHA-512").digest(bytes));
    }
}
