package dev.hoard.internal.fetch;

import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import dev.hoard.internal.digest.FileHash;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Set;

/**
 * The running digest and size of a file being written: SHA-256 always (it names the blob), plus the expected
 * digest's algorithm when that is another one. It survives retries within a process (the digests cover exactly the
 * bytes written so far), and a resumed download first feeds it the bytes already on disk. Memory use is two buffers
 * (one while hashing a local file), whatever the size.
 */
final class Transfer {
    static final int BUFFER_SIZE = 1 << 20;

    private final DigestAlgorithm otherAlgorithm;
    private final PrefixListener prefix;
    private MessageDigest sha256;
    private MessageDigest other;
    private long size;

    Transfer(Digest expected) {
        this(expected, PrefixListener.NONE);
    }

    /** @param prefix hears each advance of the hashed prefix: those bytes are in the file */
    Transfer(Digest expected, PrefixListener prefix) {
        this.prefix = prefix;
        this.otherAlgorithm = expected != null && expected.algorithm() != DigestAlgorithm.SHA256
                ? expected.algorithm() : null;
        reset();
    }

    /** What was written: its size, its SHA-256 and, if asked for, its digest in the expected algorithm. */
    record Received(long size, Digest sha256, Digest other) {
        /** True if the content has {@code expected}; a null expectation always matches. */
        boolean matches(Digest expected) {
            return expected == null || expected.equals(digestIn(expected.algorithm()));
        }

        Digest digestIn(DigestAlgorithm algorithm) {
            return algorithm == DigestAlgorithm.SHA256 ? sha256 : other;
        }
    }

    /** Called as bytes arrive, with the total written so far. */
    @FunctionalInterface
    interface Progress {
        void advanced(long size) throws IOException;
    }

    /** The network failed while the body was being read (as opposed to the disk failing while writing it). */
    static final class BodyReadException extends IOException {
        BodyReadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    long size() {
        return size;
    }

    /** Forgets everything: the file is about to be rewritten from its first byte. */
    void reset() {
        sha256 = DigestAlgorithm.SHA256.newMessageDigest();
        other = otherAlgorithm == null ? null : otherAlgorithm.newMessageDigest();
        size = 0;
    }

    /** Feeds the first {@code length} bytes of an existing file, for a download that resumes it. */
    void hashExisting(Path file, long length) throws IOException {
        reset();
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            hashFile(in, length, new byte[BUFFER_SIZE], file.toString());
        }
    }

    /**
     * Feeds the bytes of {@code file} from {@link #size()} up to {@code end}, read back with positional reads (so a
     * writer may go on writing beyond {@code end} meanwhile), through {@code buffer}.
     *
     * @param what the file, as error messages name it
     * @throws IOException if the file ends before {@code end}
     */
    void hashFile(FileChannel file, long end, byte[] buffer, String what) throws IOException {
        while (size < end) {
            int n = file.read(ByteBuffer.wrap(buffer, 0, (int) Math.min(buffer.length, end - size)), size);
            if (n <= 0) {
                throw new IOException(what + " ends at byte " + size + ", short of the " + end
                        + " bytes written to it");
            }
            update(buffer, n);
        }
    }

    /**
     * Copies {@code in} to {@code out}, from its position (which is {@link #size()}), until end of stream, and hashes
     * what it wrote. The hash runs on a second thread that follows the writes, reading the bytes back from the file
     * (from the page cache: one memory copy). SHA-256 is the slowest step of a download from a fast server (150-250
     * MB/s on a CPU without SHA instructions, docs/benchmarks.md); this way reading the network and writing the disk
     * run alongside it instead of between its steps, and a stalled write (an fsync) does not stall the hash. With
     * {@code force}, the file is fsynced at the end of the stream, also while the hash catches up.
     *
     * <p>Returns or throws only once the hash has caught up with every byte written, so the digests and
     * {@link #size()} describe exactly the bytes in the file. {@code progress} hears the bytes written. A failed read
     * is a {@link BodyReadException} (retryable: what was written stays valid); a failed write is a plain
     * {@link IOException}.
     *
     * @param out open for reading and writing
     */
    void receive(InputStream in, FileChannel out, Progress progress, boolean force) throws IOException {
        Follower follower = new Follower(out);
        Thread hashing = Thread.ofPlatform().name("hoard-hash").daemon().start(follower);
        try {
            byte[] buffer = new byte[BUFFER_SIZE];
            long written = size;
            while (true) {
                int n = read(in, buffer);
                if (n < 0) {
                    break;
                }
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                written += n;
                follower.wrote(written);
                progress.advanced(written);
            }
            if (force) {
                out.force(true);
            }
        } finally {
            follower.finish();
            joinUninterruptibly(hashing);
        }
        follower.rethrow();
    }

