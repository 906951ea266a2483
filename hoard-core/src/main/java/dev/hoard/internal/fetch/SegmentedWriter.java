package dev.hoard.internal.fetch;

import dev.hoard.DownloadException;
import dev.hoard.internal.http.HttpResponse;
import dev.hoard.internal.store.PartialRecord;
import dev.hoard.internal.store.PartialRecord.Segment;
import dev.hoard.internal.store.SegmentProgress;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Fills a file that is cut into segments over several connections: worker threads fetch the segments with ranged
 * requests and write each byte at its place, while the calling thread hashes the file front to back as its prefix
 * completes. SHA-256 cannot be split, but the bytes it reads back are still in the page cache, so hashing costs one
 * memory copy and runs alongside the network.
 *
 * <p><b>How many connections</b> is the {@link SegmentationPolicy}'s: all at once, or (automatic) one, doubled while
 * the hasher waits for the network. A body in hand fills the first segment; a whole-file one streams on through the
 * following segments while no other worker has taken them, so one worker alone makes one request.
 *
 * <p><b>Threads and guards.</b> {@link #lock} guards every {@link Slot}'s {@code written}, {@code taken} and
 * {@code active}, and {@link #failure} / {@link #remoteChanged}. Workers write file data outside the lock (positional
 * writes to distinct ranges of one channel are independent), then add to {@code written} under it, notify the
 * hasher, and record the count in the {@link SegmentProgress} file (each slot has one worker, so its counts only
 * grow). No lock is held during network I/O. Abandoning the download (a failure, a changed remote, an interrupt)
 * sets the flag, disconnects every active response and ends every retry wait ({@link RetryBudget.Stop}), so the
 * caller hears of the failure at once.
 *
 * <p><b>Disk.</b> A {@link Flusher} writes the file to disk in the background as it fills, and the worker that
 * writes the last byte forces the rest while the hasher catches up: the final fsync finds nothing left.
 *
 * <p><b>Retries.</b> Workers retry their segment with the download's one {@link RetryBudget}. A 200 or a mismatched
 * range means the remote changed or ignores ranges: {@link StartOver}, and the caller starts over on one
 * connection.
 */
final class SegmentedWriter implements BodyWriter {
    /** How long the caller waits for workers to stop after the download failed; stragglers end on their own. */
    private static final long STOP_WAIT_MILLIS = 1000;

    private final DownloadContext context;
    private final URI source;
    private final PartialFile partial;
    private final RetryBudget budget;
    private final RetryBudget.Stop stop = new RetryBudget.Stop();
    private final List<Segment> segments;
    private final PartialRecord record;
    private final Transfer transfer;
    private final List<Slot> slots = new ArrayList<>();
    private final Object lock = new Object();
    private IOException failure;
    private String remoteChanged;
    private long transferred;
    private boolean forcedWhole;
    private final List<Thread> workers = new ArrayList<>(); // the calling thread's only
    private FileChannel channel; // these three are set before the first worker starts
    private Flusher flusher;
    private SegmentProgress progress;

    /** One segment's progress; guarded by {@link #lock}. */
    private static final class Slot {
        final int index;
        final long start;
        final long end;
        long written;
        boolean taken;
        HttpResponse active;

        Slot(int index, Segment segment) {
            this.index = index;
            this.start = segment.start();
            this.end = segment.end();
            this.written = segment.written();
        }

        long remaining() {
            return end - start - written;
        }

        String describe() {
            return start + "-" + (end - 1);
        }
    }

    /**
     * @param partial  a file whose record has the validators and the length
     * @param segments the segments that tile the file, each with what of it is written already
     */
    SegmentedWriter(DownloadContext context, URI source, PartialFile partial, List<Segment> segments,
            RetryBudget budget) {
        this.context = context;
        this.source = source;
        this.partial = partial;
        this.budget = budget;
        this.record = partial.record();
        this.segments = segments;
        this.transfer = new Transfer(context.request().digest(), context.prefix());
        for (int i = 0; i < segments.size(); i++) {
            slots.add(new Slot(i, segments.get(i)));
        }
    }

    @Override
    public long transferred() {
        synchronized (lock) {
            return transferred;
        }
    }

    /**
     * Fetches every segment and hashes the file.
     *
     * @param inHand a body from byte 0, or null: its worker streams it into the first segment (and, for a whole
     *               file, on into the following ones for as long as no other worker has taken them)
     * @throws DownloadException when a segment failed for good; the partial and its record stay for resumption
     */
    @Override
    public Written write(Reply.Body inHand) throws IOException, InterruptedException {
        long already = writtenTotal();
        if (already > 0) {
            context.listener().resumed(context.url(), already, record.length());
        } else {
            context.listener().started(context.url(), record.length());
        }
        try (SegmentProgress progress = partial.split(segments); FileChannel out = partial.open(0);
                Flusher flusher = new Flusher(out, 0)) {
            this.progress = progress;
            this.channel = out;
            this.flusher = flusher;
            try {
                startWorker(inHand == null ? null : takeFirst(), inHand);
                while (!context.policy().adaptive() && workers.size() < maxWorkers()) {
                    startWorker(null, null);
                }
                hash();
            } catch (RemoteChangedException e) {
                return new StartOver(e.getMessage());
            } finally {
                abandon(null);
                stopWorkers();
            }
            out.force(true);
        }
        return new Whole(transfer.result());
    }

    private int maxWorkers() {
        return Math.min(context.policy().maxConnections(), slots.size());
    }

    private void startWorker(Slot assigned, Reply.Body inHand) {
        Worker worker = new Worker(assigned, inHand);
        workers.add(Thread.ofPlatform().name("hoard-segment-" + workers.size()).daemon().start(worker));
    }

    /**
     * Waits for the workers, which stop at once after {@link #abandon}: their responses are disconnected and their
     * retry waits ended. One still connecting is not waited for beyond {@link #STOP_WAIT_MILLIS}: it finds the
     * download abandoned when it gets its response, and the file closed if it tries to write.
     */
    private void stopWorkers() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MILLIS);
        boolean interrupted = Thread.interrupted();
        for (Thread worker : workers) {
            while (true) {
                try {
                    worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Follows the completed prefix of the file, hashing it, until the whole file is hashed or the download fails. */
    private void hash() throws IOException, InterruptedException {
        byte[] buffer = new byte[Transfer.BUFFER_SIZE];
        Ramp ramp = context.policy().adaptive() ? new Ramp(System.nanoTime()) : null;
        while (transfer.size() < record.length()) {
            transfer.hashFile(channel, awaitPrefixBeyond(transfer.size(), ramp), buffer, partial.path().toString());
            context.listener().progress(context.url(), writtenTotal(), record.length());
            if (ramp != null) {
                maybeAddWorkers(ramp, System.nanoTime());
            }
        }
    }

    /** The hasher's waiting for the network, measured over windows of the policy's length. */
    private static final class Ramp {
        long windowStart;
        long waited;
        boolean starvedBefore;

        Ramp(long now) {
            this.windowStart = now;
        }
    }

    /**
     * Doubles the workers (up to the maximum) when the hasher was starved in each of the last two windows. One window
     * is not enough: a hasher that lags the network also waits once it has caught up with a burst.
     */
    private void maybeAddWorkers(Ramp ramp, long now) {
        long window = now - ramp.windowStart;
        if (window < SegmentationPolicy.RAMP_WINDOW_NANOS) {
            return;
        }
        boolean starved = context.policy().starved(ramp.waited, window);
        boolean sustained = starved && ramp.starvedBefore;
        ramp.starvedBefore = starved;
        ramp.windowStart = now;
        ramp.waited = 0;
        for (int add = workers.size(); sustained && add > 0 && workers.size() < maxWorkers() && hasUntakenSlot();
                add--) {
            startWorker(null, null);
        }
    }

    private long awaitPrefixBeyond(long hashed, Ramp ramp) throws IOException, InterruptedException {
        synchronized (lock) {
            while (true) {
                if (failure != null) {
                    throw failure;
                }
                if (remoteChanged != null) {
                    throw new RemoteChangedException(remoteChanged);
                }
                long prefix = prefix();
                if (prefix > hashed) {
                    return prefix;
                }
                long start = System.nanoTime();
                lock.wait(200);
                if (ramp != null) {
                    ramp.waited += System.nanoTime() - start;
                }
            }
        }
    }

    /** The remote no longer serves the bytes the segments hold (or ignores ranges). */
    private static final class RemoteChangedException extends IOException {
        RemoteChangedException(String message) {
            super(message);
        }
    }

    /** The length of the file's completed prefix. Caller holds {@link #lock}. */
    private long prefix() {
        for (Slot slot : slots) {
            if (slot.remaining() > 0) {
                return slot.start + slot.written;
            }
        }
        return record.length();
    }

    private long writtenTotal() {
        synchronized (lock) {
            return slots.stream().mapToLong(s -> s.written).sum();
        }
    }

    /**
     * The worker that finds every byte written forces the file, while the hasher catches up, so that the caller's
     * final fsync finds nothing left to write.
     */
    private void forceIfComplete() throws IOException {
        synchronized (lock) {
            if (forcedWhole || isAbandoned() || prefix() < record.length()) {
                return;
            }
            forcedWhole = true;
        }
        channel.force(false);
    }

    /** The next segment nobody works on, or null when none is left. */
    private Slot take() {
        synchronized (lock) {
            if (isAbandoned()) {
                return null;
            }
            for (Slot slot : slots) {
                if (!slot.taken && slot.remaining() > 0) {
                    slot.taken = true;
                    return slot;
                }
            }
            return null;
        }
    }

    private boolean hasUntakenSlot() {
        synchronized (lock) {
            return slots.stream().anyMatch(slot -> !slot.taken && slot.remaining() > 0);
        }
    }

    /** The first segment, for the body in hand (which starts at byte 0), before any worker starts. */
    private Slot takeFirst() {
        synchronized (lock) {
            Slot first = slots.get(0);
            if (first.written != 0) {
                throw new IllegalStateException("a response from byte 0 for a segment already begun");
            }
            first.taken = true;
            return first;
        }
    }

    /**
     * The segment after {@code full}, taken for a whole-file response that has filled {@code full} and can go on
     * into it; null if another worker has it (or it is begun, or there is none), and the response must stop.
     */
    private Slot continueAfter(Slot full, HttpResponse response) {
        synchronized (lock) {
            int next = full.index + 1;
            if (next == slots.size() || isAbandoned()) {
                return null;
            }
            Slot slot = slots.get(next);
            if (slot.taken || slot.written != 0) {
                return null;
            }
            slot.taken = true;
            full.active = null;
            slot.active = response;
            return slot;
        }
    }

    /**
     * A worker: fetches its assigned segment (with the response in hand), then takes unfinished segments one after
     * another until none is left or the download is abandoned.
     */
    private final class Worker implements Runnable {
        private Slot slot; // the segment being fetched
        private Reply.Body inHand; // a body from byte 0 not yet used, or null
        private final byte[] buffer = new byte[Transfer.BUFFER_SIZE];

        Worker(Slot assigned, Reply.Body inHand) {
            this.slot = assigned;
            this.inHand = inHand;
        }

        @Override
        public void run() {
            try {
                if (slot == null) {
                    slot = take();
                }
                while (slot != null) {
                    fetch();
                    slot = take();
                }
                forceIfComplete();
            } catch (IOException e) {
                abandon(e);
            } catch (InterruptedException e) {
                abandon(new IOException("interrupted", e));
            } catch (RuntimeException e) {
                abandon(new IOException("a segment worker failed: " + e, e)); // never leave the hasher waiting
                throw e;
            } finally {
                if (inHand != null) {
                    inHand.response().abort();
                }
            }
        }

        /** Fetches the rest of the segment (and of those a whole-file response goes on into), retrying. */
        private void fetch() throws IOException, InterruptedException {
            while (remaining(slot) > 0 && !isAbandoned()) {
                boolean asked = inHand == null;
                Reply reply = asked ? context.exchange().send(askFor(slot)) : inHand;
                inHand = null;
                Reply.Retry failed = switch (reply) {
                    case Reply.Body body when body.encoded() -> throw encodedSegment(body);
                    case Reply.Body body when asked && body.whole() -> throw remoteChanged(source
                            + " answered a range request with a whole file");
                    case Reply.Body body -> receive(body);
                    case Reply.Retry retry -> retry;
                    case Reply.Fail fail -> throw fail.failure();
                    case Reply.RangeMismatch mismatch -> throw remoteChanged(mismatch.reason());
                    case Reply.Unchanged unchanged -> throw remoteChanged("a range of " + source
                            + " was answered as unchanged");
                };
                if (failed != null && !budget.retry(failed, writtenTotal(), stop)) {
                    return; // abandoned while waiting
                }
            }
        }

        /** A segment sent compressed: its bytes are not the file's at its range, so the segments are given up. */
        private RemoteChangedException encodedSegment(Reply.Body body) {
            body.response().abort();
            return remoteChanged(source + " sent segment " + slot.describe() + " "
                    + body.response().contentEncoding() + "-encoded, which cannot be joined to the others");
        }

        /** Streams one body into the segment (and on, for a whole-file one); null when it is full. */
        private Reply.Retry receive(Reply.Body body) throws IOException {
            HttpResponse response = body.response();
            try (response) {
                boolean wholeFile = body.whole();
                setActive(slot, response);
                try (InputStream in = response.body()) {
                    copy(in, response, wholeFile);
                } catch (Transfer.BodyReadException e) {
                    return new Reply.Retry("segment " + slot.describe() + " of " + source + " broke off: "
                            + e.getMessage(), 0, null, e);
                } finally {
                    setActive(slot, null);
                }
                if (remaining(slot) > 0 && !isAbandoned()) {
                    return new Reply.Retry("segment " + slot.describe() + " of " + source + " ended early", 0, null,
                            null);
                }
                if (wholeFile) {
                    response.abort(); // the body goes on past this segment; the next comes from another request
                }
                return null;
            }
        }

        private void copy(InputStream in, HttpResponse response, boolean wholeFile) throws IOException {
            while (true) {
                long remaining = remaining(slot);
                if (remaining == 0 && wholeFile) {
                    Slot next = continueAfter(slot, response);
                    if (next == null) {
                        return;
                    }
                    slot = next;
                    remaining = remaining(slot);
                }
                if (remaining == 0 || isAbandoned()) {
                    return;
                }
                int n = Transfer.read(in, buffer, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    return;
                }
                write(n);
            }
        }

        /** Writes the buffer's first {@code n} bytes at the slot's end, then counts and records them. */
        private void write(int n) throws IOException {
            long position;
            synchronized (lock) {
                position = slot.start + slot.written;
            }
            ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
            while (chunk.hasRemaining()) {
                position += channel.write(chunk, position);
            }
            long total;
            long written;
            synchronized (lock) {
                slot.written += n;
                written = slot.written;
                transferred += n;
                total = transferred;
                lock.notifyAll();
            }
            if (progress != null) {
                progress.record(slot.index, written);
            }
            flusher.written(total);
        }
    }

    private Ask askFor(Slot slot) {
        long from;
        synchronized (lock) {
            from = slot.start + slot.written;
        }
        String validator = source.toString().equals(record.source()) ? record.ifRangeValidator() : null;
        return Ask.range(source, from, slot.end, validator, record.length());
    }

    private RemoteChangedException remoteChanged(String why) {
        synchronized (lock) {
            if (remoteChanged == null) {
                remoteChanged = why;
            }
            lock.notifyAll();
        }
        return new RemoteChangedException(why);
    }

    /**
     * Stops the download: records the first failure (if any), disconnects every active response and ends every
     * retry wait.
     */
    private void abandon(IOException cause) {
        synchronized (lock) {
            if (cause != null && failure == null && remoteChanged == null) {
                failure = cause;
            }
            if (cause == null && failure == null && remoteChanged == null && prefix() < record.length()) {
                failure = new IOException("segmented download abandoned");
            }
            for (Slot slot : slots) {
                if (slot.active != null) {
                    slot.active.abort();
                }
            }
            lock.notifyAll();
        }
        stop.stop();
    }

    /** Caller holds {@link #lock}, or takes it here. */
    private boolean isAbandoned() {
        synchronized (lock) {
            return failure != null || remoteChanged != null;
        }
    }

    private void setActive(Slot slot, HttpResponse response) {
        synchronized (lock) {
            slot.active = response;
            if (response != null && isAbandoned()) {
                response.abort();
            }
        }
    }

    private long remaining(Slot slot) {
        synchronized (lock) {
            return slot.remaining();
        }
    }
}
