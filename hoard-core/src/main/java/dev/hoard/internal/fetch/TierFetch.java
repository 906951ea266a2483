package dev.hoard.internal.fetch;

import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import dev.hoard.LockHolder;
import dev.hoard.LockTimeoutException;
import dev.hoard.internal.shared.ChunkUpload;
import dev.hoard.internal.shared.Chunks;
import dev.hoard.internal.shared.Lease;
import dev.hoard.internal.shared.SharedTier;
import dev.hoard.internal.shared.TierContent;
import dev.hoard.internal.shared.TierRecord;
import dev.hoard.internal.store.EntryMetadata;
import dev.hoard.internal.store.PartialRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The shared tier's part of a download, run by the entry lock's holder on a local miss (so one process per machine
 * talks to the tier): find the content in the tier, or claim the URL's lease and let the origin download go ahead
 * (its bytes uploaded in chunks as they arrive, {@link ChunkUpload}), or follow the machine that holds the lease,
 * reading its chunks as they are stored; then the rest of the content's chunks, into the entry's partial file,
 * hashed and checked against the digest the tier claims ({@link TierRead}). The tier is trusted for nothing: other
 * bytes, a missing chunk or an unreachable store are said (once, for a store that is down) and the origin is used.
 */
final class TierFetch {
    /** How long a waiter sleeps between looks at the tier when the holder has stored nothing new. */
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long a waiter follows the holder's chunks before it looks at the record and the lease again. */
    private static final Duration RECHECK = Duration.ofSeconds(1);

    private final SharedTier tier;
    private final Clock clock;

    TierFetch(SharedTier tier, Clock clock) {
        this.tier = tier;
        this.clock = clock;
    }

