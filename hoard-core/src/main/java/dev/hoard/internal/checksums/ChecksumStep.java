package dev.hoard.internal.checksums;

import dev.hoard.ChecksumFileException;
import dev.hoard.Digest;
import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import dev.hoard.FetchResult;
import dev.hoard.LockOwner;
import dev.hoard.internal.fetch.FetchStep;
import dev.hoard.internal.store.AtomicFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link FetchRequest#checksums}: reads the expected digest from a checksum file, then fetches with it.
 *
 * <p>The checksum file is fetched by the next step like any other URL, so it is cached, revalidated with one
 * conditional request per use (a 304 when unchanged), used from the cache offline or when its server is down (with a
 * warning), and waited for rather than fetched twice when processes start together. With {@code noCache} it bypasses
 * the cache too, through a temp file beside the output. Its size is capped at {@link #MAX_SIZE} before it is read,
 * since it is read whole into memory.
 */
public final class ChecksumStep implements FetchStep {
    /** Real checksum files are a few KiB; a few MiB means the URL is something else. */
    static final long MAX_SIZE = 1 << 20;

    private final FetchStep next;

    public ChecksumStep(FetchStep next) {
        this.next = next;
    }

    @Override
    public FetchResult fetch(FetchRequest request, FetchListener listener) throws IOException, InterruptedException {
        if (request.checksums() == null) {
            return next.fetch(request, listener);
        }
        Digest listed = ChecksumFile.parse(request.checksums(), read(request, listener)).digestFor(request.uri());
        if (request.digest() != null && !request.digest().equals(listed)) {
            throw new IllegalArgumentException("--digest " + request.digest() + " conflicts with " + listed
                    + ", the digest " + request.checksums() + " lists for " + request.uri());
        }
        return next.fetch(request.checksums(null).digest(listed), listener);
    }

    private String read(FetchRequest request, FetchListener listener) throws IOException, InterruptedException {
        FetchRequest sums = FetchRequest.of(request.checksums())
                .offline(request.offline())
                .lockTimeout(request.lockTimeout());
        if (!request.noCache()) {
            return readCapped(request.checksums(), next.fetch(sums, onlyWaitingAndWarnings(listener)).path());
        }
        if (request.output() == null) {
            throw new IllegalArgumentException("--no-cache needs an output path (-o)");
        }
        Path temp = AtomicFiles.tempSibling(request.output());
        try {
            next.fetch(sums.noCache(true).output(temp), onlyWaitingAndWarnings(listener));
            return readCapped(request.checksums(), temp);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String readCapped(URI checksums, Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_SIZE) {
            throw new ChecksumFileException(checksums, null, checksums + " is " + size + " bytes, too large for a "
                    + "checksum file (at most " + MAX_SIZE + "); is it really one?");
        }
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    /**
     * The checksum file's own transfer is too small to show; a wait for another process, or a warning that its
     * cached copy is used, still matters to the caller.
     */
    private static FetchListener onlyWaitingAndWarnings(FetchListener listener) {
        return new FetchListener() {
            @Override
            public void waiting(URI url, LockOwner owner, long ownerBytes, long totalBytes) {
                listener.waiting(url, owner, ownerBytes, totalBytes);
            }

            @Override
            public void warning(URI url, String message) {
                listener.warning(url, message);
            }
        };
    }
}
