package dev.hoard.internal.fetch;

import dev.hoard.Digest;
import dev.hoard.DownloadException;
import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import dev.hoard.FetchResult;
import dev.hoard.FetchStatus;
import dev.hoard.IntegrityException;
import dev.hoard.LockOwner;
import dev.hoard.LockTimeoutException;
import dev.hoard.OfflineException;
import dev.hoard.internal.http.HttpResponse;
import dev.hoard.internal.http.HttpTransport;
import dev.hoard.internal.lock.EntryLock;
import dev.hoard.internal.lock.EntryLocks;
import dev.hoard.internal.store.AtomicFiles;
import dev.hoard.internal.store.CacheEntry;
import dev.hoard.internal.store.CacheStore;
import dev.hoard.internal.store.EntryMetadata;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
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
    private final HttpTransport http;
    private final Clock clock;
    private final String host;

    public Fetcher(CacheStore store, EntryLocks locks, HttpTransport http, Clock clock, String host) {
        this.store = store;
        this.locks = locks;
        this.http = http;
        this.clock = clock;
        this.host = host;
    }

    /** A file in the cache that answers a request, and how it got there. */
    private record Published(Path blob, Digest sha256, long size, EntryMetadata metadata, FetchStatus status,
            long bytesTransferred) {
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
            Optional<Published> stored = findByDigest(request, entry);
            if (stored.isPresent()) {
                return stored.get();
            }
        } else {
            Optional<Published> cached = findCurrent(entry);
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

    /** The blob with the expected digest, whatever URL brought it. */
    private Optional<Published> findByDigest(FetchRequest request, CacheEntry entry) throws IOException {
        Optional<Path> blob = store.findBlob(request.digest());
        if (blob.isEmpty()) {
            return Optional.empty();
        }
        Digest sha256 = Digest.sha256(blob.get().getFileName().toString());
        EntryMetadata metadata = entry.readMetadata().filter(m -> m.sha256().equals(sha256)).orElse(null);
        return Optional.of(new Published(blob.get(), sha256, Files.size(blob.get()), metadata,
                FetchStatus.USED_CACHE, 0));
    }

    /** The entry's current content, if its metadata and blob are both there. */
    private Optional<Published> findCurrent(CacheEntry entry) throws IOException {
        Optional<EntryMetadata> metadata = entry.readMetadata();
        if (metadata.isEmpty()) {
            return Optional.empty();
        }
        EntryMetadata m = metadata.get();
        return store.findBlob(m.sha256())
                .map(blob -> new Published(blob, m.sha256(), m.size(), m, FetchStatus.USED_CACHE, 0));
    }

    /**
     * Asks the server whether the cached copy is current. Empty means it changed and the lock is busy: wait for it.
     * A failed revalidation (server down, 5xx) keeps the cached copy, with a warning.
     */
    private Optional<Published> revalidateWithoutLock(FetchRequest request, CacheEntry entry, Published cached,
            FetchListener listener) throws IOException {
        HttpResponse response;
        try {
            response = http.get(request.uri(), conditionalHeaders(cached.metadata()));
        } catch (IOException e) {
            listener.warning(request.uri(), "could not revalidate " + request.uri() + " (" + Transfer.describe(e)
                    + "); using the cached copy");
            return Optional.of(cached);
        }
        try (response) {
            if (isUnchanged(response, cached.metadata())) {
                return Optional.of(cached);
            }
            if (response.status() != 200) {
                listener.warning(request.uri(), "could not revalidate " + request.uri() + " (HTTP "
                        + response.status() + "); using the cached copy");
                return Optional.of(cached);
            }
            EntryLock lock = locks.tryAcquire(entry.lockFile());
            if (lock == null) {
                return Optional.empty();
            }
            try (lock) {
                return Optional.of(download(request, entry, startDownload(entry), response, listener));
            }
        }
    }

    /** @param seenBefore the entry's metadata as this request found it before locking, or null if none */
    private Published downloadUnderLock(FetchRequest request, CacheEntry entry, EntryMetadata seenBefore,
            FetchListener listener) throws IOException, InterruptedException {
        entry.create();
        try (EntryLock lock = acquire(request, entry, listener)) {
            Optional<Published> reusable = findAfterWaiting(request, entry, seenBefore);
            if (reusable.isPresent()) {
                return reusable.get();
            }
            EntryMetadata known = request.digest() == null ? findCurrent(entry).map(Published::metadata).orElse(null)
                    : null;
            Path partial = startDownload(entry);
            HttpResponse response = send(request.uri(), conditionalHeaders(known));
            try (response) {
                if (known != null && isUnchanged(response, known)) {
                    EntryMetadata validated = known.withValidatedAt(clock.instant());
                    entry.writeMetadata(validated);
                    return findCurrent(entry).orElseThrow();
                }
                return download(request, entry, partial, response, listener);
            }
        }
    }

    private EntryLock acquire(FetchRequest request, CacheEntry entry, FetchListener listener)
            throws IOException, InterruptedException {
        try {
            return locks.acquire(entry.lockFile(), request.lockTimeout(), waited -> reportWaiting(request, entry,
                    listener));
        } catch (TimeoutException e) {
            throw new LockTimeoutException(request.uri().toString(),
                    entry.readHolder().map(CacheEntry.Holder::owner).orElse(null), request.lockTimeout());
        }
    }

    private static void reportWaiting(FetchRequest request, CacheEntry entry, FetchListener listener) {
        Optional<CacheEntry.Holder> holder = entry.readHolder();
        listener.waiting(request.uri(), holder.map(CacheEntry.Holder::owner).orElse(null),
                holder.map(CacheEntry.Holder::bytesSoFar).orElse(-1L), -1);
    }

    /**
     * Prepares the lock holder's download: clears partials that dead holders left, picks a new partial file, and
     * tells waiters who is downloading and where.
     */
    private Path startDownload(CacheEntry entry) throws IOException {
        entry.deleteStalePartials();
        Path partial = entry.newPartialFile();
        entry.writeOwner(new LockOwner(ProcessHandle.current().pid(), host, clock.instant()), partial);
        return partial;
    }

    /**
     * What a previous holder left that answers this request without the network: the expected digest, or (without
     * one) an entry that was downloaded or validated while this request waited, i.e. whose metadata changed.
     */
    private Optional<Published> findAfterWaiting(FetchRequest request, CacheEntry entry, EntryMetadata seenBefore)
            throws IOException {
        if (request.digest() != null) {
            return findByDigest(request, entry);
        }
        return findCurrent(entry).filter(p -> !p.metadata().equals(seenBefore));
    }

    /** Receives a 200 into the partial file, verifies it and publishes it. The caller holds the entry lock. */
    private Published download(FetchRequest request, CacheEntry entry, Path partial, HttpResponse response,
            FetchListener listener) throws IOException {
        if (response.status() != 200) {
            throw statusFailure(request.uri(), response);
        }
        Instant fetchedAt = clock.instant();
        boolean published = false;
        try {
            Transfer.Received received = Transfer.receive(response, partial, request.digest(), request.uri(),
                    listener);
            if (!received.matches(request.digest())) {
                throw new IntegrityException(request.uri().toString(), request.digest(),
                        received.digestIn(request.digest().algorithm()));
            }
            Path blob = store.publishBlob(partial, received.sha256(), request.digest());
            published = true;
            EntryMetadata metadata = new EntryMetadata(request.uri().toString(), response.header("ETag"),
                    response.header("Last-Modified"), response.header("Content-Type"), received.size(),
                    received.sha256(), request.digest(), fetchedAt, fetchedAt);
            entry.writeMetadata(metadata);
            return new Published(blob, received.sha256(), received.size(), metadata, FetchStatus.DOWNLOADED,
                    received.size());
        } finally {
            if (!published) {
                Files.deleteIfExists(partial);
            }
        }
    }

    /** --no-cache: straight to the output through a temp file beside it, verified before the rename. */
    private FetchResult fetchDirect(FetchRequest request, FetchListener listener) throws IOException {
        Path output = request.output();
        if (output == null) {
            throw new IllegalArgumentException("--no-cache needs an output path (-o)");
        }
        if (request.offline()) {
            throw new OfflineException(request.uri());
        }
        Outputs.createParent(output);
        Path temp = AtomicFiles.tempSibling(output);
        try (HttpResponse response = send(request.uri(), Map.of())) {
            if (response.status() != 200) {
                throw statusFailure(request.uri(), response);
            }
            Transfer.Received received = Transfer.receive(response, temp, request.digest(), request.uri(), listener);
            if (!received.matches(request.digest())) {
                throw new IntegrityException(request.uri().toString(), request.digest(),
                        received.digestIn(request.digest().algorithm()));
            }
            AtomicFiles.move(temp, output);
            return new FetchResult(FetchStatus.DOWNLOADED, request.uri(), output, null, received.size(),
                    received.sha256(), response.header("ETag"), response.header("Last-Modified"),
                    response.header("Content-Type"), received.size());
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
                m == null ? null : m.contentType(), published.bytesTransferred());
    }

    private HttpResponse send(URI uri, Map<String, String> headers) throws IOException {
        try {
            return http.get(uri, headers);
        } catch (DownloadException e) {
            throw e;
        } catch (IOException e) {
            throw new DownloadException(uri, 0, "cannot fetch " + uri + ": " + Transfer.describe(e), e);
        }
    }

    private static Map<String, String> conditionalHeaders(EntryMetadata known) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (known != null && known.etag() != null) {
            headers.put("If-None-Match", known.etag());
        }
        if (known != null && known.lastModified() != null) {
            headers.put("If-Modified-Since", known.lastModified());
        }
        return headers;
    }

    /** A 304, or a 200 whose validators say it is the content we have (for servers that ignore conditions). */
    private static boolean isUnchanged(HttpResponse response, EntryMetadata known) {
        if (response.status() == 304) {
            return true;
        }
        if (response.status() != 200) {
            return false;
        }
        String etag = response.header("ETag");
        if (etag != null && known.etag() != null) {
            return etag.equals(known.etag()) && !etag.startsWith("W/");
        }
        String lastModified = response.header("Last-Modified");
        return lastModified != null && lastModified.equals(known.lastModified())
                && response.contentLength() == known.size();
    }

    private static DownloadException statusFailure(URI uri, HttpResponse response) {
        String where = response.uri().equals(uri) ? "" : " (redirected to " + response.uri() + ")";
        return new DownloadException(uri, response.status(), "HTTP " + response.status() + " for " + uri + where,
                null);
    }
}
