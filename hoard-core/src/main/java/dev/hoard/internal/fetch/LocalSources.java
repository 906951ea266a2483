package dev.hoard.internal.fetch;

import dev.hoard.FetchRequest;
import dev.hoard.FetchResult;
import dev.hoard.FetchStatus;
import dev.hoard.IntegrityException;
import dev.hoard.internal.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** {@code file:} sources: copied to the output and checked against the digest, never cached. */
final class LocalSources {
    private LocalSources() {
    }

    static FetchResult fetch(FetchRequest request) throws IOException {
        Path source = Path.of(request.uri());
        if (!Files.isRegularFile(source)) {
            throw new NoSuchFileException(source.toString(), null, "no such file (or not a regular file)");
        }
        Path output = request.output();
        if (output == null) {
            return checkInPlace(request, source);
        }
        Outputs.createParent(output);
        Path temp = AtomicFiles.tempSibling(output);
        try {
            Transfer.Received received = Transfer.copyLocal(source, temp, request.digest());
            verify(request, received);
            AtomicFiles.move(temp, output);
            return result(request, output, received);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Without an output the caller uses the source file where it is; check its digest if one was given. */
    private static FetchResult checkInPlace(FetchRequest request, Path source) throws IOException {
        if (request.digest() == null) {
            return new FetchResult(FetchStatus.DOWNLOADED, request.uri(), source, null, Files.size(source), null,
                    null, null, null, 0);
        }
        Transfer.Received received = Transfer.hashAtRest(source, request.digest());
        verify(request, received);
        return result(request, source, received);
    }

    private static void verify(FetchRequest request, Transfer.Received received) throws IntegrityException {
        if (!received.matches(request.digest())) {
            throw new IntegrityException(request.uri(), request.digest(),
                    received.digestIn(request.digest().algorithm()));
        }
    }

    private static FetchResult result(FetchRequest request, Path path, Transfer.Received received) {
        return new FetchResult(FetchStatus.DOWNLOADED, request.uri(), path, null, received.size(),
                received.sha256(), null, null, null, 0);
    }
}
