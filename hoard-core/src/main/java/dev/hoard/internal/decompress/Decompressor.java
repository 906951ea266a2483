package dev.hoard.internal.decompress;

import dev.hoard.DecompressionException;
import dev.hoard.FetchListener;
import dev.hoard.internal.store.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Decompresses a file into an output path, through a temp file beside it that is renamed into place only once the
 * whole stream decoded cleanly; so the output is absent, the old file, or the complete new one, as with a copy.
 *
 * <p>Failures are told apart by where they happen: the decoder rejecting its input is a
 * {@link DecompressionException} (an integrity failure); reading the source or writing the output (a full disk) is
 * a plain {@link IOException}.
 */
final class Decompressor {
    private static final int BUFFER_SIZE = 1 << 20;
    private static final int READ_AHEAD = 1 << 16;

    private final URI url;
    private final Path source;
    private final FetchListener listener;

    private Decompressor(URI url, Path source, FetchListener listener) {
        this.url = url;
        this.source = source;
        this.listener = listener;
    }

    /**
     * Decompresses {@code source}, the content of {@code url}, into {@code output}; the format comes from the URL's
     * file name, else from the magic number. Returns the decompressed size.
     */
    static long decompress(URI url, Path source, Path output, FetchListener listener)
            throws IOException, InterruptedException {
        return new Decompressor(url, source, listener).into(output);
    }

    private long into(Path output) throws IOException, InterruptedException {
        CompressionFormat format = recognise();
        long total = Files.size(source);
        listener.decompressionStarted(url, format.label(), total);
        Path temp = AtomicFiles.tempSibling(output);
        try {
            long written = decode(format, total, temp);
            AtomicFiles.move(temp, output);
            return written;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private CompressionFormat recognise() throws IOException {
        Optional<CompressionFormat> byName = CompressionFormat.byFileName(fileName(url));
        if (byName.isPresent()) {
            return byName.get();
        }
        byte[] head = new byte[CompressionFormat.MAGIC_LENGTH];
        int length;
        try (InputStream in = Files.newInputStream(source)) {
            length = in.readNBytes(head, 0, head.length);
        }
        Optional<CompressionFormat> byMagic = CompressionFormat.byMagic(head, length);
        if (byMagic.isEmpty()) {
            throw unrecognised(length == 0 ? "none: it is empty" : CompressionFormat.hex(head, length));
        }
        return byMagic.get();
    }

    private DecompressionException unrecognised(String firstBytes) {
        return new DecompressionException(url, null, "cannot decompress " + url + ": its name does not end in "
                + CompressionFormat.extensions() + " and its first bytes (" + firstBytes + ") are no gzip, bzip2, xz "
                + "or zstd magic number; the output was not written", null);
    }

    private long decode(CompressionFormat format, long total, Path temp) throws IOException, InterruptedException {
        byte[] buffer = new byte[BUFFER_SIZE];
        long written = 0;
        try (CountingSource counted = new CountingSource(Files.newInputStream(source));
                InputStream decoded = open(format, new BufferedInputStream(counted, READ_AHEAD));
                FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS)) {
            for (int n; (n = read(format, decoded, buffer)) >= 0; ) {
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted while decompressing " + url);
                }
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                written += n;
                listener.decompressionProgress(url, counted.count, total, written);
            }
        }
        listener.decompressionProgress(url, total, total, written);
        return written;
    }

    private InputStream open(CompressionFormat format, InputStream compressed) throws IOException {
        try {
            return Decoders.open(format, compressed);
        } catch (Decoders.Unavailable e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw corrupt(format, e);
        }
    }

    /** Fills as much of {@code buffer} as the decoder gives, so that progress and writes come in large steps. */
    private int read(CompressionFormat format, InputStream decoded, byte[] buffer) throws IOException {
        try {
            int n = decoded.readNBytes(buffer, 0, buffer.length);
            return n == 0 ? -1 : n;
        } catch (IOException | RuntimeException e) {
            // Decoders of untrusted input throw unchecked exceptions too on some malformed data.
            throw corrupt(format, e);
        }
    }

    /** A decoder's failure, unless it was the source file that could not be read. */
    private IOException corrupt(CompressionFormat format, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SourceReadFailure failure) {
                return failure.failure;
            }
        }
        return new DecompressionException(url, format.label(), "cannot decompress " + url + " as " + format.label()
                + ": the data is corrupt or truncated (" + describe(e) + "); the output was not written", e);
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static String fileName(URI url) {
        String path = url.getPath() == null ? "" : url.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The source file's stream: counts what the decoder consumed, and marks its own failures as not the data's. */
    private static final class CountingSource extends FilterInputStream {
        long count;

        CountingSource(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                count += b < 0 ? 0 : 1;
                return b;
            } catch (IOException e) {
                throw new SourceReadFailure(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                count += Math.max(n, 0);
                return n;
            } catch (IOException e) {
                throw new SourceReadFailure(e);
            }
        }
    }

    /** Carries a failure to read the source file through a decoder, so it is not blamed on the data. */
    private static final class SourceReadFailure extends IOException {
        final IOException failure;

        SourceReadFailure(IOException failure) {
            super(failure);
            this.failure = failure;
        }
    }
}
