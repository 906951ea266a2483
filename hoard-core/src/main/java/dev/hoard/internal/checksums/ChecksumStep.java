package dev.hoard.internal.checksums;

import dev.hoard.ChecksumFileException;
import dev.hoard.Digest;
import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import dev.hoard.FetchResult;
import dev.hoard.internal.step.FetchStep;
import dev.hoard.internal.step.ForwardingListener;
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
 * the cache too, through a temp file beside the output. It carries the request's credentials, which are bound to their
 * origins: a checksum file on the image's host is fetched with the image's login and headers, one elsewhere without
 * (or with its own {@code user:password@}, or the netrc file's). Its size is capped at {@link #MAX_SIZE}: a larger
 * one is abandoned as soon as its Content-Length or its bytes say so (someone swapped the image's URL and the
 * checksum file's), so neither memory nor the cache takes it.
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
            throw new IllegalArgumentException("the expected digest " + request.digest() + " conflicts with " + listed
                    + ", the digest " + request.checksums() + " lists for " + request.uri());
        }
        return next.fetch(request.checksums(null).digest(listed), listener);
    }

    private String read(FetchRequest request, FetchListener listener) throws IOException, InterruptedException {
        FetchRequest sums = FetchRequest.of(request.checksums())
                .offline(request.offline())
                .lockTimeout(request.lockTimeout())
                .credentials(request.credentials()); // bound to their origins: used if the file is on one of them
        if (!request.noCache()) {
            return readCapped(request, fetchCapped(request, sums, listener).path());
        }
        if (request.output() == null) {
            throw new IllegalArgumentException("a request without the cache needs an output path");
        }
        Path temp = AtomicFiles.tempSibling(request.output());
        try {
            fetchCapped(request, sums.noCache(true).output(temp), listener);
            return readCapped(request, temp);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Fetches the checksum file of {@code request} as {@code sums} asks, stopping once it is too large. */
    private FetchResult fetchCapped(FetchRequest request, FetchRequest sums, FetchListener listener)
            throws IOException, InterruptedException {
        try {
            return next.fetch(sums, new CappedListener(listener));
        } catch (TooLarge e) {
            throw tooLarge(request, e.size);
        }
    }

    private static String readCapped(FetchRequest request, Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_SIZE) {
            throw tooLarge(request, Long.toString(size));
        }
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    /** @param size the size in bytes, or a bound such as "more than 1048576" */
    private static ChecksumFileException tooLarge(FetchRequest request, String size) {
        URI checksums = request.checksums();
        return new ChecksumFileException(request.uri(), checksums, null, checksums + " is " + size + " bytes, too "
                + "large for a checksum file (at most " + MAX_SIZE + "); is it really one, or are the two URLs "
                + "swapped?");
    }

    /**
     * Passes on what matters to the caller about the checksum file: a wait for another process, or a warning that its
     * cached copy is used; its transfer is too small to show. And stops the transfer once it is too large to be a
     * checksum file, by throwing out of the fetch (which abandons the response and deletes the partial file, as on
     * any failure).
     */
    private static final class CappedListener extends ForwardingListener {

        CappedListener(FetchListener listener) {
            super(listener);
        }

        @Override
        public void started(URI url, long totalBytes) {
            if (totalBytes > MAX_SIZE) {
                throw new TooLarge(Long.toString(totalBytes));
            }
        }

        @Override
        public void resumed(URI url, long offset, long totalBytes) {
            // too small a transfer to show
        }

        @Override
        public void progress(URI url, long bytes, long totalBytes) {
            if (bytes > MAX_SIZE) {
                throw new TooLarge("more than " + MAX_SIZE);
            }
        }

        @Override
        public void finished(FetchResult result) {
            // the checksum file is a means; the caller hears of the file it asked for
        }
    }

    /** Unchecked, to get out through the fetch's listener call; turned into a {@link ChecksumFileException}. */
    private static final class TooLarge extends RuntimeException {
        final String size;

        TooLarge(String size) {
            super(null, null, false, false);
            this.size = size;
        }
    }
}