    /** Hashes a file behind its writer: {@link #receive}'s second thread. */
    private final class Follower implements Runnable {
        private final FileChannel file;
        private long written; // guarded by this, like the two below
        private boolean finished;
        private IOException failure;

        Follower(FileChannel file) {
            this.file = file;
            this.written = size;
        }

        synchronized void wrote(long total) throws IOException {
            if (failure != null) {
                throw failure; // no point in writing what cannot be hashed
            }
            written = total;
            notifyAll();
        }

        synchronized void finish() {
            finished = true;
            notifyAll();
        }

        synchronized void rethrow() throws IOException {
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public void run() {
            byte[] buffer = new byte[BUFFER_SIZE];
            try {
                while (true) {
                    long target;
                    synchronized (this) {
                        while (written == size && !finished) {
                            wait();
                        }
                        if (written == size) {
                            return; // the writer is done and everything it wrote is hashed
                        }
                        target = written;
                    }
                    hashFile(file, target, buffer, "the file being written");
                }
            } catch (IOException e) {
                synchronized (this) {
                    failure = new IOException("cannot read back the file being written, to hash it: "
                            + describe(e), e);
                }
            } catch (InterruptedException e) {
                synchronized (this) {
                    failure = new IOException("hashing was interrupted", e);
                }
            }
        }
    }

    /** Waits for a thread whose work is bounded (it reads or syncs a local file), keeping an interrupt for later. */
    static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    Received result() {
        try {
            Digest otherDigest = other == null ? null
                    : Digest.of(otherAlgorithm, ((MessageDigest) other.clone()).digest());
            return new Received(size, sha256Now(), otherDigest);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA digests are cloneable", e);
        }
    }

    /** Feeds bytes just appended to the file by the caller (a chunk read from the shared tier). */
    void add(byte[] bytes) {
        update(bytes, bytes.length);
    }

    private void update(byte[] buffer, int n) {
        long every = prefix.digestEvery();
        int off = 0;
        while (off < n) {
            int len = n - off;
            if (every > 0) {
                len = (int) Math.min(len, every - size % every); // stop at each boundary the listener wants
            }
            sha256.update(buffer, off, len);
            if (other != null) {
                other.update(buffer, off, len);
            }
            size += len;
            off += len;
            if (every > 0 && size % every == 0) {
                prefix.digestAt(size, sha256Now());
            }
        }
        prefix.hashed(size);
    }

    /** The SHA-256 of what was hashed so far, leaving the running digest as it is. */
    private Digest sha256Now() {
        try {
            return Digest.of(DigestAlgorithm.SHA256, ((MessageDigest) sha256.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 cannot be cloned", e);
        }
    }

    private static int read(InputStream in, byte[] buffer) throws BodyReadException {
        return read(in, buffer, buffer.length);
    }

    /**
     * Reads as much as is available, up to {@code limit} bytes, so that writes and digest updates are large. A failed
     * read is a {@link BodyReadException}.
     */
    static int read(InputStream in, byte[] buffer, int limit) throws BodyReadException {
        try {
            int filled = 0;
            while (filled < limit) {
                int n = in.read(buffer, filled, limit - filled);
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
            throw new BodyReadException(describe(e), e);
        }
    }

    /** Copies a local file into {@code target} while hashing it. */
    static Received copyLocal(Path source, Path target, Digest expected) throws IOException {
        Transfer transfer = new Transfer(expected);
        try (InputStream in = Files.newInputStream(source); FileChannel out = openNew(target)) {
            transfer.receive(in, out, size -> { }, false);
        }
        return transfer.result();
    }

    /** The size and digests of a file at rest: SHA-256, and the expected digest's algorithm if another. */
    static Received hashAtRest(Path file, Digest expected) throws IOException {
        Set<DigestAlgorithm> algorithms = EnumSet.of(DigestAlgorithm.SHA256);
        if (expected != null) {
            algorithms.add(expected.algorithm());
        }
        FileHash hash = FileHash.of(file, algorithms);
        Digest other = expected == null || expected.algorithm() == DigestAlgorithm.SHA256 ? null
                : hash.in(expected.algorithm());
        return new Received(hash.size(), hash.in(DigestAlgorithm.SHA256), other);
    }

    /**
     * Creates or truncates {@code target} for writing (and reading, for {@link #receive}'s hash); a symlink planted
     * there is never followed.
     */
    static FileChannel openNew(Path target) throws IOException {
        return FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
    }

    static String describe(IOException e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
    }
}
