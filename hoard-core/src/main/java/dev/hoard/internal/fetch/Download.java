package dev.hoard.internal.fetch;

import dev.hoard.DownloadException;
import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import dev.hoard.HoardOptions;
import dev.hoard.internal.http.HttpResponse;
import dev.hoard.internal.http.HttpTransport;
import dev.hoard.internal.store.CacheEntry;
import dev.hoard.internal.store.EntryMetadata;
import dev.hoard.internal.store.PartialRecord;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One download into one partial file, by the entry's lock holder (or, for --no-cache, into a temp file): attempts,
 * retries, mirrors and resumption.
 *
 * <p><b>Attempts.</b> Each attempt sends a GET to the current source. If the partial file already holds bytes whose
 * validators are known, it asks for the rest ({@code Range} + {@code If-Range}); a 206 that starts where the file
 * ends is appended, anything else (a 200: the remote changed or ignores ranges) starts the file over. The digests
 * always cover exactly the bytes in the file, so a resumed file is verified whole.
 *
 * <p><b>Retries.</b> Connection failures, timeouts (a read that sees no byte for the read timeout counts as a stall),
 * a body cut short, 408, 429 and 5xx are retried after {@link Backoff#delay} (honouring Retry-After). An attempt that
 * received bytes resets the failure count, so a long download over a flaky link is not given up while it advances.
 * Other statuses (404, 403, 410, ...), a redirect loop and a refused redirect fail the source at once.
 *
 * <p><b>Mirrors.</b> When a source fails for good, the next one is tried. Resuming across sources is done only with
 * an expected digest (which checks the joined file); without one, a mirror's validators say nothing about another
 * server's bytes, so the file starts over.
 *
 * <p><b>Checkpoints.</b> A {@link Flusher} fsyncs the file in the background every {@link Flusher#EVERY} bytes;
 * each time it has, the record's durable length is updated, so that after a power loss (detected by a changed boot
 * id) only fsynced bytes are trusted.
 */
final class Download {
    /** With an explicit connection count, each segment is at least this large. */
    private static final long MIN_SEGMENT_BYTES = 1L << 20;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes \\*/(\\d+)");

    /** How a download ended. */
    sealed interface Outcome permits Unchanged, Complete {
    }

    /** The server confirmed the cached copy (304, or a 200 with the cached validators). */
    record Unchanged() implements Outcome {
    }

    /** The partial file holds the whole content; not yet verified against an expected digest. */
    record Complete(Transfer.Received received, String etag, String lastModified, String contentType,
            long bytesTransferred) implements Outcome {
    }

    private final FetchRequest request;
    private final Path partial;
    private final CacheEntry entry;
    private final HttpTransport http;
    private final Backoff backoff;
    private final Clock clock;
    private final FetchListener listener;
    private final Transfer transfer;
    private final int connections;
    private PartialRecord record;
    private long bytesTransferred;
    private boolean splitAllowed = true;
    private String contentType;

    /**
     * @param partial the file to write; it holds {@code adopted}'s bytes if one is given, else it is (re)created
     * @param entry   the cache entry whose partial record to maintain, or null (--no-cache)
     * @param adopted     what {@code partial} already holds, from a dead holder, or null
     * @param connections connections to use for a large file from a server that supports ranges; 0 for automatic
     */
    Download(FetchRequest request, Path partial, CacheEntry entry, PartialRecord adopted, HttpTransport http,
            Backoff backoff, Clock clock, FetchListener listener, int connections) throws IOException {
        this.connections = connections;
        this.request = request;
        this.partial = partial;
        this.entry = entry;
        this.http = http;
        this.backoff = backoff;
        this.clock = clock;
        this.listener = listener;
        this.transfer = new Transfer(request.digest());
        if (adopted != null && !adopted.segments().isEmpty()) {
            this.record = adopted.withSegments(adopted.trustedSegments()); // hashed from byte 0 when it resumes
        } else if (adopted != null) {
            long trusted = adopted.trustedLength(java.nio.file.Files.size(partial));
            truncate(trusted);
            transfer.hashExisting(partial, trusted);
            this.record = adopted;
        } else {
            truncate(0);
        }
    }

    /**
     * Runs attempts until the content is complete, the server says it is unchanged, or every source has failed.
     *
     * @param known  the cached version, for a conditional request to the first source; null if none
     * @param inHand a 200 response to the first source that the caller already has, or null
     * @throws DownloadException    when every source failed; it carries the last failure
     * @throws IOException          when writing the file failed (disk full, permissions): not retried
     * @throws InterruptedException while waiting to retry
     */
    Outcome run(EntryMetadata known, HttpResponse inHand) throws IOException, InterruptedException {
        List<URI> sources = new ArrayList<>();
        sources.add(request.uri());
        sources.addAll(request.mirrors());
        DownloadException last = null;
        for (URI source : sources) {
            EntryMetadata conditional = source.equals(request.uri()) ? known : null;
            try {
                return fromSource(source, conditional, source.equals(request.uri()) ? inHand : null);
            } catch (SourceFailedException e) {
                last = e.failure;
                if (!source.equals(sources.get(sources.size() - 1))) {
                    listener.warning(request.uri(), last.getMessage() + "; trying the next mirror");
                }
            }
        }
        throw last;
    }

    private Outcome fromSource(URI source, EntryMetadata known, HttpResponse inHand)
            throws IOException, InterruptedException {
        int failures = 0;
        long highWater = transfer.size();
        HttpResponse response = inHand;
        while (true) {
            try {
                if (response == null && resumesSegments(source)) {
                    Outcome outcome = runSegmented(source, null);
                    if (outcome != null) {
                        return outcome;
                    }
                } else {
                    if (response == null) {
                        response = send(source, known);
                    }
                    try (HttpResponse r = response) {
                        Outcome outcome = attempt(source, r, known);
                        if (outcome != null) {
                            return outcome;
                        }
                    }
                }
                failures = countFailure(failures, highWater, "the server kept answering with ranges that do not "
                        + "continue the file", 0, null);
            } catch (RetryableException e) {
                failures = countFailure(failures, highWater, e.getMessage(), e.status, e.getCause());
                Duration delay = backoff.delay(failures, e.retryAfter);
                listener.retrying(request.uri(), failures, delay, e.getMessage());
                Thread.sleep(delay.toMillis());
            } finally {
                response = null;
                highWater = Math.max(highWater, transfer.size());
            }
        }
    }

    /**
     * Counts a failed attempt, unless it took the file past its furthest point so far (real progress, which resets
     * the count), and gives up on the source when the count passes the budget. Progress that a later restart threw
     * away does not count again, so a server that keeps sending bad bodies cannot keep us busy forever.
     */
    private int countFailure(int failures, long highWater, String reason, int status, Throwable cause) {
        int count = transfer.size() > highWater ? 1 : failures + 1;
        if (count > backoff.maxRetries()) {
            throw new SourceFailedException(new DownloadException(request.uri(), status,
                    reason + " (gave up after " + backoff.maxRetries() + " retries)", cause));
        }
        return count;
    }

    private HttpResponse send(URI source, EntryMetadata known) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        if (canResumeFrom(source)) {
            headers.put("Range", "bytes=" + transfer.size() + "-");
            String validator = record.ifRangeValidator();
            if (validator != null && source.toString().equals(record.source())) {
                headers.put("If-Range", validator);
            }
        } else if (known != null) {
            headers.putAll(Validators.conditionalHeaders(known));
        }
        try {
            return request(http, source, headers);
        } catch (DownloadException e) {
            throw new SourceFailedException(e); // a redirect loop or a refused redirect: not worth retrying
        }
    }

    /**
     * Sends a GET; a connection failure or timeout is a {@link RetryableException}, a {@link DownloadException} (a
     * redirect loop or a refused redirect) is not.
     */
    static HttpResponse request(HttpTransport http, URI source, Map<String, String> headers) throws IOException {
        try {
            return http.get(source, headers);
        } catch (DownloadException e) {
            throw e;
        } catch (IOException e) {
            throw new RetryableException("cannot fetch " + source + ": " + Transfer.describe(e), 0, null, e);
        }
    }

    /** Bytes can be kept if the server can be asked for the rest: same source with a validator, or a digest. */
    private boolean canResumeFrom(URI source) {
        if (record == null || transfer.size() == 0) {
            return false;
        }
        boolean sameSource = source.toString().equals(record.source()) && record.ifRangeValidator() != null;
        return sameSource || request.digest() != null;
    }

    /** One response: returns the outcome, or null to go round again at once; throws to retry or give up. */
    private Outcome attempt(URI source, HttpResponse response, EntryMetadata known)
            throws IOException, InterruptedException {
        int status = response.status();
        if (status == 304 && known != null) {
            return new Unchanged();
        }
        if (status == 200) {
            if (known != null && Validators.unchanged(response, known)) {
                return new Unchanged();
            }
            truncate(0);
            startRecord(source, response, response.contentLength());
            contentType = response.header("Content-Type");
            if (shouldSplit(response)) {
                record = record.withSegments(SegmentedDownload.split(response.contentLength(), connectionCount()));
                return runSegmented(source, response);
            }
            return receive(source, response, response.contentLength());
        }
        if (status == 206) {
            Matcher range = CONTENT_RANGE.matcher(String.valueOf(response.header("Content-Range")));
            if (record == null || !range.matches() || Long.parseLong(range.group(1)) != transfer.size()) {
                truncate(0); // not the range we asked for: start over rather than guess
                record = null;
                return null;
            }
            long total = range.group(3).equals("*") ? -1 : Long.parseLong(range.group(3));
            if (record.length() >= 0 && total >= 0 && total != record.length()) {
                truncate(0);
                record = null;
                return null;
            }
            listener.resumed(request.uri(), transfer.size(), total);
            return receive(source, response, total);
        }
        if (status == 416) {
            if (holdsWholeFile(response)) {
                return new Complete(transfer.result(), record.etag(), record.lastModified(), null, bytesTransferred);
            }
            truncate(0); // what we have is not a prefix of what the server has now
            record = null;
            return null;
        }
        if (status == 408 || status == 429 || status >= 500) {
            throw new RetryableException(statusMessage(source, response), status,
                    Backoff.parseRetryAfter(response.header("Retry-After"), clock), null);
        }
        throw new SourceFailedException(new DownloadException(request.uri(), status, statusMessage(source, response),
                null));
    }

    /**
     * A 416 to {@code bytes=N-} whose {@code Content-Range: bytes}{@code /N} says the file is exactly what we hold:
     * a holder died after its last byte. Trusted only with an expected digest, which checks the file whole; without
     * one, a same-sized new version is indistinguishable, so the caller starts over.
     */
    private boolean holdsWholeFile(HttpResponse response) {
        Matcher unsatisfied = UNSATISFIED_RANGE.matcher(String.valueOf(response.header("Content-Range")));
        return request.digest() != null && record != null && unsatisfied.matches()
                && Long.parseLong(unsatisfied.group(1)) == transfer.size() && transfer.size() == record.length();
    }

    private Outcome receive(URI source, HttpResponse response, long total) throws IOException {
        long expectedEnd = response.contentLength() >= 0 ? transfer.size() + response.contentLength() : -1;
        if (total >= 0 && transfer.size() == 0) {
            listener.started(request.uri(), total);
        } else if (transfer.size() == 0) {
            listener.started(request.uri(), -1);
        }
        try (InputStream in = response.body(); FileChannel out = openForAppend();
                Flusher flusher = new Flusher(out, transfer.size())) {
            long start = transfer.size();
            try {
                transfer.receive(in, out, size -> advanced(flusher, size, total), true);
            } finally {
                bytesTransferred += transfer.size() - start;
                flusher.close(); // waits for a force in progress: a failed attempt leaves the latest checkpoint
                checkpoint(flusher.durable());
            }
        } catch (Transfer.BodyReadException e) {
            response.abort();
            throw new RetryableException("download of " + source + " broke off after " + transfer.size()
                    + " bytes: " + e.getMessage(), 0, null, e);
        }
        if (expectedEnd >= 0 && transfer.size() != expectedEnd || total >= 0 && transfer.size() != total) {
            response.abort();
            throw new RetryableException("body of " + source + " ended after " + transfer.size() + " of "
                    + (total >= 0 ? total : expectedEnd) + " bytes", 0, null, null);
        }
        return new Complete(transfer.result(), response.header("ETag"), response.header("Last-Modified"),
                response.header("Content-Type"), bytesTransferred);
    }

    /** A large file, a server that takes ranges, a way to check them (a validator or a digest), more than one link. */
    private boolean shouldSplit(HttpResponse response) {
        long length = response.contentLength();
        int count = connectionCount();
        long minimum = connections == 0 ? HoardOptions.SPLIT_THRESHOLD : count * MIN_SEGMENT_BYTES;
        return splitAllowed && count > 1 && length >= minimum
                && "bytes".equalsIgnoreCase(response.header("Accept-Ranges"))
                && (record.ifRangeValidator() != null || request.digest() != null);
    }

    private int connectionCount() {
        return connections == 0 ? HoardOptions.AUTO_CONNECTIONS : connections;
    }

    /** A partial of a segmented download can be continued from this source: its own, or any with a digest. */
    private boolean resumesSegments(URI source) {
        return splitAllowed && record != null && !record.segments().isEmpty()
                && (source.toString().equals(record.source()) || request.digest() != null);
    }

    /**
     * Hands the download to a {@link SegmentedDownload}. Returns null to start over on one connection (the remote
     * changed, or answers ranges with whole files); a segment that fails for good fails the source.
     */
    private Outcome runSegmented(URI source, HttpResponse inHand) throws IOException, InterruptedException {
        if (entry != null) {
            entry.writePartialRecord(record);
        }
        SegmentedDownload segmented = new SegmentedDownload(request.uri(), source, partial, entry, record, transfer,
                http, backoff, clock, listener);
        try {
            bytesTransferred += segmented.run(inHand, Math.max(connectionCount(), 1), connections == 0);
            return new Complete(transfer.result(), record.etag(), record.lastModified(), contentType,
                    bytesTransferred);
        } catch (SegmentedDownload.RemoteChangedException e) {
            splitAllowed = false;
            truncate(0);
            record = null;
            return null;
        } catch (DownloadException e) {
            throw new SourceFailedException(e);
        }
    }

    /** Bytes were written: tells the listener and the flusher, and records a checkpoint once the flusher forced. */
    private void advanced(Flusher flusher, long size, long total) throws IOException {
        listener.progress(request.uri(), size, total);
        flusher.written(size);
        checkpoint(flusher.durable());
    }

    private void checkpoint(long durable) throws IOException {
        if (entry != null && record != null && durable > record.durable()) {
            record = record.withDurable(durable);
            entry.writePartialRecord(record);
        }
    }

    private void startRecord(URI source, HttpResponse response, long length) throws IOException {
        record = new PartialRecord(partial.getFileName().toString(), source.toString(), response.header("ETag"),
                response.header("Last-Modified"), length, PartialRecord.currentBootId(), 0);
        if (entry != null) {
            entry.writePartialRecord(record);
        }
    }

    private void truncate(long size) throws IOException {
        if (size == 0) {
            transfer.reset();
        }
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            channel.truncate(size);
        }
    }

    /** Opens the partial at its end, for writing and for reading back what was written (the hash). */
    private FileChannel openForAppend() throws IOException {
        FileChannel channel = FileChannel.open(partial, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        channel.position(transfer.size());
        return channel;
    }

    private static String statusMessage(URI source, HttpResponse response) {
        String where = response.uri().equals(source) ? "" : " (redirected to " + response.uri() + ")";
        return "HTTP " + response.status() + " for " + source + where;
    }

    /** An attempt failed in a way that another attempt may not. */
    static final class RetryableException extends IOException {
        final int status;
        final Duration retryAfter;

        RetryableException(String message, int status, Duration retryAfter, Throwable cause) {
            super(message, cause);
            this.status = status;
            this.retryAfter = retryAfter;
        }
    }

    /** The current source cannot give us the file; try the next. */
    private static final class SourceFailedException extends RuntimeException {
        final DownloadException failure;

        SourceFailedException(DownloadException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }
    }
}