    /**
     * What the tier offers a request, and the read that followed a holder into the partial file meanwhile (which
     * then no longer holds what it held before).
     *
     * @param content what the tier has for it, or null: download from the origin
     * @param record  the URL's record, or null (content found by the request's digest)
     * @param lease   the lease this process now holds while it downloads from the origin, or null
     * @param resume  what the partial file now holds of a dead holder's download, read from its chunks and checked
     *                against the SHA-256 its heartbeat gave: the origin download continues it; or null
     */
    record Offer(TierContent content, TierRecord record, Lease lease, TierRead read, PartialRecord resume)
            implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                if (lease != null) {
                    lease.close();
                }
            } finally {
                if (read != null) {
                    read.close();
                }
            }
        }
    }

    /**
     * Looks in the tier until it has the content, this process holds the lease, or the tier is given up; while
     * another machine holds the lease, reads the chunks it has stored. Waiting without progress is reported through
     * {@link FetchListener#waiting} and bounded by the request's lock timeout.
     */
    Offer consult(FetchRequest request, Path partial, FetchListener listener) throws InterruptedException {
        TierRead read = new TierRead(tier, partial, request.digest(), request.uri(), listener);
        if (!tier.available()) {
            return new Offer(null, null, null, read, null);
        }
        Consumer<String> warn = message -> listener.warning(request.uri(), message);
        Instant deadline = deadline(request);
        boolean announced = false;
        Lease.Progress followed = null; // the last heartbeat whose chunks were read
        try {
            while (true) {
                Optional<Offer> found = find(request, read);
                if (found.isPresent()) {
                    return found.get();
                }
                if (!tier.exclusiveCreates(warn)) {
                    return new Offer(null, null, null, read, null);
                }
                SharedTier.Claim claim = tier.claim(request.uri());
                if (claim instanceof SharedTier.Won won) {
                    Optional<Offer> meanwhile = find(request, read); // its holder may have finished just before
                    if (meanwhile.isPresent()) {
                        won.lease().close();
                        return meanwhile.get();
                    }
                    // a dead holder's chunks: kept if they can be vouched for (the download then says it
                    // resumes), else the origin from byte 0
                    PartialRecord resume = resumable(read, followed, partial);
                    if (resume == null) {
                        read.discard();
                    }
                    return new Offer(null, null, won.lease(), read, resume);
                }
                SharedTier.Busy busy = (SharedTier.Busy) claim;
                Lease.Progress progress = busy.progress();
                LockHolder holder = busy.holder() == null ? null
                        : new LockHolder(busy.holder().pid(), busy.holder().host(), busy.holder().since());
                if (!announced) { // whom we follow, once, before its chunks come in
                    announced = true;
                    listener.waiting(request.uri(), holder, progress.bytes(), progress.total());
                } else if (read.size() == 0) {
                    listener.waiting(request.uri(), holder, progress.bytes(), progress.total());
                }
                if (progress.chunks() != null) {
                    read.use(progress.chunks());
                    followed = progress;
                    if (follow(read, progress)) {
                        deadline = deadline(request);
                        continue; // then the record, or the lease, once more
                    }
                }
                if (deadline != null && clock.instant().isAfter(deadline)) {
                    throw new LockTimeoutException(request.uri(), holder, request.lockTimeout());
                }
                Thread.sleep(POLL);
            }
        } catch (TierRead.OtherBytes e) {
            otherBytes(request, e.getMessage(), listener);
            return new Offer(null, null, null, read, null);
        } catch (IOException e) {
            tier.failed(e, warn);
            return new Offer(null, null, null, read, null);
        }
    }

    /**
     * Reads the holder's chunks as they are stored, for {@link #RECHECK} (after which the record and the lease are
     * looked at again: the holder may have finished, died or started a new set), or until every chunk is in.
     *
     * @return whether any chunk was read
     */
    private boolean follow(TierRead read, Lease.Progress progress) throws IOException, InterruptedException {
        Instant until = clock.instant().plus(RECHECK);
        boolean any = false;
        int stored = progress.stored();
        while (!read.complete(progress.total())) {
            int appended = read.follow(stored, progress.total());
            any |= appended > 0;
            if (!clock.instant().isBefore(until)) {
                break;
            }
            if (appended == 0) {
                Thread.sleep(POLL);
            }
        }
        return any;
    }

    /**
     * What this machine can keep of a dead holder's upload when it takes over: the chunks its last heartbeat
     * counted, if this machine read them all (reading what is missing) and their SHA-256 is the one the holder's
     * own hash had at that point, and the holder's source and validators let the origin be asked for the rest
     * ({@code If-Range}). Null otherwise. A store failure here only means starting from byte 0.
     */
    private PartialRecord resumable(TierRead read, Lease.Progress last, Path partial) throws InterruptedException {
        if (last == null || last.chunks() == null || !last.chunks().equals(read.chunks()) || last.stored() == 0
                || last.storedSha256() == null || last.origin() == null || last.total() < 0) {
            return null;
        }
        PartialRecord record = new PartialRecord(partial.getFileName().toString(), last.origin().source(),
                last.origin().etag(), last.origin().lastModified(), last.total(), PartialRecord.currentBootId(), 0);
        if (record.ifRangeValidator() == null) {
            return null;
        }
        try {
            read.readUpTo(last.stored(), last.total());
            long kept = read.keep(last.stored(), last.storedSha256());
            return kept < 0 ? null : record.withDurable(kept);
        } catch (IOException e) {
            return null;
        }
    }

    private Instant deadline(FetchRequest request) {
        return request.lockTimeout() == null ? null : clock.instant().plus(request.lockTimeout());
    }

    /**
     * The URL's record, if it names the expected content (or there is no expected SHA-256); else the content by
     * the request's SHA-256, whatever URL brought it, without validators.
     */
    private Optional<Offer> find(FetchRequest request, TierRead read) throws IOException {
        Digest wanted = request.digest();
        boolean bySha256 = wanted != null && wanted.algorithm() == DigestAlgorithm.SHA256;
        Optional<TierRecord> record = tier.record(request.uri());
        if (record.isPresent() && (!bySha256 || record.get().sha256().equals(wanted))) {
            return Optional.of(new Offer(record.get().content(), record.get(), null, read, null));
        }
        if (bySha256) {
            Optional<TierContent> content = tier.content(wanted);
            if (content.isPresent()) {
                return Optional.of(new Offer(content.get(), null, null, read, null));
            }
        }
        return Optional.empty();
    }

    /** The record's validators as the cached version a conditional request to the origin names. */
    static EntryMetadata asKnown(TierRecord record) {
        return new EntryMetadata(record.url(), record.etag(), record.lastModified(), record.contentType(),
                record.size(), record.sha256(), null, record.storedAt(), record.storedAt());
    }

    /**
     * Reads the rest of the offered content into the partial file (from where following its holder left off, if
     * that was the same chunk set; else from byte 0) and checks it. Empty, after a warning, if it cannot be read or
     * holds other bytes.
     */
    Optional<Download.Complete> read(FetchRequest request, Offer offer, FetchListener listener)
            throws IOException, InterruptedException {
        TierContent content = offer.content();
        TierRead read = offer.read();
        String name = tier.setName(content.chunks());
        try {
            read.use(content.chunks());
            if (!read.readAll(content.size())) {
                listener.warning(request.uri(), "the shared tier's " + name + " is incomplete (pruned?); "
                        + "downloading " + request.uri() + " from the origin");
                return Optional.empty();
            }
        } catch (TierRead.OtherBytes e) {
            otherBytes(request, e.getMessage(), listener);
            return Optional.empty();
        } catch (TierRead.StoreFailure e) {
            tier.failed((IOException) e.getCause(), message -> listener.warning(request.uri(), message));
            return Optional.empty();
        }
        Transfer.Received received = read.received();
        if (received.size() != content.size() || !received.sha256().equals(content.sha256())
                || !received.matches(request.digest())) {
            otherBytes(request, name + " holds other bytes (" + received.sha256() + ", " + received.size()
                    + " bytes, for " + content.sha256() + ")", listener);
            return Optional.empty();
        }
        TierRecord r = offer.record();
        return Optional.of(new Download.Complete(received, r == null ? null : r.etag(),
                r == null ? null : r.lastModified(), r == null ? null : r.contentType(), read.transferred()));
    }

    private static void otherBytes(FetchRequest request, String what, FetchListener listener) {
        listener.warning(request.uri(), "the shared tier's " + what + "; ignoring it and downloading "
                + request.uri() + " from the origin");
    }

    /**
     * Starts uploading the origin download's bytes as they become final, and with a lease its heartbeat, which
     * tells waiters how far the download and the upload are; null when the tier is given up.
     */
    ChunkUpload upload(Path partial, Lease lease, FetchRequest request, Supplier<Lease.Progress> download,
            FetchListener listener) {
        if (!tier.available()) {
            return null;
        }
        Consumer<String> warn = message -> listener.warning(request.uri(), message);
        ChunkUpload upload = ChunkUpload.following(tier, partial, warn);
        if (lease != null) {
            lease.beat(() -> upload.progress(download.get()), warn);
        }
        return upload;
    }

    /** The upload as the download's {@link PrefixListener}. */
    static PrefixListener prefix(ChunkUpload upload) {
        return upload == null ? PrefixListener.NONE : new PrefixListener() {
            @Override
            public void hashed(long end) {
                upload.hashed(end);
            }

            @Override
            public void cut(long size) {
                upload.cut(size);
            }

            @Override
            public long digestEvery() {
                return upload.digestEvery();
            }

            @Override
            public void digestAt(long end, Digest sha256) {
                upload.digestAt(end, sha256);
            }
        };
    }

    /** Uploads a published file whose bytes were not uploaded as they came (a revalidation's new version). */
    Optional<Chunks> uploadFile(Path blob, long size, FetchRequest request, FetchListener listener)
            throws InterruptedException {
        if (!tier.available()) {
            return Optional.empty();
        }
        return ChunkUpload.ofFile(tier, blob, size, message -> listener.warning(request.uri(), message));
    }

    /** Deletes chunks that nothing will name. */
    void discard(Chunks chunks) {
        tier.discard(chunks);
    }

    /** Names the uploaded chunks as the URL's content (content index, then record); a failure is said, never thrown. */
    void store(FetchRequest request, EntryMetadata published, Optional<Chunks> chunks, FetchListener listener) {
        if (chunks.isEmpty() || !tier.available()) {
            return;
        }
        try {
            tier.publish(new TierRecord(request.uri().toString(), published.size(), published.sha256(),
                    published.etag(), published.lastModified(), published.contentType(), clock.instant(),
                    chunks.get()));
        } catch (IOException e) {
            tier.failed(e, message -> listener.warning(request.uri(), message));
        }
    }
}
