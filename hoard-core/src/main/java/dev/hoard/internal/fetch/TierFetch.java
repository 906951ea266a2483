package dev.hoard.internal.fetch;

import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import dev.hoard.DownloadException;
import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import dev.hoard.LockHolder;
import dev.hoard.LockTimeoutException;
import dev.hoard.internal.auth.AuthHeaders;
import dev.hoard.internal.http.HttpTransport;
import dev.hoard.internal.shared.Lease;
import dev.hoard.internal.shared.SharedTier;
import dev.hoard.internal.shared.TierRecord;
import dev.hoard.internal.store.EntryMetadata;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The shared tier's part of a download, run by the entry lock's holder on a local miss (so one process per machine
 * talks to the tier): find the content in the tier, or claim the URL's lease and let the origin download go ahead,
 * or wait for the machine that holds the lease; then stream the tier's copy through the same {@link Download}
 * pipeline as any source, from a presigned URL, into the entry's partial file, hashed and checked against the digest
 * the tier claims. The tier is trusted for nothing: other bytes, a missing object or an unreachable store are said
 * (once, for a store that is down) and the origin is used.
 */
final class TierFetch {
    /** How long a waiter sleeps between looks at the tier. */
    private static final Duration POLL = Duration.ofMillis(500);

    private final SharedTier tier;
    private final HttpTransport http;
    private final Backoff backoff;
    private final SegmentationPolicy policy;
    private final Clock clock;

    /** @param http the transport for presigned GETs, with the tier's short timeouts */
    TierFetch(SharedTier tier, HttpTransport http, SegmentationPolicy policy, Clock clock) {
        this.tier = tier;
        this.http = http;
        this.backoff = new Backoff(1, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(1));
        this.policy = policy;
        this.clock = clock;
    }

    /**
     * What the tier offers a request.
     *
     * @param sha256 the content the tier has for it, or null: download from the origin
     * @param record the URL's record, or null (content found by the request's digest)
     * @param lease  the lease this process now holds while it downloads from the origin, or null
     */
    record Offer(Digest sha256, TierRecord record, Lease lease) {
        static final Offer ORIGIN = new Offer(null, null, null);
    }

    /**
     * Looks in the tier until it has the content, this process holds the lease, or the tier is given up. Waiting
     * for another machine's lease is reported through {@link FetchListener#waiting} and bounded by the request's
     * lock timeout.
     */
    Offer consult(FetchRequest request, FetchListener listener) throws InterruptedException {
        if (!tier.available()) {
            return Offer.ORIGIN;
        }
        Consumer<String> warn = message -> listener.warning(request.uri(), message);
        Instant deadline = request.lockTimeout() == null ? null : clock.instant().plus(request.lockTimeout());
        try {
            while (true) {
                Optional<Offer> found = find(request);
                if (found.isPresent()) {
                    return found.get();
                }
                if (!tier.exclusiveCreates(warn)) {
                    return Offer.ORIGIN;
                }
                SharedTier.Claim claim = tier.claim(request.uri());
                if (claim instanceof SharedTier.Won won) {
                    Optional<Offer> meanwhile = find(request); // its holder may have finished just before
                    if (meanwhile.isPresent()) {
                        won.lease().close();
                        return meanwhile.get();
                    }
                    return new Offer(null, null, won.lease());
                }
                SharedTier.Busy busy = (SharedTier.Busy) claim;
                LockHolder holder = busy.holder() == null ? null
                        : new LockHolder(busy.holder().pid(), busy.holder().host(), busy.holder().since());
                listener.waiting(request.uri(), holder, busy.bytes(), busy.total());
                if (deadline != null && clock.instant().isAfter(deadline)) {
                    throw new LockTimeoutException(request.uri(), holder, request.lockTimeout());
                }
                Thread.sleep(POLL);
            }
        } catch (IOException e) {
            tier.failed(e, warn);
            return Offer.ORIGIN;
        }
    }

    /**
     * The URL's record, if it names the expected content (or there is no expected SHA-256); else the content by
     * the request's SHA-256, whatever URL brought it, without validators.
     */
    private Optional<Offer> find(FetchRequest request) throws IOException {
        Digest wanted = request.digest();
        boolean bySha256 = wanted != null && wanted.algorithm() == DigestAlgorithm.SHA256;
        Optional<TierRecord> record = tier.record(request.uri());
        if (record.isPresent() && (!bySha256 || record.get().sha256().equals(wanted))) {
            return Optional.of(new Offer(record.get().sha256(), record.get(), null));
        }
        if (bySha256 && tier.hasBlob(wanted)) {
            return Optional.of(new Offer(wanted, null, null));
        }
        return Optional.empty();
    }

