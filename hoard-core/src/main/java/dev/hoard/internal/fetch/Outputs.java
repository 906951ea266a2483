package dev.hoard.internal.fetch;

import dev.hoard.Digest;
import dev.hoard.FetchRequest;
import dev.hoard.FetchResult;
import dev.hoard.FetchStatus;
import dev.hoard.IntegrityException;
import dev.hoard.internal.digest.FileHash;
import dev.hoard.internal.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/** The caller's output path: the check for an existing file, and the atomic copy out of the cache. */
final class Outputs {
    private Outputs() {
    }

    /**
     * Lima's rule for an output that already exists: with an expected digest it is verified (skipped on a match, an
     * {@link IntegrityException} on a mismatch, the file untouched either way); without one it is skipped.
     */
    static Optional<FetchResult> skipIfPresent(FetchRequest request) throws IOException {
        Path output = request.output();
        if (output == null || !Files.exists(output)) {
            return Optional.empty();
        }
        if (Files.isDirectory(output)) {
            throw new IllegalArgumentException("output " + output + " is a directory; give a file path");
        }
        Digest expected = request.digest();
        Digest actual = null;
        if (expected != null) {
            actual = FileHash.of(output, expected.algorithm());
            if (!expected.equals(actual)) {
                throw new IntegrityException(request.uri(), output, expected, actual);
            }
        }
        return Optional.of(new FetchResult(FetchStatus.SKIPPED, request.uri(), output, null, Files.size(output),
                actual != null && actual.algorithm() == dev.hoard.DigestAlgorithm.SHA256 ? actual : null,
                null, null, null, 0));
    }

    /** Copies {@code source} to {@code output} through a temp file beside it, so the output is never half-written. */
    static void copy(Path source, Path output) throws IOException {
        createParent(output);
        Path temp = AtomicFiles.tempSibling(output);
        try {
            Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
            AtomicFiles.move(temp, output);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static void createParent(Path output) throws IOException {
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
