package dev.hoard.internal.shared;

import dev.hoard.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Uploads a file to a fresh chunk set while it is being written: chunk {@code i} goes up, from its own thread, as
 * soon as the file's final prefix ({@link #hashed}) passes its end, so that other machines can read it while the
 * download goes on; {@link #finish} uploads the rest once the size is known. A {@link #cut} of the file below what
 * was uploaded starts a new set (chunks are never rewritten: a reader may have read them already), and the old one
 * is deleted at the end.
 *
 * <p>A chunk that cannot be stored (after one retry) gives the tier up for the process ({@link SharedTier#failed},
 * said once); the download goes on, and {@link #finish} returns empty. Thread-safe.
 */
public final class ChunkUpload {
    /** How long {@link #finish} waits for the store when no chunk completes at all. */
    private static final long STALLED_MILLIS = 30_000;

    private final SharedTier tier;
    private final Path file;
    private final Consumer<String> warn;
    private final Object lock = new Object();
    private final List<Chunks> abandoned = new ArrayList<>();
    /** The file's SHA-256 at chunk boundaries from the last stored one on, as the download's hash passed them. */
    private final NavigableMap<Long, Digest> digests = new TreeMap<>();
    private final Thread thread;
    private Chunks chunks;
    private int stored;
    private long hashed;
    private long total = -1;
    private boolean failed;
    private IOException error;
    private boolean closed;
    private long lastStored = System.nanoTime();

    private ChunkUpload(SharedTier tier, Path file, Consumer<String> warn) {
        this.tier = tier;
        this.file = file;
        this.warn = warn;
        this.chunks = tier.newChunks();
        this.thread = Thread.ofPlatform().daemon().name("hoard-tier-upload").start(this::run);
    }

    /** Starts uploading {@code file} as it is written; call {@link #hashed} as it grows. */
    public static ChunkUpload following(SharedTier tier, Path file, Consumer<String> warn) {
        return new ChunkUpload(tier, file, warn);
    }

    /** Uploads a complete file of {@code size} bytes; empty if the tier failed (said through {@code warn}). */
    public static Optional<Chunks> ofFile(SharedTier tier, Path file, long size, Consumer<String> warn)
            throws InterruptedException {
        ChunkUpload upload = new ChunkUpload(tier, file, warn);
        upload.hashed(size);
        return upload.finish(size);
    }

    /** Uploads a complete file of {@code size} bytes, or throws why it could not (push: the user asked for it). */
    public static Chunks store(SharedTier tier, Path file, long size) throws IOException, InterruptedException {
        ChunkUpload upload = new ChunkUpload(tier, file, message -> { });
        upload.hashed(size);
        Optional<Chunks> chunks = upload.finish(size);
        if (chunks.isPresent()) {
            return chunks.get();
        }
        synchronized (upload.lock) {
            throw upload.error != null ? upload.error : new IOException("no chunk stored in "
                    + STALLED_MILLIS / 1000 + " s");
        }
    }

    /** Bytes {@code [0, end)} of the file are final. */
    public void hashed(long end) {
        synchronized (lock) {
            if (end > hashed) {
                hashed = end;
                lock.notifyAll();
            }
        }
    }

    /** Every how many bytes {@link #digestAt} wants the file's SHA-256: the chunk size. */
    public long digestEvery() {
        synchronized (lock) {
            return chunks.size();
        }
    }

    /** The SHA-256 of the file's first {@code end} bytes (a chunk boundary), for the heartbeat. */
    public void digestAt(long end, Digest sha256) {
        synchronized (lock) {
            if (end >= (long) stored * chunks.size()) {
                digests.put(end, sha256);
            }
            digests.headMap((long) stored * chunks.size()).clear();
        }
    }

    /** The file was cut to {@code size}: chunks beyond it no longer hold its bytes. */
    public void cut(long size) {
        synchronized (lock) {
            digests.tailMap(size, false).clear();
            hashed = Math.min(hashed, size);
            if ((long) stored * chunks.size() > size) {
                abandoned.add(chunks);
                chunks = tier.newChunks();
                stored = 0;
            }
            lock.notifyAll();
        }
    }

    /**
     * What the heartbeat says: the download's progress, the set being uploaded, how many of its chunks (from the
     * first) are stored and their SHA-256 (as the download hashed them, when known).
     */
    public Lease.Progress progress(Lease.Progress download) {
        synchronized (lock) {
            if (failed) {
                return download;
            }
            long end = (long) stored * chunks.size();
            return new Lease.Progress(download.bytes(), download.total(), chunks, stored,
                    stored == 0 ? null : digests.get(end), download.origin());
        }
    }

    /**
     * The file is complete at {@code size} bytes: uploads what is left and returns the set that holds it, or empty
     * if the tier failed, or stalled for {@link #STALLED_MILLIS} without storing a chunk (then given up too).
     */
    public Optional<Chunks> finish(long size) throws InterruptedException {
        synchronized (lock) {
            total = size;
            hashed = Math.max(hashed, size);
            lastStored = System.nanoTime();
            lock.notifyAll();
            while (!failed && stored < chunks.count(size)) {
                if (System.nanoTime() - lastStored > STALLED_MILLIS * 1_000_000) {
                    failed = true;
                    tier.failed("no chunk stored in " + STALLED_MILLIS / 1000 + " s", warn);
                    break;
                }
                lock.wait(250);
            }
            closed = true;
            lock.notifyAll();
        }
        thread.join(STALLED_MILLIS);
        List<Chunks> garbage;
        Optional<Chunks> done;
        synchronized (lock) {
            garbage = new ArrayList<>(abandoned);
            done = failed ? Optional.empty() : Optional.of(chunks);
            if (failed) {
                garbage.add(chunks);
            }
        }
        garbage.forEach(tier::discard);
        return done;
    }

    /** The download failed: stop, and delete what was stored (nothing will name it). */
    public void abandon() {
        List<Chunks> garbage;
        synchronized (lock) {
            closed = true;
            failed = true;
            lock.notifyAll();
            garbage = new ArrayList<>(abandoned);
            garbage.add(chunks);
        }
        thread.interrupt();
        try {
            thread.join(STALLED_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        garbage.forEach(tier::discard);
    }

    private void run() {
        FileChannel channel = null; // opened once the first chunk is ready: the file may not exist before
        try {
            while (true) {
                Chunks set;
                int i;
                int length;
                synchronized (lock) {
                    while (!closed && !failed && !ready()) {
                        lock.wait();
                    }
                    if (failed || !ready()) {
                        return;
                    }
                    if (!tier.available()) { // given up elsewhere (the heartbeat): nothing would name more chunks
                        failed = true;
                        error = new IOException("the shared tier was given up after an earlier failure");
                        lock.notifyAll();
                        return;
                    }
                    set = chunks;
                    i = stored;
                    length = total >= 0 ? set.length(i, total) : set.size();
                }
                if (channel == null) {
                    channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                }
                byte[] bytes = new byte[length];
                int n = 0;
                while (n < length) {
                    int r = channel.read(ByteBuffer.wrap(bytes, n, length - n), (long) i * set.size() + n);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                }
                synchronized (lock) {
                    if (set != chunks) {
                        continue; // cut meanwhile: the next round takes the new set
                    }
                }
                if (n < length) {
                    throw new IOException(file + " ends at byte " + ((long) i * set.size() + n)
                            + ", before the bytes said to be written");
                }
                put(set, i, bytes);
                synchronized (lock) {
                    if (set == chunks && stored == i) {
                        stored++;
                        lastStored = System.nanoTime();
                    }
                    lock.notifyAll();
                }
            }
        } catch (InterruptedException e) {
            // abandoned
        } catch (IOException e) {
            synchronized (lock) {
                failed = true;
                error = e;
                lock.notifyAll();
            }
            tier.failed(e, warn);
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // read-only
                }
            }
        }
    }

    /** Whether the next chunk can go: its bytes are final, or the file is complete and it is the last. */
    private boolean ready() {
        if (total >= 0) {
            return stored < chunks.count(total);
        }
        return hashed >= (long) (stored + 1) * chunks.size();
    }

    private void put(Chunks set, int i, byte[] bytes) throws IOException {
        SharedTier.twice(() -> tier.putChunk(set, i, bytes));
    }
}
