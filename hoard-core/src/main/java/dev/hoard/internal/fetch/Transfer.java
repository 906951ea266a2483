package dev.hoard.internal.fetch;

import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import dev.hoard.DownloadException;
import dev.hoard.FetchListener;
import dev.hoard.internal.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Streams bytes to a file while hashing them: SHA-256 always (it names the blob), plus the expected digest's
 * algorithm when that is another one. The file is fsynced before this returns, so a rename that follows publishes
 * durable bytes. Memory use is one buffer, whatever the size.
 */
final class Transfer {
    private static final int BUFFER_SIZE = 1 << 20;

    private final MessageDigest sha256 = DigestAlgorithm.SHA256.newMessageDigest();
    private final MessageDigest other;
    private final DigestAlgorithm otherAlgorithm;
    private long size;

    private Transfer(Digest expected) {
        boolean needsOther = expected != null && expected.algorithm() != DigestAlgorithm.SHA256;
        this.otherAlgorithm = needsOther ? expected.algorithm() : null;
        this.other = needsOther ? otherAlgorithm.newMessageDigest() : null;
    }

    /** What was received: its size, its SHA-256 and, if asked for, its digest in the expected algorithm. */
    record Received(long size, Digest sha256, Digest other) {
        /** True if the content has {@code expected}; a null expectation always matches. */
        boolean matches(Digest expected) {
            return expected == null || expected.equals(digestIn(expected.algorithm()));
        }

        Digest digestIn(DigestAlgorithm algorithm) {
            return algorithm == DigestAlgorithm.SHA256 ? sha256 : other;
        }
    }

    /**
     * Receives a 200 response's body into {@code target}, replacing it. A body shorter or longer than its
     * Content-Length is a {@link DownloadException}; a failed write (disk full) is a plain {@link IOException}.
     */
    static Received receive(HttpResponse response, Path target, Digest expected, URI url, FetchListener listener)
            throws IOException {
        long declared = response.contentLength();
        listener.started(url, declared);
        Transfer transfer = new Transfer(expected);
        try (InputStream in = response.body(); FileChannel out = openForWrite(target)) {
            transfer.copy(in, out, url, declared, listener);
            if (declared >= 0 && transfer.size != declared) {
                throw new DownloadException(url, response.status(), "body of " + url + " ended after "
                        + transfer.size + " of " + declared + " bytes", null);
            }
            out.force(true);
        } catch (IOException e) {
            response.abort();
            throw e;
        }
        return transfer.result();
    }

    /** Copies a local file into {@code target} (when not null) while hashing it. */
    static Received copyLocal(Path source, Path target, Digest expected) throws IOException {
        Transfer transfer = new Transfer(expected);
        try (InputStream in = Files.newInputStream(source)) {
            if (target == null) {
                transfer.copy(in, null, source.toUri(), -1, FetchListener.NONE);
            } else {
                try (FileChannel out = openForWrite(target)) {
                    transfer.copy(in, out, source.toUri(), -1, FetchListener.NONE);
                }
            }
        }
        return transfer.result();
    }

    /** Hashes a file in one algorithm. */
    static Digest hash(Path file, DigestAlgorithm algorithm) throws IOException {
        MessageDigest digest = algorithm.newMessageDigest();
        byte[] buffer = new byte[BUFFER_SIZE];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return Digest.of(algorithm, digest.digest());
    }

    private static FileChannel openForWrite(Path target) throws IOException {
        // NOFOLLOW_LINKS: a symlink planted at a temp or partial path is never written through.
        return FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
    }

    private void copy(InputStream in, FileChannel out, URI url, long declared, FetchListener listener)
            throws IOException {
        byte[] buffer = new byte[BUFFER_SIZE];
        while (true) {
            int n = read(in, buffer, url);
            if (n < 0) {
                return;
            }
            sha256.update(buffer, 0, n);
            if (other != null) {
                other.update(buffer, 0, n);
            }
            if (out != null) {
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
            }
            size += n;
            listener.progress(url, size, declared);
        }
    }

    /** Reads as much as is available, up to a full buffer; network failures become {@link DownloadException}. */
    private static int read(InputStream in, byte[] buffer, URI url) throws DownloadException {
        try {
            int filled = 0;
            while (filled < buffer.length) {
                int n = in.read(buffer, filled, buffer.length - filled);
                if (n < 0) {
                    return filled == 0 ? -1 : filled;
                }
                filled += n;
                if (in.available() == 0) {
                    break;
                }
            }
            return filled;
        } catch (IOException e) {
            throw new DownloadException(url, 0, "download of " + url + " failed: " + describe(e), e);
        }
    }

    static String describe(IOException e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
    }

    private Received result() {
        Digest otherDigest = other == null ? null : Digest.of(otherAlgorithm, other.digest());
        return new Received(size, Digest.of(DigestAlgorithm.SHA256, sha256.digest()), otherDigest);
    }
}
