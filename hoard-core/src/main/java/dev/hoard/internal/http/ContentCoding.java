package dev.hoard.internal.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * The content codings a response body may come in although hoard asks for {@code Accept-Encoding: identity}: some
 * servers compress anyway (Apache with mod_deflate forced, nginx with {@code gzip_static always} serving only a
 * {@code .gz}). The file is what the server would send uncompressed — what checksum files list — so gzip and deflate
 * are decoded; any other coding cannot be, and the caller refuses the response rather than store encoded bytes.
 */
final class ContentCoding {
    private ContentCoding() {
    }

    /** The coding named by a Content-Encoding header, lower-cased, or null for none ("identity" or absent). */
    static String of(String header) {
        if (header == null) {
            return null;
        }
        String coding = header.trim().toLowerCase(Locale.ROOT);
        return coding.isEmpty() || coding.equals("identity") ? null : coding;
    }

    /** Whether {@link #decode} can undo {@code coding}. */
    static boolean decodable(String coding) {
        return switch (coding) {
            case "gzip", "x-gzip", "deflate" -> true;
            default -> false;
        };
    }

    /**
     * The decoded body. gzip checks its own CRC-32 and length at the end, and zlib its Adler-32, so a cut or damaged
     * body fails as a read error instead of yielding short content. Nothing is read until the first read, so that
     * every failure, even in the gzip header, is a failed read of the body, which the caller retries.
     */
    static InputStream decode(InputStream raw, String coding) {
        if (!decodable(coding)) {
            throw new IllegalArgumentException("cannot decode Content-Encoding " + coding);
        }
        return new Decoding(raw, coding);
    }

    /** Opens the decoder on the first read, and says in every failure that the body was being decoded. */
    private static final class Decoding extends InputStream {
        private final InputStream raw;
        private final String coding;
        private InputStream decoded;

        Decoding(InputStream raw, String coding) {
            this.raw = raw;
            this.coding = coding;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                if (decoded == null) {
                    decoded = coding.equals("deflate") ? inflate(raw) : new GZIPInputStream(raw, 64 * 1024);
                }
                return decoded.read(buffer, offset, length);
            } catch (ZipException e) {
                throw new ZipException("the " + coding + "-encoded body is corrupt: " + e.getMessage());
            } catch (EOFException e) {
                throw new EOFException("the " + coding + "-encoded body ended early");
            }
        }

        /** 0: an inflater says 1 until its end, which would make a reader that fills its buffer wait for more. */
        @Override
        public int available() {
            return 0;
        }

        @Override
        public void close() throws IOException {
            if (decoded != null) {
                decoded.close();
            } else {
                raw.close();
            }
        }
    }

    private static InputStream inflate(InputStream raw) throws IOException {
        PushbackInputStream in = new PushbackInputStream(raw, 2);
        byte[] head = in.readNBytes(2);
        in.unread(head);
        boolean zlib = head.length == 2 && (head[0] & 0x0f) == 8 && (head[0] & 0xff) >> 4 <= 7
                && ((head[0] & 0xff) << 8 | head[1] & 0xff) % 31 == 0;
        Inflater inflater = new Inflater(!zlib);
        return new InflaterInputStream(in, inflater, 64 * 1024) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    inflater.end(); // a caller-supplied Inflater is not ended by the stream
                }
            }
        };
    }
}
