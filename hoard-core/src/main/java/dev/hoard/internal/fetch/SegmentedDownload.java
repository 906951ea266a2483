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
 * <p><b>Threads and guards.</b> {@link #lock} guards every {@link Slot}'s {@code written}, {@code taken} and
 * {@code active}, and {@link #failure} / {@link #remoteChanged}. Workers write file data outside the lock (positional
 * writes to distinct ranges of one channel are independent), then add to {@code written} under it and notify the
 * hasher. No lock is held during network I/O. Abandoning the download (a failure, a changed remote, an interrupt)
 * sets the flag and disconnects every active response, so blocked reads end at once.
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
     * @param inHand a 200 response whose body starts at byte 0, used for the first segment (and cut off at its end),
     *               or null
     * @return the bytes received over the network in this call
     * @throws RemoteChangedException when a ranged request was answered with the whole (possibly new) file
     * @throws DownloadException      when a segment failed for good; the partial and its record stay for resumption
     */
    long run(HttpResponse inHand, int connections) throws IOException, InterruptedException {
        transfer.reset();
        long already = writtenTotal();
        if (already > 0) {
            listener.resumed(url, already, record.length());
        } else {
            listener.started(url, record.length());
        }
        List<Thread> workers = new ArrayList<>();
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            int count = Math.min(connections, slots.size());
            Slot firstSlot = inHand == null ? null : takeFirst();
            for (int i = 0; i < count; i++) {
                Slot assigned = i == 0 ? firstSlot : null;
                HttpResponse response = i == 0 ? inHand : null;
                workers.add(Thread.ofPlatform().name("hoard-segment-" + i).daemon()
                        .start(() -> work(out, assigned, response)));
            }
            try {
                hash(out);
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

    /** Follows the completed prefix of the file, hashing it, until the whole file is hashed or the download fails. */
    private void hash(FileChannel out) throws IOException, InterruptedException {
        byte[] buffer = new byte[Transfer.BUFFER_SIZE];
        long hashed = 0;
        long lastRecord = System.nanoTime();
        while (hashed < record.length()) {
            long prefix = awaitPrefixBeyond(hashed);
            while (hashed < prefix) {
                int n = out.read(ByteBuffer.wrap(buffer, 0, (int) Math.min(buffer.length, prefix - hashed)), hashed);
                if (n <= 0) {
                    throw new IOException(partial + " is shorter than the bytes written to it");
                }
                transfer.consume(buffer, n);
                hashed += n;
            }
            listener.progress(url, writtenTotal(), record.length());
            if (System.nanoTime() - lastRecord > RECORD_EVERY_NANOS) {
                record();
                lastRecord = System.nanoTime();
            }
        }
    }

    private long awaitPrefixBeyond(long hashed) throws IOException, InterruptedException {
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
                lock.wait(200);
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
     * A worker: fetches its assigned segment (with the response in hand), then takes unfinished segments one after
     * another until none is left or the download is abandoned.
     */
    private void work(FileChannel out, Slot assigned, HttpResponse inHand) {
        HttpResponse first = inHand;
        try {
            for (Slot slot = assigned != null ? assigned : take(); slot != null; slot = take()) {
                fetch(slot, out, first);
                first = null;
            }
        } catch (IOException e) {
            abandon(e);
        } catch (InterruptedException e) {
            abandon(new IOException("interrupted", e));
        } catch (RuntimeException e) {
            abandon(new IOException("a segment worker failed: " + e, e)); // never leave the hasher waiting
            throw e;
        } finally {
            if (first != null) {
                first.abort();
            }
        }
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

    /** Fetches the rest of one segment, retrying with backoff; progress resets the failure count. */
    private void fetch(Slot slot, FileChannel out, HttpResponse inHand) throws IOException, InterruptedException {
        int failures = 0;
        long highWater = slot.written;
        HttpResponse response = inHand;
        while (remaining(slot) > 0) {
            try {
                if (response == null) {
                    response = sendFor(slot);
                }
                receive(slot, out, response, response == inHand);
            } catch (Download.RetryableException e) {
                long written = writtenOf(slot);
                failures = written > highWater ? 1 : failures + 1;
                highWater = Math.max(highWater, written);
                if (failures > backoff.maxRetries()) {
                    throw new DownloadException(url, e.status, e.getMessage() + " (gave up after "
                            + backoff.maxRetries() + " retries)", e.getCause());
                }
                Duration delay = backoff.delay(failures, e.retryAfter);
                listener.retrying(url, failures, delay, e.getMessage());
                Thread.sleep(delay.toMillis());
            } finally {
                response = null;
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
        try {
            return http.get(source, headers);
        } catch (DownloadException e) {
            throw e;
        } catch (IOException e) {
            throw new Download.RetryableException("cannot fetch " + source + ": " + Transfer.describe(e), 0, null, e);
        }
    }

    /** Streams one response into the slot's range; returns when the segment is full or the body ended. */
    private void receive(Slot slot, FileChannel out, HttpResponse response, boolean wholeFile) throws IOException {
        try (response) {
            checkStatus(slot, response, wholeFile);
            setActive(slot, response);
            try (InputStream in = response.body()) {
                copy(slot, in, out);
            } catch (Transfer.BodyReadException e) {
                throw new Download.RetryableException("segment " + describe(slot) + " of " + source + " broke off: "
                        + e.getMessage(), 0, null, e);
            } finally {
                setActive(slot, null);
            }
            if (remaining(slot) > 0 && !isAbandoned()) {
                throw new Download.RetryableException("segment " + describe(slot) + " of " + source
                        + " ended early", 0, null, null);
            }
            if (wholeFile) {
                response.abort(); // the body goes on past this segment; the other segments come from other requests
            }
        }
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

    private void copy(Slot slot, InputStream in, FileChannel out) throws IOException {
        byte[] buffer = new byte[Transfer.BUFFER_SIZE];
        while (true) {
            long remaining = remaining(slot);
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
                position += out.write(chunk, position);
            }
            synchronized (lock) {
                slot.written += n;
                bytesTransferred += n;
                lock.notifyAll();
            }
        }
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

    private long writtenOf(Slot slot) {
        synchronized (lock) {
            return slot.written;
        }
    }

    private static String describe(Slot slot) {
        return slot.start + "-" + (slot.end - 1);
    }
}
