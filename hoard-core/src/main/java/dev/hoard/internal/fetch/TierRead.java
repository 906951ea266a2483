package dev.hoard.internal.fetch;

import dev.hoard.Digest;
import dev.hoard.FetchListener;
import dev.hoard.internal.shared.Chunks;
import dev.hoard.internal.shared.SharedTier;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A content read from the tier's chunks into the entry's partial file, appended in order and hashed as it goes,
 * whether the content is complete (its record is known) or still being uploaded by the machine that holds the
 * lease (the chunks its heartbeat says are stored, and any stored since). Up to {@link #WINDOW} chunks are fetched
 * at once. Nothing is trusted: the caller checks {@link #received} against the record's digest at the end.
 *
 * <p>Used by one thread, the entry lock's holder.
 */
final class TierRead implements AutoCloseable {
    /** Chunks in flight at once: the tier's answer to a single connection's limit, as segments are the origin's. */
    static final int WINDOW = 4;

    private final SharedTier tier;
    private final Path partial;
    private final Digest expected;
    private final URI url;
    private final FetchListener listener;
    private ExecutorService pool;
    private FileChannel channel;
    private Transfer transfer;
    private final byte[] buffer = new byte[Transfer.BUFFER_SIZE];
    /** The SHA-256 of the first {@code n} chunks, for each whole chunk read: to compare with a dead holder's. */
    private final java.util.Map<Integer, Digest> sha256At = new java.util.HashMap<>();
    private Chunks chunks;
    private int next;
    private long transferred;
    private boolean started;

    TierRead(SharedTier tier, Path partial, Digest expected, URI url, FetchListener listener) {
        this.tier = tier;
        this.partial = partial;
        this.expected = expected;
        this.url = url;
        this.listener = listener;
    }

    /** The set being read, or null before the first. */
    Chunks chunks() {
        return chunks;
    }

    /** Bytes appended so far. */
    long size() {
        return transfer == null ? 0 : transfer.size();
    }

    long transferred() {
        return transferred;
    }

    /** What the file holds: size and digests, to check against the record. */
    Transfer.Received received() {
        return transfer.result();
    }

    /** Reads {@code set} from here on, starting the file over unless it is the set already being read. */
    void use(Chunks set) throws IOException {
        if (set.equals(chunks)) {
            return;
        }
        if (channel == null) {
            channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
        channel.truncate(0);
        transfer = new Transfer(expected, boundaries(set));
        chunks = set;
        next = 0;
        sha256At.clear();
    }

    /** Records the hash at each whole chunk the transfer passes, as the holder's download does for its heartbeat. */
    private PrefixListener boundaries(Chunks set) {
        return new PrefixListener() {
            @Override
            public long digestEvery() {
                return set.size();
            }

            @Override
            public void digestAt(long end, Digest sha256) {
                sha256At.put((int) (end / set.size()), sha256);
            }
        };
    }

    /** Starts the file over and forgets the set: what it holds is not to be used. */
    void discard() throws IOException {
        if (channel != null) {
            channel.truncate(0);
        }
        chunks = null;
        transfer = null;
        next = 0;
        sha256At.clear();
    }

    /**
     * Keeps the first {@code count} chunks read, when their SHA-256 is {@code expected}, as the start of a download
     * from the origin: the file is cut to them and forced.
     *
     * @return the bytes kept, or -1 (nothing changed) if fewer were read or their hash differs
     */
    long keep(int count, Digest expected) throws IOException {
        Digest ours = sha256At.get(count);
        if (ours == null || !ours.equals(expected)) {
            return -1;
        }
        long bytes = (long) count * chunks.size();
        channel.truncate(bytes);
        channel.force(true);
        return bytes;
    }

    /** Reads the set's chunks up to {@code count} (all stored, by what a heartbeat said). */
    void readUpTo(int count, long total) throws IOException, InterruptedException {
        if (count > next) {
            pull(count, total, WINDOW);
        }
    }

    /**
     * Appends the chunks of a complete content of {@code total} bytes that are not read yet, and forces the file.
     *
     * @return false if a chunk is missing (pruned, or never stored): then the file holds an unusable prefix
     */
    boolean readAll(long total) throws IOException, InterruptedException {
        int count = chunks.count(total);
        pull(count, total, WINDOW);
        if (next < count) {
            return false;
        }
        channel.truncate(transfer.size()); // nothing beyond the content, whatever a store sent
        channel.force(true);
        return true;
    }

    /**
     * Appends what an upload in progress has stored so far, stopping at the first chunk that is not there yet:
     * the {@code stored} its heartbeat counted, {@link #WINDOW} at a time, then those stored since, one at a time
     * (so that a look ahead costs one request that finds nothing, not four).
     *
     * @param total the content's size if the holder knows it, else -1
     * @return how many chunks this call appended
     */
    int follow(int stored, long total) throws IOException, InterruptedException {
        int before = next;
        int end = total >= 0 ? chunks.count(total) : Integer.MAX_VALUE;
        int counted = Math.max(next, Math.min(stored, end));
        if (counted > next) {
            pull(counted, total, WINDOW);
        }
        if (next == counted) {
            pull(end, total, 1);
        }
        return next - before;
    }

    /** Whether every chunk of a content of {@code total} bytes is in (then only its record is missing). */
    boolean complete(long total) {
        return chunks != null && total >= 0 && next >= chunks.count(total);
    }

    /** Whether the partial file was touched: it no longer holds what it held before. */
    boolean touched() {
        return channel != null;
    }

    /**
     * Fetches chunks from {@code next} on, {@link #WINDOW} at a time, each streamed to its place in the file, and
     * hashes them in order as they complete, until {@code end}, the first missing one, or a short one (the
     * content's last).
     */
    private void pull(int end, long total, int window) throws IOException, InterruptedException {
        Deque<Future<Long>> inFlight = new ArrayDeque<>();
        int requested = next;
        try {
            while (true) {
                while (inFlight.size() < window && requested < end) {
                    int i = requested++;
                    Chunks set = chunks;
                    inFlight.add(pool().submit(() -> fetch(set, i)));
                }
                if (inFlight.isEmpty()) {
                    return;
                }
                long length = await(inFlight.removeFirst());
                if (length < 0) {
                    return;
                }
                if (length > chunks.size() || total >= 0 && length != chunks.length(next, total)) {
                    throw new OtherBytes(tier.chunkName(chunks.set(), next) + " holds " + length + " bytes, not "
                            + (total >= 0 ? chunks.length(next, total) : "at most " + chunks.size()));
                }
                transfer.hashFile(channel, transfer.size() + length, buffer, partial.toString());
                next++;
                transferred += length;
                if (!started) {
                    started = true;
                    listener.started(url, total);
                }
                listener.progress(url, transfer.size(), total);
                if (length < chunks.size()) {
                    return; // the last
                }
            }
        } finally {
            // every fetch ends before the file is used again: none may write into what comes next
            for (Future<Long> f : inFlight) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    // a chunk beyond the one that stopped us: its failure does not matter
                }
            }
        }
    }

    /**
     * Streams chunk {@code i} of {@code set} to its place in the file (a worker thread's part). A body cut short by
     * a broken connection is asked for again from its start, up to the tier's attempts per request (each attempt
     * overwrites the same place, and nothing is hashed before the chunk is whole); a body that stalls past the
     * timeout is not, as for any request to the tier.
     *
     * @return its length, or -1 if it is not stored
     * @throws OtherBytes   if it is longer than a chunk
     * @throws StoreFailure if the store failed to send it
     */
    private long fetch(Chunks set, int i) throws IOException {
        for (int attempt = 1;; attempt++) {
            try {
                return fetchOnce(set, i);
            } catch (CutShort e) {
                if (attempt >= tier.settings().maxAttempts() || Thread.currentThread().isInterrupted()) {
                    throw new StoreFailure((IOException) e.getCause());
                }
            }
        }
    }

    /** A chunk's body that broke off mid-way: worth asking for again. */
    private static final class CutShort extends Exception {
        private static final long serialVersionUID = 1L;

        CutShort(IOException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private long fetchOnce(Chunks set, int i) throws IOException, CutShort {
        Optional<InputStream> body;
        try {
            body = tier.chunk(set, i);
        } catch (IOException e) {
            throw new StoreFailure(e);
        }
        if (body.isEmpty()) {
            return -1;
        }
        long start = (long) i * set.size();
        long length = 0;
        byte[] bytes = new byte[Transfer.BUFFER_SIZE];
        try (InputStream in = body.get()) {
            while (true) {
                int n;
                try {
                    n = in.read(bytes);
                } catch (SocketTimeoutException e) {
                    throw new StoreFailure(e);
                } catch (IOException e) {
                    throw new CutShort(e);
                }
                if (n < 0) {
                    return length;
                }
                if (length + n > set.size()) {
                    throw new OtherBytes(tier.chunkName(set.set(), i) + " holds more than " + set.size() + " bytes");
                }
                ByteBuffer buf = ByteBuffer.wrap(bytes, 0, n);
                while (buf.hasRemaining()) {
                    channel.write(buf, start + length + buf.position()); // the local disk: as for any download
                }
                length += n;
            }
        }
    }

    private static long await(Future<Long> future) throws IOException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new StoreFailure(new IOException("reading a chunk failed: " + e.getCause(), e.getCause()));
        }
    }

    private ExecutorService pool() {
        if (pool == null) {
            pool = Executors.newFixedThreadPool(WINDOW, Thread.ofPlatform().daemon().name("hoard-tier-read-", 0)
                    .factory());
        }
        return pool;
    }

    /** The store failed to give a chunk (as opposed to the local disk failing to take it). */
    static final class StoreFailure extends IOException {
        StoreFailure(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** A chunk that cannot be part of the content it is said to be. */
    static final class OtherBytes extends IOException {
        OtherBytes(String message) {
            super(message);
        }
    }

    @Override
    public void close() throws IOException {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (channel != null) {
            channel.close();
        }
    }
}
