package dev.hoard.internal.manage;

import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** What a blob's bytes hash to, in every algorithm asked for, computed in one pass over the file. */
record BlobHash(long size, Map<DigestAlgorithm, Digest> digests) {
    private static final int BUFFER_SIZE = 1 << 20;

    BlobHash {
        digests = Map.copyOf(digests);
    }

    Digest in(DigestAlgorithm algorithm) {
        return digests.get(algorithm);
    }

    /** Reads {@code file} once, hashing it with each of {@code algorithms} (SHA-256 always). */
    static BlobHash of(Path file, Set<DigestAlgorithm> algorithms) throws IOException {
        Map<DigestAlgorithm, MessageDigest> running = new EnumMap<>(DigestAlgorithm.class);
        running.put(DigestAlgorithm.SHA256, DigestAlgorithm.SHA256.newMessageDigest());
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
        return new BlobHash(size, digests);
    }
}
