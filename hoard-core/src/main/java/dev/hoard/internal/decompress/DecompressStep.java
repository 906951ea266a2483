package dev.hoard.internal.decompress;

import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import dev.hoard.FetchResult;
import dev.hoard.FetchStatus;
import dev.hoard.internal.step.FetchStep;
import dev.hoard.internal.step.ForwardingListener;
import dev.hoard.internal.store.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@link FetchRequest#decompress}: fetches the compressed file as usual, then decompresses it into the output.
 *
 * <p>The cache keeps the compressed bytes as downloaded, and the expected digest (or checksum file) applies to
 * them: they are what the publisher hashed. The compressed file is fetched without an output (into the cache, or
 * checked in place for a local file; with {@code noCache}, into a temp file beside the output that is deleted
 * afterwards) and decompressed from there.
 *
 * <p><b>An existing output is skipped</b>, whatever the digest: it holds decompressed bytes, which the digest of the
 * compressed file cannot verify, and re-decompressing would overwrite a file the user may have changed (a VM disk
 * that has booted). Delete it to get a fresh copy.
 *
 * <p>Everything here runs only for requests that ask for decompression; other requests pass straight on, so the
 * decompression libraries are never loaded for them.
 */
public final class DecompressStep implements FetchStep {
    private final FetchStep next;

    public DecompressStep(FetchStep next) {
        this.next = next;
    }

    @Override
    public FetchResult fetch(FetchRequest request, FetchListener listener) throws IOException, InterruptedException {
        if (!request.decompress()) {
            return next.fetch(request, listener);
        }
        Path output = request.output();
        if (output == null) {
            throw new IllegalArgumentException("decompression needs an output path for the decompressed file");
        }
        FetchResult result = Files.exists(output) ? skip(request, output) : fetchAndDecompress(request, output,
                listener);
        listener.finished(result);
        return result;
    }

    private static FetchResult skip(FetchRequest request, Path output) throws IOException {
        if (Files.isDirectory(output)) {
            throw new IllegalArgumentException("output " + output + " is a directory; give a file path");
        }
        return new FetchResult(FetchStatus.SKIPPED, request.uri(), output, null, Files.size(output), null, null,
                null, null, 0);
    }

    private FetchResult fetchAndDecompress(FetchRequest request, Path output, FetchListener listener)
            throws IOException, InterruptedException {
        FetchRequest compressed = request.decompress(false).output(null);
        if (!request.noCache()) {
            return decompress(request, next.fetch(compressed, allButFinished(listener)), output, listener);
        }
        createParent(output);
        Path temp = AtomicFiles.tempSibling(output);
        try {
            return decompress(request, next.fetch(compressed.output(temp), allButFinished(listener)), output,
                    listener);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Decompresses what was fetched into the output; the result describes the compressed file, placed at output. */
    private static FetchResult decompress(FetchRequest request, FetchResult fetched, Path output,
            FetchListener listener) throws IOException, InterruptedException {
        createParent(output);
        Decompressor.decompress(request.uri(), fetched.path(), output, listener);
        return new FetchResult(fetched.status(), request.uri(), output, fetched.cachePath(), fetched.size(),
                fetched.digest(), fetched.etag(), fetched.lastModified(), fetched.contentType(),
                fetched.bytesTransferred());
    }

    private static void createParent(Path output) throws IOException {
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    /** The inner fetch is only the first half of the request: its end is reported once the output is written. */
    private static FetchListener allButFinished(FetchListener listener) {
        return new ForwardingListener(listener) {
            @Override
            public void finished(FetchResult result) {
                // reported by fetch() once the output is written
            }
        };
    }
}
