package dev.hoard.testing;

import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The digests tests compare against, computed by the JDK's {@link MessageDigest} rather than by hoard's own hashing
 * code, so that they are an independent oracle. Hex is lower case, as blob names, entry keys and {@code sha256sum}
 * have it.
 */
public final class Hashes {
    private Hashes() {
    }

    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest("SHA-256").digest(bytes));
    }

    public static String sha512Hex(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest("SHA-512").digest(bytes));
    }

    /** The file's SHA-256, read in chunks: a blob may be larger than a test wants to hold in memory. */
    public static String sha256Hex(Path file) throws IOException {
        MessageDigest sha256 = newDigest("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha256.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    public static Digest sha256(byte[] bytes) {
        return new Digest(DigestAlgorithm.SHA256, sha256Hex(bytes));
    }

    public static Digest sha512(byte[] bytes) {
        return new Digest(DigestAlgorithm.SHA512, sha512Hex(bytes));
    }

    private static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has " + algorithm, e);
        }
    }
}