    /** The record's validators as the cached version a conditional request to the origin names. */
    static EntryMetadata asKnown(TierRecord record) {
        return new EntryMetadata(record.url(), record.etag(), record.lastModified(), record.contentType(),
                record.size(), record.sha256(), null, record.storedAt(), record.storedAt());
    }

    /**
     * Streams the offered content into {@code partial} from a presigned URL, through the same pipeline as a mirror
     * but with the tier's timeouts and one retry, and without a partial record (which would hold the URL and so the
     * access key id). Empty, after a warning, if it cannot be read or holds other bytes.
     */
    Optional<Download.Complete> read(FetchRequest request, Offer offer, Path partial, FetchListener listener)
            throws IOException, InterruptedException {
        String name = tier.blobName(offer.sha256());
        URI url;
        try {
            url = tier.presignedBlob(offer.sha256());
        } catch (IOException e) {
            tier.failed(e, message -> listener.warning(request.uri(), message));
            return Optional.empty();
        }
        Digest check = request.digest() != null ? request.digest() : offer.sha256();
        FetchRequest fromTier = FetchRequest.of(url).digest(check);
        ScrubbedListener scrubbed = new ScrubbedListener(listener, request.uri(), url, name, tier);
        DownloadContext context = new DownloadContext(fromTier, new Exchange(http, clock, url, AuthHeaders.NONE),
                backoff, policy, scrubbed);
        Download.Complete complete;
        try {
            complete = (Download.Complete) new Download(context, partial, null, null).run(null, null);
        } catch (DownloadException e) {
            String why = scrubbed.scrub(e.getMessage());
            if (e.httpStatus() == 404) {
                listener.warning(request.uri(), "the shared tier's " + name + " is gone (" + why
                        + "); downloading " + request.uri() + " from the origin");
            } else {
                tier.failed(why, message -> listener.warning(request.uri(), message));
            }
            return Optional.empty();
        }
        Transfer.Received received = complete.received();
        if (!received.sha256().equals(offer.sha256()) || !received.matches(request.digest())) {
            listener.warning(request.uri(), "the shared tier's " + name + " holds other bytes ("
                    + received.sha256() + "); ignoring it and downloading " + request.uri() + " from the origin");
            return Optional.empty();
        }
        TierRecord r = offer.record();
        return Optional.of(new Download.Complete(received, r == null ? null : r.etag(),
                r == null ? null : r.lastModified(), r == null ? null : r.contentType(),
                complete.bytesTransferred()));
    }

    /** Starts the lease's heartbeat with the download's progress. */
    void beat(Lease lease, FetchRequest request, Supplier<Lease.Progress> progress, FetchListener listener) {
        lease.beat(progress, message -> listener.warning(request.uri(), message));
    }

    /** Puts what the origin sent into the tier (content, then record); a failure is said once, never thrown. */
    void store(FetchRequest request, Path blob, EntryMetadata published, FetchListener listener) {
        if (!tier.available()) {
            return;
        }
        try {
            tier.publish(new TierRecord(request.uri().toString(), published.size(), published.sha256(),
                    published.etag(), published.lastModified(), published.contentType(), clock.instant()), blob);
        } catch (IOException e) {
            tier.failed(e, message -> listener.warning(request.uri(), message));
        }
    }

    /**
     * Shows a tier download as part of the request's own (its URL, never the presigned one), and takes the
     * presigned URL and credentials out of every message.
     */
    private record ScrubbedListener(FetchListener delegate, URI url, URI presigned, String name, SharedTier tier)
            implements FetchListener {

        String scrub(String message) {
            String s = message == null ? "" : message.replace(presigned.toString(), name);
            String bare = presigned.toString();
            int query = bare.indexOf('?');
            if (query > 0) {
                s = s.replace(bare.substring(0, query), name);
            }
            return tier.scrub(s);
        }

        @Override
        public void started(URI u, long totalBytes) {
            delegate.started(url, totalBytes);
        }

        @Override
        public void resumed(URI u, long offset, long totalBytes) {
            delegate.resumed(url, offset, totalBytes);
        }

        @Override
        public void retrying(URI u, int attempt, Duration delay, String reason) {
            delegate.retrying(url, attempt, delay, scrub(reason));
        }

        @Override
        public void progress(URI u, long bytes, long totalBytes) {
            delegate.progress(url, bytes, totalBytes);
        }

        @Override
        public void warning(URI u, String message) {
            delegate.warning(url, scrub(message));
        }
    }
}
