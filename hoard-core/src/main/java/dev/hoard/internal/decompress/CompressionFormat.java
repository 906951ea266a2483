package dev.hoard.internal.decompress;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The formats {@code --decompress} reads, and how a file is recognised: by its name's extension, else by the magic
 * number it starts with. Pure data: it names no decompression library, so that recognising a format loads none.
 */
enum CompressionFormat {
    GZIP("gzip", ".gz", 0x1f, 0x8b),
    BZIP2("bzip2", ".bz2", 'B', 'Z', 'h'),
    XZ("xz", ".xz", 0xfd, '7', 'z', 'X', 'Z', 0x00),
    ZSTD("zstd", ".zst", 0x28, 0xb5, 0x2f, 0xfd);

    /** Enough leading bytes to tell every format apart. */
    static final int MAGIC_LENGTH = 6;

    private final String label;
    private final String extension;
    private final byte[] magic;

    CompressionFormat(String label, String extension, int... magic) {
        this.label = label;
        this.extension = extension;
        this.magic = new byte[magic.length];
        for (int i = 0; i < magic.length; i++) {
            this.magic[i] = (byte) magic[i];
        }
    }

    /** The format's usual name: gzip, bzip2, xz or zstd. */
    String label() {
        return label;
    }

    static Optional<CompressionFormat> byFileName(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> lower.endsWith(f.extension)).findFirst();
    }

    /** The format whose magic number {@code head} (the first {@code length} bytes of a file) starts with. */
    static Optional<CompressionFormat> byMagic(byte[] head, int length) {
        return Arrays.stream(values())
                .filter(f -> length >= f.magic.length && Arrays.equals(head, 0, f.magic.length, f.magic, 0,
                        f.magic.length))
                .findFirst();
    }

    /** {@code .gz, .bz2, .xz or .zst}, for messages. */
    static String extensions() {
        return ".gz, .bz2, .xz or .zst";
    }

    /** The bytes as spaced hex, e.g. {@code 3c 21 44 4f}, for messages. */
    static String hex(byte[] head, int length) {
        return HexFormat.ofDelimiter(" ").formatHex(head, 0, length);
    }
}
