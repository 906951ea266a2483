package dev.hoard.internal.digest;

import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a whole file's bytes hash to, in each algorithm asked for, read in one pass: the one loop that hashes a file
 * at rest (a stored blob, an existing output, a downloaded file read back). Downloads hash their bytes as they
 * arrive instead ({@code internal.fetch.Transfer}).
 *
 * @param size    the bytes read
 * @param digests one digest per algorithm asked for
 */
public record FileHash(long size, Map<DigestAlgorithm, Digest> digests) {
    private static final int BUFFER_SIZE = 1 << 20;

    public FileHash {
        digests = Map.copyOf(digests);
    }

    /**
     * Reads {@code file} once, hashing every buffer with each of {@code algorithms}.
     *
     * @throws java.nio.file.NoSuchFileException if the file is gone
     */
    public static FileHash of(Path file, Collection<DigestAlgorithm> algorithms) throws IOException {
        Map<DigestAlgorithm, MessageDigest> running = new EnumMap<>(DigestAlgorithm.class);
        algorithms.forEach(a -> running.computeIfAbsent(a, DigestAlgorithm::newMessageDigest));
        byte[] buffer = new byte[BUFFER_SIZE];
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (MessageDigest digest : running.values()) {
                    digest.update(buffer, 0, n);
                }
                size += n;
            }
        }
        Map<DigestAlgorithm, Digest> digests = new EnumMap<>(DigestAlgorithm.class);
        running.forEach((algorithm, digest) -> digests.put(algorithm, Digest.of(algorithm, digest.digest())));
        return new FileHash(size, digests);
    }

    /** The file's digest in one algorithm. */
    public static Digest of(Path file, DigestAlgorithm algorithm) throws IOException {
        return of(file, List.of(algorithm)).in(algorithm);
    }

    /** The digest in {@code algorithm}, or null if it was not asked for. */
    public Digest in(DigestAlgorithm algorithm) {
        return digests.get(algorithm);
    }
}
