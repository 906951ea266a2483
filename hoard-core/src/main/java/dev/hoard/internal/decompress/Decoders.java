package dev.hoard.internal.decompress;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Opens a decompressing stream for each format. The only class that names the decompression libraries, so the JVM
 * loads them only when something is decompressed (see the class-loading test in hoard-cli). Each library sits in a
 * nested class of its own: the bytecode verifier loads a class to check that it is an {@code InputStream}, so naming
 * all four in one method would load all four to decompress one.
 *
 * <p>Every decoder reads concatenated streams whole ({@code cat a.gz b.gz}, pbzip2's output, multi-stream xz,
 * multi-frame zstd), as the command-line tools do.
 */
final class Decoders {
    private static final int GZIP_BUFFER = 1 << 16;

    private Decoders() {
    }

    /** A stream of the decompressed bytes of {@code compressed}; reading fails on corrupt or truncated input. */
    static InputStream open(CompressionFormat format, InputStream compressed) throws IOException {
        return switch (format) {
            case GZIP -> new GZIPInputStream(compressed, GZIP_BUFFER);
            case BZIP2 -> Bzip2.open(compressed);
            case XZ -> Xz.open(compressed);
            case ZSTD -> Zstd.open(compressed);
        };
    }

    private static final class Bzip2 {
        static InputStream open(InputStream compressed) throws IOException {
            return new BZip2CompressorInputStream(compressed, true);
        }
    }

    private static final class Xz {
        static InputStream open(InputStream compressed) throws IOException {
            return new XZInputStream(compressed);
        }
    }

    /**
     * zstd-jni unpacks its native library into {@code java.io.tmpdir} and loads it from there; a temp dir mounted
     * noexec, or a platform it has no build for, fails here with a {@link LinkageError}, which becomes a plain I/O
     * failure that says what to change.
     */
    private static final class Zstd {
        static InputStream open(InputStream compressed) throws IOException {
            try {
                return new ZstdInputStreamNoFinalizer(compressed);
            } catch (LinkageError e) {
                throw new Unavailable("zstd decompression is unavailable: its native library did not load (" + e
                        + "); point java.io.tmpdir at a directory that allows executables (java "
                        + "-Djava.io.tmpdir=DIR; for ./hoard, HOARD_JAVA_OPTS=-Djava.io.tmpdir=DIR)", e);
            }
        }
    }

    /** A decoder that cannot run on this machine: a local I/O failure, not a fault of the data. */
    static final class Unavailable extends IOException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
