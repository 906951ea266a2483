package dev.hoard.internal.fetch;

import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import dev.hoard.DownloadException;
import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import dev.hoard.FetchResult;
import dev.hoard.FetchStatus;
import dev.hoard.IntegrityException;
import dev.hoard.LockHolder;
import dev.hoard.LockTimeoutException;
import dev.hoard.OfflineException;
import dev.hoard.internal.auth.AuthHeaders;
import dev.hoard.internal.digest.FileHash;
import dev.hoard.internal.lock.EntryLock;
import dev.hoard.internal.lock.EntryLocks;
import dev.hoard.internal.shared.ChunkUpload;
import dev.hoard.internal.shared.Chunks;
import dev.hoard.internal.shared.Lease;
import dev.hoard.internal.store.AtomicFiles;
import dev.hoard.internal.store.CacheEntry;
import dev.hoard.internal.store.CacheStore;
import dev.hoard.internal.store.EntryMetadata;
import dev.hoard.internal.store.PartialRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * Answers a {@link FetchRequest}: from the output path, the cache, or the network.
 *
 * <p><b>Who takes the lock.</b> Only a writer. A request with an expected digest that the store holds is answered
 * from the blob with no lock and no network. A digest-less request for a cached URL revalidates without the lock
 * (a conditional GET); a 304 is a hit. Only a miss, or a 200 to the revalidation, needs the entry lock: the 200's
 * body is streamed on if the lock is free at once, otherwise the response is abandoned and the request waits.
 *
 * <p><b>Re-check under the lock.</b> A waiter that gets the lock first looks again: if the holder before it
 * published what it needs (the digest is now stored, or the entry's metadata changed while it waited), it reuses
 * that with no network request. So N concurrent requests for one URL cause one download.
 *
 * <p><b>What is held during network I/O.</b> The entry lock, and only while downloading (or revalidating a miss).
 * No lock is held while copying out of the cache: published blobs never change, so copies run in parallel.
 */
public final class Fetcher {
    private final CacheStore store;
    private final EntryLocks locks;
    private final FetchSettings settings;
    private final SegmentationPolicy policy;
    private final Clock clock;
    /** The shared tier's part of downloads, or null without a tier; consulted only on a local miss. */
    private final TierFetch tier;

    /**
     * @param locks where they do not exclude other processes (no OS file locks), partials are neither adopted nor
     *              cleaned (a live writer on another host might own them) and every file is re-read from disk and
     *              verified before it is published
     */
    public Fetcher(CacheStore store, EntryLocks locks, FetchSettings settings) {
        this.store = store;
        this.locks = locks;
        this.settings = settings;
        this.policy = SegmentationPolicy.of(settings.connections());
        this.clock = settings.clock();
        this.tier = settings.sharedTier() == null ? null
                : new TierFetch(settings.sharedTier(), clock);
    }

    private DownloadContext context(FetchRequest request, FetchListener listener) throws IOException {
        return context(request, listener, PrefixListener.NONE);
    }

    private DownloadContext context(FetchRequest request, FetchListener listener, PrefixListener prefix)
            throws IOException {
        return new DownloadContext(request, exchange(request), settings.backoff(), policy, listener, prefix);
    }

    /** Made only when a request goes to the network: it reads the netrc file, which a cache hit never needs. */
    private Exchange exchange(FetchRequest request) throws IOException {
        return new Exchange(settings.http(), clock, request.uri(), AuthHeaders.of(request.credentials()));
    }

    /** A file in the cache that answers a request, and how it got there. */
    private record Published(Path blob, Digest sha256, long size, EntryMetadata metadata, FetchStatus status,
            long bytesTransferred, boolean fromSharedTier) {

        Published(Path blob, Digest sha256, long size, EntryMetadata metadata, FetchStatus status,
                long bytesTransferred) {
            this(blob, sha256, size, metadata, status, bytesTransferred, false);
        }

        Published asFromSharedTier() {
            return new Published(blob, sha256, size, metadata, status, bytesTransferred, true);
        }
    }

    public FetchResult fetch(FetchRequest request, FetchListener listener) throws IOException, InterruptedException {
        FetchResult result = answer(request, listener);
        listener.finished(result);
        return result;
    }

    private FetchResult answer(FetchRequest request, FetchListener listener) throws IOException, InterruptedException {
        Optional<FetchResult> skipped = Outputs.skipIfPresent(request);
        if (skipped.isPresent()) {
            return skipped.get();
        }
        if (request.isLocal()) {
            return LocalSources.fetch(request);
        }
        if (request.noCache()) {
            return fetchDirect(request, listener);
        }
        CacheEntry entry = store.entry(request.uri());
        Published published = findOrDownload(request, entry, listener);
        try {
            return deliver(request, entry, published);
        } catch (NoSuchFileException e) {
            if (!published.blob().toString().equals(e.getFile())) {
                throw e;
            }
            // hoard rm/prune removed the blob between finding it and opening it: look again (and download) once.
            return deliver(request, entry, findOrDownload(request, entry, listener));
        }
    }

    private Published findOrDownload(FetchRequest request, CacheEntry entry, FetchListener listener)
            throws IOException, InterruptedException {
        EntryMetadata seenBefore = null;
        if (request.digest() != null) {
            Optional<Published> stored = findByDigest(request, entry, listener);
            if (stored.isPresent()) {
                return stored.get();
            }
        } else {
            Optional<Published> cached = findCurrent(entry, request, listener);
            if (cached.isPresent()) {
                seenBefore = cached.get().metadata();
                if (request.offline()) {
                    return cached.get();
                }
                Optional<Published> revalidated = revalidateWithoutLock(request, entry, cached.get(), listener);
                if (revalidated.isPresent()) {
                    return revalidated.get();
                }
            }
        }
        if (request.offline()) {
            throw new OfflineException(request.uri());
        }
        return downloadUnderLock(request, entry, seenBefore, listener);
    }

    /**
     * The blob with the expected digest, whatever URL brought it; not one whose size is not what this entry's
     * metadata records for it (a damaged blob: it is downloaded again, and replaced).
     *
     * @param listener told of a damaged blob, or null to say nothing (it was said once already)
     */
    private Optional<Published> findByDigest(FetchRequest request, CacheEntry entry, FetchListener listener)
            throws IOException {
        Optional<Path> blob = store.findBlob(request.digest());
        if (blob.isEmpty()) {
            return Optional.empty();
        }
        Digest sha256 = Digest.sha256(blob.get().getFileName().toString());
        EntryMetadata metadata = entry.readMetadata().filter(m -> m.sha256().equals(sha256)).orElse(null);
        long size = store.blobSize(sha256);
        if (size < 0 || metadata != null && !sizeMatches(request, metadata, size, listener)) {
            return Optional.empty();
        }
        return Optional.of(new Published(blob.get(), sha256, size, metadata, FetchStatus.USED_CACHE, 0));
    }

    /**
     * The entry's current content, if its metadata and blob are both there and the blob's size is the recorded one
     * (one stat; a blob of another size is damaged, and treated as missing).
     *
     * @param listener told of a damaged blob, or null to say nothing (it was said once already)
     */
    private Optional<Published> findCurrent(CacheEntry entry, FetchRequest request, FetchListener listener)
            throws IOException {
        Optional<EntryMetadata> metadata;
        if (listener == null) {
            metadata = entry.readMetadata();
        } else {
            EntryMetadata.Found found = entry.inspectMetadata();
            if (found.damage() != null) {
                listener.warning(request.uri(), found.damage() + "; downloading " + request.uri() + " again");
            }
            metadata = found.metadata();
        }
        if (metadata.isEmpty()) {
            return Optional.empty();
        }
        EntryMetadata m = metadata.get();
        long size = store.blobSize(m.sha256());
        if (size < 0 || !sizeMatches(request, m, size, listener)) {
            return Optional.empty();
        }
        return Optional.of(new Published(store.blobPath(m.sha256()), m.sha256(), m.size(), m, FetchStatus.USED_CACHE,
                0));
    }

    private Optional<Published> findCurrent(CacheEntry entry) throws IOException {
        return findCurrent(entry, null, null);
    }

    private boolean sizeMatches(FetchRequest request, EntryMetadata m, long size, FetchListener listener) {
        if (size == m.size()) {
            return true;
        }
        if (listener != null) {
            listener.warning(request.uri(), "the cached file " + store.blobPath(m.sha256()) + " has " + size
                    + " bytes, but " + m.size() + " were downloaded: it is damaged, so it is downloaded again");
        }
        return false;
    }

    /**
     * Asks the server whether the cached copy is current. Empty means it changed and the lock is busy: wait for it.
     * A failed revalidation (server down, 5xx) keeps the cached copy, with a warning.
     */
    private Optional<Published> revalidateWithoutLock(FetchRequest request, CacheEntry entry, Published cached,
            FetchListener listener) throws IOException, InterruptedException {
        Reply reply = exchange(request).send(Ask.ifChanged(request.uri(), cached.metadata()));
        String failure = revalidationFailure(reply);
        if (failure != null) {
            listener.warning(request.uri(), "could not revalidate " + request.uri() + " (" + failure
                    + "); using the cached copy");
            return Optional.of(cached);
        }
        if (!(reply instanceof Reply.Body body)) {
            return Optional.of(cached);
        }
        repairIfDamaged(request, entry, listener);
        EntryLock lock = locks.tryAcquire(entry.lockFile());
        if (lock == null) {
            body.response().close();
            return Optional.empty();
        }
        try (lock) {
            return Optional.of(downloadHoldingLock(request, entry, cached.metadata(), body, listener));
        }
    }

    /** Why a revalidation got no answer (the server down, a 5xx), or null for a 304 or a 200. */
    private static String revalidationFailure(Reply reply) {
        return switch (reply) {
            case Reply.Unchanged unchanged -> null;
            case Reply.Body body -> null;
            case Reply.Retry retry -> retry.reason();
            case Reply.Fail fail -> fail.failure().getMessage();
            case Reply.RangeMismatch mismatch -> mismatch.reason();
        };
    }

    /** @param seenBefore the entry's metadata as this request found it before locking, or null if none */
    @SuppressWarnings("try") // the lock is held for the block: that is its whole use
    private Published downloadUnderLock(FetchRequest request, CacheEntry entry, EntryMetadata seenBefore,
            FetchListener listener) throws IOException, InterruptedException {
        repairIfDamaged(request, entry, listener);
        entry.create();
        try (EntryLock lock = acquire(request, entry, listener)) {
            Optional<Published> reusable = findAfterWaiting(request, entry, seenBefore);
            if (reusable.isPresent()) {
                return reusable.get();
            }
            EntryMetadata known = request.digest() == null ? findCurrent(entry).map(Published::metadata).orElse(null)
                    : null;
            return downloadHoldingLock(request, entry, known, null, listener);
        }
    }

    /**
     * Takes away what an outside hand put in place of the entry's directory or its lock file (a symlink, which is
     * never written through, a file, a directory), under the cache's repair lock, so that the entry can be locked.
     * Two stats when nothing is wrong; only a fetch that is about to lock the entry pays them.
     */
    @SuppressWarnings("try") // the repair lock is held for the block: that is its whole use
    private void repairIfDamaged(FetchRequest request, CacheEntry entry, FetchListener listener)
            throws IOException, InterruptedException {
        if (entry.directoryDamage() == null && entry.lockDamage() == null) {
            return;
        }
        try (EntryLock repair = locks.acquire(store.repairLock(), null, waited -> { })) {
            String repaired = entry.repair();
            if (repaired != null) {
                listener.warning(request.uri(), repaired + "; removed it, so that the entry can be locked again");
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("a wait without a timeout timed out", e);
        }
    }

    private EntryLock acquire(FetchRequest request, CacheEntry entry, FetchListener listener)
            throws IOException, InterruptedException {
        try {
            return locks.acquire(entry.lockFile(), request.lockTimeout(),
                    waited -> reportWaiting(request, entry, listener));
        } catch (TimeoutException e) {
            throw new LockTimeoutException(request.uri(), entry.readHolder().orElse(null), request.lockTimeout());
        }
    }

    private static void reportWaiting(FetchRequest request, CacheEntry entry, FetchListener listener) {
        Optional<CacheEntry.HolderProgress> holder = entry.readHolderProgress();
        listener.waiting(request.uri(), holder.map(CacheEntry.HolderProgress::holder).orElse(null),
                holder.map(CacheEntry.HolderProgress::bytesSoFar).orElse(-1L),
                holder.map(CacheEntry.HolderProgress::totalBytes).orElse(-1L));
    }

    /**
     * What a previous holder left that answers this request without the network: the expected digest, or (without
     * one) an entry that was downloaded or validated while this request waited, i.e. whose metadata changed.
     */
    private Optional<Published> findAfterWaiting(FetchRequest request, CacheEntry entry, EntryMetadata seenBefore)
            throws IOException {
        if (request.digest() != null) {
            return findByDigest(request, entry, null);
        }
        return findCurrent(entry).filter(p -> !p.metadata().equals(seenBefore));
    }

    /**
     * Downloads into a partial file — resuming one a dead holder left, where file locks make that safe — then
     * verifies and publishes it. The caller holds the entry lock. A partial survives a network failure or an
     * interrupt, for the next holder to resume, if it holds bytes that can be resumed; it is deleted when it holds
     * none, its content is wrong or the disk failed. A failure that leaves nothing worth keeping leaves no trace
     * ({@link CacheEntry#removeTracesOfFailure}).
     *
     * @param known the cached version for a conditional request, or null
     * @param first the reply to that conditional request that the caller already has, or null
     */
    private Published downloadHoldingLock(FetchRequest request, CacheEntry entry, EntryMetadata known,
            Reply first, FetchListener listener) throws IOException, InterruptedException {
        entry.removeDamagedFiles(); // a directory where meta.json goes could not be replaced by the new one
        Path partial = entry.newPartialFile();
        PartialRecord adopted = locks.excludesOtherProcesses() ? entry.adoptPartial(partial).orElse(null) : null;
        if (locks.excludesOtherProcesses()) {
            entry.deleteStalePartials(partial);
        }
        entry.writeHolder(new LockHolder(ProcessHandle.current().pid(), settings.host(), clock.instant()), partial);
        boolean keepPartial = false;
        boolean succeeded = false;
        try {
            Published published = downloadOnMiss(request, entry, partial, known, first, adopted, listener);
            succeeded = true;
            return published;
        } catch (DownloadException | InterruptedException e) {
            // resumable by the next holder, if it holds bytes that its record lets a holder ask the rest of
            keepPartial = locks.excludesOtherProcesses() && entry.holdsResumableBytes(partial);
            throw e;
        } finally {
            if (!keepPartial) {
                Files.deleteIfExists(partial);
                entry.deletePartialRecord();
            }
            if (!succeeded && !keepPartial) {
                entry.removeTracesOfFailure(partial, locks.excludesOtherProcesses());
            }
        }
    }

    /**
     * The content from the shared tier if it has it (or another machine is fetching it: then after waiting), else
     * from the origin, under the tier's lease where there is one; what the origin sent goes to the tier. The tier is
     * not asked while a local copy is revalidated. A dead holder's partial is resumed from the origin unless the tier
     * has the whole file (another machine finished it meanwhile), which then replaces it.
     */
    private Published downloadOnMiss(FetchRequest request, CacheEntry entry, Path partial, EntryMetadata known,
            Reply first, PartialRecord adopted, FetchListener listener) throws IOException, InterruptedException {
        if (tier == null || known != null || first != null) {
            return downloadFromOrigin(request, entry, partial, known, first, adopted, listener, null);
        }
        try (TierFetch.Offer offer = tier.consult(request, partial, listener)) {
            // what a dead holder left is resumed: another machine's, read from its chunks (offer.resume), or this
            // machine's, unless following another machine's upload replaced it
            PartialRecord resumable = offer.resume() != null ? offer.resume()
                    : offer.read().touched() ? null : adopted;
            if (offer.content() != null) {
                Published published = fromTier(request, entry, partial, offer, listener);
                if (published != null) {
                    return published;
                }
                resumable = null; // the partial now holds what the tier sent
            }
            ChunkUpload upload = tier.upload(partial, offer.lease(), request, () -> holderProgress(entry), listener);
            return downloadFromOrigin(request, entry, partial, null, null, resumable, listener, upload);
        }
    }

    /**
     * Downloads from the URL and its mirrors, then publishes; or confirms {@code known}, the cached version. With
     * an {@code upload}, the bytes go to the shared tier as they become final, and once the file is verified and
     * published the tier's record names them; the upload is given up if the download fails.
     */
    private Published downloadFromOrigin(FetchRequest request, CacheEntry entry, Path partial, EntryMetadata known,
            Reply first, PartialRecord adopted, FetchListener listener, ChunkUpload upload)
            throws IOException, InterruptedException {
        Download.Outcome outcome;
        Optional<Chunks> chunks = Optional.empty();
        try {
            outcome = new Download(context(request, listener, TierFetch.prefix(upload)), partial, entry, adopted)
                    .run(known, first);
            if (upload != null && outcome instanceof Download.Complete complete) {
                chunks = upload.finish(complete.received().size());
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (upload != null) {
                upload.abandon();
            }
            throw e;
        }
        if (outcome instanceof Download.Complete complete) {
            Published published;
            try {
                published = publish(request, entry, partial, complete);
            } catch (IOException | RuntimeException e) {
                if (upload != null) {
                    chunks.ifPresent(tier::discard); // wrong bytes: nothing will name them
                }
                throw e;
            }
            if (upload != null) {
                tier.store(request, published.metadata(), chunks, listener);
            }
            return published;
        }
        entry.writeMetadata(known.withValidatedAt(clock.instant()));
        return findCurrent(entry).orElseThrow(() -> new IOException("the cached copy of " + request.uri()
                + " disappeared while it was revalidated"));
    }

    /**
     * The tier's copy, streamed into {@code partial}, verified and published; or null (after a warning) when the
     * origin must be asked instead. Without an expected digest the origin first confirms the record's version with
     * one conditional request, as for a local copy: a 304 (or an origin that cannot be reached, with a warning, as
     * a local copy is kept) means the tier's copy; a 200 is the new version, published and stored in the tier.
     */
    private Published fromTier(FetchRequest request, CacheEntry entry, Path partial, TierFetch.Offer offer,
            FetchListener listener) throws IOException, InterruptedException {
        if (request.digest() == null && offer.record() != null) {
            EntryMetadata known = TierFetch.asKnown(offer.record());
            Reply reply = exchange(request).send(Ask.ifChanged(request.uri(), known));
            String failure = revalidationFailure(reply);
            if (failure != null) {
                listener.warning(request.uri(), "could not revalidate " + request.uri() + " (" + failure
                        + "); using the shared tier's copy");
            } else if (reply instanceof Reply.Body) {
                Download.Outcome outcome = new Download(context(request, listener), partial, entry, null)
                        .run(known, reply);
                if (outcome instanceof Download.Complete changed) {
                    Published published = publish(request, entry, partial, changed);
                    tier.store(request, published.metadata(),
                            tier.uploadFile(published.blob(), published.size(), request, listener), listener);
                    return published;
                }
            }
        }
        Optional<Download.Complete> complete = tier.read(request, offer, listener);
        if (complete.isEmpty()) {
            return null;
        }
        return publish(request, entry, partial, complete.get()).asFromSharedTier();
    }

    /** This process's own progress on the entry, read once per heartbeat, as other machines' waiters see it. */
    private static Lease.Progress holderProgress(CacheEntry entry) {
        Lease.Progress download = entry.readHolderProgress()
                .map(p -> new Lease.Progress(p.bytesSoFar(), p.totalBytes())).orElse(Lease.Progress.UNKNOWN);
        return entry.readPartialRecord().filter(r -> r.source() != null)
                .map(r -> download.withOrigin(new Lease.Origin(r.source(), r.etag(), r.lastModified())))
                .orElse(download);
    }

    private Published publish(FetchRequest request, CacheEntry entry, Path partial, Download.Complete complete)
            throws IOException {
        Transfer.Received received = complete.received();
        checkDigest(request, received);
        if (!locks.excludesOtherProcesses()) {
            checkOnDisk(partial, received);
        }
        Instant now = clock.instant();
        Path blob = store.publishBlob(partial, received.sha256(), received.size(), request.digest());
        EntryMetadata metadata = new EntryMetadata(request.uri().toString(), complete.etag(),
                complete.lastModified(), complete.contentType(), received.size(), received.sha256(),
                request.digest(), now, now);
        entry.writeMetadata(metadata);
        return new Published(blob, received.sha256(), received.size(), metadata, FetchStatus.DOWNLOADED,
                complete.bytesTransferred());
    }

    private static void checkDigest(FetchRequest request, Transfer.Received received) throws IntegrityException {
        if (!received.matches(request.digest())) {
            throw new IntegrityException(request.uri(), request.digest(),
                    received.digestIn(request.digest().algorithm()));
        }
    }

    /**
     * Without file locks another process might have written into our file (it cannot know of it by name, but a
     * broken mount can do anything): re-read it and check that it holds what we hashed.
     */
    private static void checkOnDisk(Path partial, Transfer.Received received) throws IOException {
        Digest onDisk = FileHash.of(partial, DigestAlgorithm.SHA256);
        if (!onDisk.equals(received.sha256())) {
            throw new IOException("the downloaded file " + partial + " changed on disk while it was written ("
                    + received.sha256() + " written, " + onDisk + " read back); is another process writing to it?");
        }
    }

    /** --no-cache: straight to the output through a temp file beside it, verified before the rename. */
    private FetchResult fetchDirect(FetchRequest request, FetchListener listener)
            throws IOException, InterruptedException {
        Path output = request.output();
        if (output == null) {
            throw new IllegalArgumentException("a request without the cache needs an output path");
        }
        if (request.offline()) {
            throw new OfflineException(request.uri());
        }
        Outputs.createParent(output);
        Path temp = AtomicFiles.tempSibling(output);
        try {
            Download.Complete complete = (Download.Complete) new Download(context(request, listener), temp, null,
                    null).run(null, null);
            Transfer.Received received = complete.received();
            checkDigest(request, received);
            AtomicFiles.move(temp, output);
            return new FetchResult(FetchStatus.DOWNLOADED, request.uri(), output, null, received.size(),
                    received.sha256(), complete.etag(), complete.lastModified(), complete.contentType(),
                    complete.bytesTransferred());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private FetchResult deliver(FetchRequest request, CacheEntry entry, Published published) throws IOException {
        entry.markUsed(clock.instant());
        Path path = published.blob();
        if (request.output() != null) {
            Outputs.copy(published.blob(), request.output());
            path = request.output();
        }
        EntryMetadata m = published.metadata();
        return new FetchResult(published.status(), request.uri(), path, published.blob(), published.size(),
                published.sha256(), m == null ? null : m.etag(), m == null ? null : m.lastModified(),
                m == null ? null : m.contentType(), published.bytesTransferred(), published.fromSharedTier());
    }
}
