package dev.hoard.testing;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Test fixtures made at test time with the same libraries hoard decompresses with (and the JDK for gzip), so no
 * binary file lives in git and no external tool is needed.
 */
public enum Compressed {
    GZIP(".gz"),
    BZIP2(".bz2"),
    XZ(".xz"),
    ZSTD(".zst");

    private final String extension;

    Compressed(String extension) {
        this.extension = extension;
    }

    /** The file name extension, e.g. {@code .gz}. */
    public String extension() {
        return extension;
    }

    /** The format's name as hoard reports it: gzip, bzip2, xz, zstd. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code data} compressed in this format. */
    public byte[] compress(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = open(bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private OutputStream open(OutputStream sink) throws IOException {
        return switch (this) {
            case GZIP -> new GZIPOutputStream(sink);
            case BZIP2 -> new BZip2CompressorOutputStream(sink);
            case XZ -> new XZOutputStream(sink, new LZMA2Options());
            case ZSTD -> new ZstdOutputStream(sink).setChecksum(true); // as the zstd command line does
        };
    }

    /** {@code compressed} with one byte in the middle inverted: damage that only the decoder can notice. */
    public static byte[] damaged(byte[] compressed) {
        byte[] copy = compressed.clone();
        copy[copy.length / 2] ^= (byte) 0xff;
        return copy;
    }

    /** The first {@code fraction} of {@code compressed}: a download cut short. */
    public static byte[] truncated(byte[] compressed, double fraction) {
        return Arrays.copyOf(compressed, (int) (compressed.length * fraction));
    }

    /**
     * Content that compresses like a disk image or a tarball: runs of text and zeros between random blocks, so every
     * format's block structure gets exercised.
     */
    public static byte[] sampleContent(int size, long seed) {
        Random random = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        byte[] text = "hoard keeps one verified copy of every large file.\n".getBytes(StandardCharsets.UTF_8);
        while (out.size() < size) {
            switch (random.nextInt(3)) {
                case 0 -> {
                    for (int i = random.nextInt(200); i >= 0; i--) {
                        out.writeBytes(text);
                    }
                }
                case 1 -> out.writeBytes(new byte[random.nextInt(20_000)]);
                default -> {
                    byte[] noise = new byte[random.nextInt(5_000)];
                    random.nextBytes(noise);
                    out.writeBytes(noise);
                }
            }
        }
        return Arrays.copyOf(out.toByteArray(), size);
    }
}
