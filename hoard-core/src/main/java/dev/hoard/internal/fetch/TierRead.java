package dev.hoard.internal.fetch;

import dev.hoard.Digest;
import dev.hoard.FetchListener;
import dev.hoard.internal.shared.Chunks;
import dev.hoard.internal.shared.SharedTier;
import java.io.IOException;
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
        transfer = new Transfer(expected);
        chunks = set;
        next = 0;
    }

    /** Starts the file over and forgets the set: what it holds is not to be used. */
    void discard() throws IOException {
        if (channel != null) {
            channel.truncate(0);
        }
        chunks = null;
        transfer = null;
        next = 0;
    }

    /**
     * Appends the chunks of a complete content of {@code total} bytes that are not read yet, and forces the file.
     *
     * @return false if a chunk is missing (pruned, or never stored): then the file holds an unusable prefix
     */
    boolean readAll(long total) throws IOException, InterruptedException {
        int count = chunks.count(total);
        pull(count, total);
        if (next < count) {
            return false;
        }
        channel.force(true);
        return true;
    }

    /**
     * Appends what an upload in progress has stored so far, stopping at the first chunk that is not there yet.
     *
     * @param total the content's size if the holder knows it, else -1
     * @return how many chunks this call appended
     */
    int follow(long total) throws IOException, InterruptedException {
        int before = next;
        pull(total >= 0 ? chunks.count(total) : Integer.MAX_VALUE, total);
        return next - before;
    }

    /** Whether the partial file was touched: it no longer holds what it held before. */
    boolean touched() {
        return channel != null;
    }

    /**
     * Fetches chunks from {@code next} on, {@link #WINDOW} at a time, appending them in order, until {@code end},
     * the first missing one, or a short one (the content's last).
     */
    private void pull(int end, long total) throws IOException, InterruptedException {
        Deque<Future<Optional<byte[]>>> inFlight = new ArrayDeque<>();
        int requested = next;
        try {
            while (true) {
                while (inFlight.size() < WINDOW && requested < end) {
                    int i = requested++;
                    Chunks set = chunks;
                    inFlight.add(pool().submit(() -> tier.chunk(set, i)));
                }
                if (inFlight.isEmpty()) {
                    return;
                }
                Optional<byte[]> chunk = await(inFlight.removeFirst());
                if (chunk.isEmpty()) {
                    return;
                }
                byte[] bytes = chunk.get();
                if (bytes.length > chunks.size() || total >= 0 && bytes.length != chunks.length(next, total)) {
                    throw new OtherBytes(tier.chunkName(chunks.set(), next) + " holds " + bytes.length
                            + " bytes, not " + (total >= 0 ? chunks.length(next, total) : "at most " + chunks.size()));
                }
                append(bytes, total);
                if (bytes.length < chunks.size()) {
                    return; // the last
                }
            }
        } finally {
            inFlight.forEach(f -> f.cancel(true));
        }
    }

    private void append(byte[] bytes, long total) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long at = transfer.size();
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
        transfer.add(bytes);
        next++;
        transferred += bytes.length;
        if (!started) {
            started = true;
            listener.started(url, total);
        }
        listener.progress(url, transfer.size(), total);
    }

    private static Optional<byte[]> await(Future<Optional<byte[]>> future) throws IOException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new StoreFailure(e.getCause() instanceof IOException io ? io
                    : new IOException("reading a chunk failed: " + e.getCause(), e.getCause()));
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
