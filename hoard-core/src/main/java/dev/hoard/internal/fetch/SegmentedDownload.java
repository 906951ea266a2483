package dev.hoard.internal.fetch;

import dev.hoard.DownloadException;
import dev.hoard.FetchListener;
import dev.hoard.internal.http.HttpResponse;
import dev.hoard.internal.http.HttpTransport;
import dev.hoard.internal.store.CacheEntry;
import dev.hoard.internal.store.PartialRecord;
import dev.hoard.internal.store.PartialRecord.Segment;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A download over several connections: the file is cut into segments, worker threads fetch them with ranged
 * requests ({@code Range} + {@code If-Range}) and write each byte at its place, while the calling thread hashes the
 * file front to back as its prefix completes — SHA-256 cannot be split, but the bytes it reads back are still in the
 * page cache, so hashing costs one memory copy and runs alongside the network.
 *
 * <p><b>How many connections.</b> A whole-file response in hand streams through consecutive segments while no other
 * worker has taken them. With an explicit count all workers start at once; in automatic mode the download starts
 * with that one and doubles the workers while the hasher waits for the network ({@link #maybeAddWorkers}).
 *
 * <p><b>Threads and guards.</b> {@link #lock} guards every {@link Slot}'s {@code written}, {@code taken} and
 * {@code active}, and {@link #failure} / {@link #remoteChanged}. Workers write file data outside the lock (positional
 * writes to distinct ranges of one channel are independent), then add to {@code written} under it and notify the
 * hasher. No lock is held during network I/O. Abandoning the download (a failure, a changed remote, an interrupt)
 * sets the flag and disconnects every active response, so blocked reads end at once.
 *
 * <p><b>Disk.</b> A {@link Flusher} writes the file to disk in the background as it fills, and the worker that
 * writes the last byte forces the rest while the hasher catches up: the final fsync finds nothing left.
 *
 * <p><b>Resumption.</b> Every second the hasher records the segments' progress in {@code partial.json}; a process
 * that dies leaves the file and the record, and the next holder resumes each segment where it stopped (see
 * {@link PartialRecord#trustedSegments}).
 *
 * <p><b>Retries.</b> Each segment retries on its own with the download's {@link Backoff}; progress resets its
 * count. A 200 to a ranged request means the remote changed or ignores ranges: the whole download is abandoned with
 * {@link RemoteChangedException} and the caller starts over on one connection.
 */
final class SegmentedDownload {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final long RECORD_EVERY_NANOS = 1_000_000_000L;
    private static final long RAMP_WINDOW_NANOS = 200_000_000L;
    private static final int RAMP_IDLE_PERCENT = 50;

    private final URI url;
    private final URI source;
    private final Path partial;
    private final CacheEntry entry;
    private final HttpTransport http;
    private final Backoff backoff;
    private final Clock clock;
    private final FetchListener listener;
    private final Transfer transfer;
    private final PartialRecord record;
    private final List<Slot> slots = new ArrayList<>();
    private final Object lock = new Object();
    private IOException failure;
    private boolean remoteChanged;
    private long bytesTransferred;
    private boolean forcedWhole;
    private final List<Thread> workers = new ArrayList<>(); // the calling thread's only
    private int maxWorkers;
    private int rampIdlePercent = RAMP_IDLE_PERCENT;
    private FileChannel channel; // these two are set before the first worker starts
    private Flusher flusher;

    /** The remote no longer serves the bytes the segments hold (or ignores ranges): start over on one connection. */
    static final class RemoteChangedException extends IOException {
        RemoteChangedException(String message) {
            super(message);
        }
    }

    /** One segment's progress; guarded by {@link #lock}. */
    private static final class Slot {
        final long start;
        final long end;
        long written;
        boolean taken;
        HttpResponse active;

        Slot(Segment segment) {
            this.start = segment.start();
            this.end = segment.end();
            this.written = segment.written();
        }

        long remaining() {
            return end - start - written;
        }
    }

    /**
     * @param record   the partial's record, with the segments to fetch and what of each is written already
     * @param transfer the digests to feed; reset here, since the file is hashed from its first byte
     */
    SegmentedDownload(URI url, URI source, Path partial, CacheEntry entry, PartialRecord record, Transfer transfer,
            HttpTransport http, Backoff backoff, Clock clock, FetchListener listener) {
        this.url = url;
        this.source = source;
        this.partial = partial;
        this.entry = entry;
        this.record = record;
        this.transfer = transfer;
        this.http = http;
        this.backoff = backoff;
        this.clock = clock;
        this.listener = listener;
        record.segments().forEach(s -> slots.add(new Slot(s)));
    }

    /** For tests: adds workers when the hasher waited this share of a window (0: always; over 100: never). */
    SegmentedDownload rampWhenIdle(int percent) {
        this.rampIdlePercent = percent;
        return this;
    }

    /**
     * Cuts {@code length} bytes into segments for {@code connections} workers: about one per 4 MiB, but at least one
     * per connection and at most eight. More segments than connections keep the completed prefix — all the hasher
     * can read — advancing at the speed of all connections together (workers take the lowest segment left), rather
     * than at the speed of the one that fetches the first quarter of the file.
     */
    static List<Segment> split(long length, int connections) {
        int count = (int) Math.max(connections, Math.min(connections * 8L, length / (4L << 20)));
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            segments.add(new Segment(length * i / count, length * (i + 1) / count, 0));
        }
        return segments;
    }

    /**
     * Fetches every segment with up to {@code connections} workers and hashes the file.
     *
     * @param inHand   a 200 response whose body starts at byte 0, or null. Its worker streams it into the first
     *                 segment and on into the following ones for as long as no other worker has taken them.
     * @param adaptive start with one worker and add more, up to {@code connections}, only while the hasher waits for
     *                 the network (see {@link #maybeAddWorkers}); otherwise start all at once
     * @return the bytes received over the network in this call
     * @throws RemoteChangedException when a ranged request was answered with the whole (possibly new) file
     * @throws DownloadException      when a segment failed for good; the partial and its record stay for resumption
     */
    long run(HttpResponse inHand, int connections, boolean adaptive) throws IOException, InterruptedException {
        transfer.reset();
        long already = writtenTotal();
        if (already > 0) {
            listener.resumed(url, already, record.length());
        } else {
            listener.started(url, record.length());
        }
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS); Flusher flusher = new Flusher(out, 0)) {
            this.channel = out;
            this.flusher = flusher;
            this.maxWorkers = Math.min(connections, slots.size());
            try {
                startWorker(inHand == null ? null : takeFirst(), inHand);
                while (!adaptive && workers.size() < maxWorkers) {
                    startWorker(null, null);
                }
                hash(adaptive);
            } finally {
                abandon(null);
                for (Thread worker : workers) {
                    worker.join();
                }
            }
            out.force(true);
        }
        record();
        synchronized (lock) {
            return bytesTransferred;
        }
    }

    private void startWorker(Slot assigned, HttpResponse inHand) {
        Worker worker = new Worker(assigned, inHand);
        workers.add(Thread.ofPlatform().name("hoard-segment-" + workers.size()).daemon().start(worker));
    }

    /** Follows the completed prefix of the file, hashing it, until the whole file is hashed or the download fails. */
    private void hash(boolean adaptive) throws IOException, InterruptedException {
        byte[] buffer = new byte[Transfer.BUFFER_SIZE];
        long lastRecord = System.nanoTime();
        Ramp ramp = adaptive ? new Ramp(System.nanoTime()) : null;
        while (transfer.size() < record.length()) {
            transfer.hashFile(channel, awaitPrefixBeyond(transfer.size(), ramp), buffer, partial.toString());
            listener.progress(url, writtenTotal(), record.length());
            long now = System.nanoTime();
            if (now - lastRecord > RECORD_EVERY_NANOS) {
                record();
                lastRecord = now;
            }
            if (ramp != null) {
                maybeAddWorkers(ramp, now);
            }
        }
    }

    /** The hasher's waiting for the network, measured over windows of {@link #RAMP_WINDOW_NANOS}. */
    private static final class Ramp {
        long windowStart;
        long waited;
        boolean starvedBefore;

        Ramp(long now) {
            this.windowStart = now;
        }
    }

    /**
     * Doubles the workers (up to the maximum) when the hasher spent at least {@link #RAMP_IDLE_PERCENT}% of each of
     * the last two windows waiting for bytes: then the network, not the CPU, sets the pace, and more connections may
     * bring more (a hasher idle half the time can take at least twice the bytes). One window is not enough: a hasher
     * that lags the network also waits once it has caught up with a burst. When the hasher never waits, the
     * connections in use already deliver faster than SHA-256 can follow (a fast server, a CPU without SHA
     * instructions), and more would only take CPU from the hash; measured in docs/benchmarks.md.
     */
    private void maybeAddWorkers(Ramp ramp, long now) {
        long window = now - ramp.windowStart;
        if (window < RAMP_WINDOW_NANOS) {
            return;
        }
        boolean starved = ramp.waited * 100 >= window * rampIdlePercent;
        boolean sustained = starved && ramp.starvedBefore;
        ramp.starvedBefore = starved;
        ramp.windowStart = now;
        ramp.waited = 0;
        for (int add = workers.size(); sustained && add > 0 && workers.size() < maxWorkers && hasUntakenSlot(); add--) {
            startWorker(null, null);
        }
    }

    private long awaitPrefixBeyond(long hashed, Ramp ramp) throws IOException, InterruptedException {
        synchronized (lock) {
            while (true) {
                if (failure != null) {
                    throw failure;
                }
                if (remoteChanged) {
                    throw new RemoteChangedException(source + " answered a range request with a whole file");
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

    /** Records the segments' progress in partial.json, for a holder that comes after a crash. */
    private void record() throws IOException {
        if (entry == null) {
            return;
        }
        List<Segment> now;
        synchronized (lock) {
            now = slots.stream().map(s -> new Segment(s.start, s.end, s.written)).toList();
        }
        entry.writePartialRecord(record.withSegments(now));
    }

    /**
     * The worker that finds every byte written forces the file, while the hasher catches up, so that the caller's
     * final fsync finds nothing left to write.
     */
    private void forceIfComplete() throws IOException {
        synchronized (lock) {
            if (forcedWhole || failure != null || remoteChanged || prefix() < record.length()) {
                return;
            }
            forcedWhole = true;
        }
        channel.force(false);
    }

    /** The next segment nobody works on, or null when none is left. */
    private Slot take() {
        synchronized (lock) {
            if (failure != null || remoteChanged) {
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

    /** The first segment, for the response in hand (whose body starts at byte 0), before any worker starts. */
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
            int next = slots.indexOf(full) + 1;
            if (next == slots.size() || failure != null || remoteChanged) {
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
     * another until none is left or the download is abandoned. A whole-file response goes on into the following
     * segments while nobody else has them, so that one worker alone makes one request, not one per segment.
     */
    private final class Worker implements Runnable {
        private Slot slot; // the segment being fetched
        private HttpResponse inHand; // a whole-file response from byte 0 not yet used, or null
        private long received; // bytes this worker wrote: progress, which resets the failure count
        private final byte[] buffer = new byte[Transfer.BUFFER_SIZE];

        Worker(Slot assigned, HttpResponse inHand) {
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
                    inHand.abort();
                }
            }
        }

        /** Fetches the rest of the segment (and of those a whole-file response goes on into), retrying with backoff. */
        private void fetch() throws IOException, InterruptedException {
            int failures = 0;
            long highWater = received;
            while (remaining(slot) > 0 && !isAbandoned()) { // abandoned: the hasher has stopped; so do we
                HttpResponse response = inHand;
                inHand = null;
                try {
                    boolean wholeFile = response != null;
                    if (response == null) {
                        response = sendFor(slot);
                    }
                    receive(response, wholeFile);
                } catch (Download.RetryableException e) {
                    failures = received > highWater ? 1 : failures + 1;
                    highWater = Math.max(highWater, received);
                    if (failures > backoff.maxRetries()) {
                        throw new DownloadException(url, e.status, e.getMessage() + " (gave up after "
                                + backoff.maxRetries() + " retries)", e.getCause());
                    }
                    Duration delay = backoff.delay(failures, e.retryAfter);
                    listener.retrying(url, failures, delay, e.getMessage());
                    Thread.sleep(delay.toMillis());
                }
            }
        }

        /** Streams one response into the segment (and on, for a whole-file one); returns when it is full. */
        private void receive(HttpResponse response, boolean wholeFile) throws IOException {
            try (response) {
                checkStatus(slot, response, wholeFile);
                setActive(slot, response);
                try (InputStream in = response.body()) {
                    copy(in, response, wholeFile);
                } catch (Transfer.BodyReadException e) {
                    throw new Download.RetryableException("segment " + describe(slot) + " of " + source
                            + " broke off: " + e.getMessage(), 0, null, e);
                } finally {
                    setActive(slot, null);
                }
                if (remaining(slot) > 0 && !isAbandoned()) {
                    throw new Download.RetryableException("segment " + describe(slot) + " of " + source
                            + " ended early", 0, null, null);
                }
                if (wholeFile) {
                    response.abort(); // the body goes on past this segment; the next comes from another request
                }
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
                long position;
                synchronized (lock) {
                    position = slot.start + slot.written;
                }
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    position += channel.write(chunk, position);
                }
                long total;
                synchronized (lock) {
                    slot.written += n;
                    bytesTransferred += n;
                    total = bytesTransferred;
                    lock.notifyAll();
                }
                received += n;
                flusher.written(total);
            }
        }
    }

    private HttpResponse sendFor(Slot slot) throws IOException {
        long from;
        synchronized (lock) {
            from = slot.start + slot.written;
        }
        String validator = record.ifRangeValidator();
        Map<String, String> headers = validator != null && source.toString().equals(record.source())
                ? Map.of("Range", "bytes=" + from + "-" + (slot.end - 1), "If-Range", validator)
                : Map.of("Range", "bytes=" + from + "-" + (slot.end - 1));
        return Download.request(http, source, headers);
    }

    private void checkStatus(Slot slot, HttpResponse response, boolean wholeFile) throws IOException {
        int status = response.status();
        if (wholeFile && status == 200) {
            return;
        }
        if (status == 206) {
            Matcher range = CONTENT_RANGE.matcher(String.valueOf(response.header("Content-Range")));
            synchronized (lock) {
                if (range.matches() && Long.parseLong(range.group(1)) == slot.start + slot.written
                        && (range.group(3).equals("*") || Long.parseLong(range.group(3)) == record.length())) {
                    return;
                }
            }
            throw remoteChanged();
        }
        if (status == 200 || status == 416) {
            throw remoteChanged();
        }
        if (status == 408 || status == 429 || status >= 500) {
            throw new Download.RetryableException("HTTP " + status + " for a segment of " + source, status,
                    Backoff.parseRetryAfter(response.header("Retry-After"), clock), null);
        }
        throw new DownloadException(url, status, "HTTP " + status + " for a segment of " + source, null);
    }

    private RemoteChangedException remoteChanged() {
        synchronized (lock) {
            remoteChanged = true;
            lock.notifyAll();
        }
        return new RemoteChangedException(source + " no longer serves the ranges of the partial file");
    }

    /** Stops the download: records the first failure (if any) and disconnects every active response. */
    private void abandon(IOException cause) {
        synchronized (lock) {
            if (cause != null && failure == null && !remoteChanged) {
                failure = cause;
            }
            if (cause == null && failure == null && !remoteChanged && prefix() < record.length()) {
                failure = new IOException("segmented download abandoned");
            }
            for (Slot slot : slots) {
                if (slot.active != null) {
                    slot.active.abort();
                }
            }
            lock.notifyAll();
        }
    }

    private boolean isAbandoned() {
        synchronized (lock) {
            return failure != null || remoteChanged;
        }
    }

    private void setActive(Slot slot, HttpResponse response) {
        synchronized (lock) {
            slot.active = response;
            if (response != null && (failure != null || remoteChanged)) {
                response.abort();
            }
        }
    }

    private long remaining(Slot slot) {
        synchronized (lock) {
            return slot.remaining();
        }
    }


    private static String describe(Slot slot) {
        return slot.start + "-" + (slot.end - 1);
    }
}
