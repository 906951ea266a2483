package dev.hoard;

import dev.hoard.internal.auth.UserInfo;
import dev.hoard.internal.checksums.ChecksumStep;
import dev.hoard.internal.decompress.DecompressStep;
import dev.hoard.internal.fetch.Backoff;
import dev.hoard.internal.fetch.FetchSettings;
import dev.hoard.internal.fetch.Fetcher;
import dev.hoard.internal.http.Connector;
import dev.hoard.internal.http.HttpTransport;
import dev.hoard.internal.lock.EntryLocks;
import dev.hoard.internal.manage.Maintenance;
import dev.hoard.internal.shared.SharedTier;
import dev.hoard.internal.shared.TierInventory;
import dev.hoard.internal.shared.ChunkUpload;
import dev.hoard.internal.shared.Chunks;
import dev.hoard.internal.shared.TierContent;
import dev.hoard.internal.shared.TierRecord;
import dev.hoard.internal.step.FetchStep;
import dev.hoard.internal.store.CacheStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A download cache shared safely by threads and processes.
 *
 * <pre>{@code
 * try (Hoard hoard = Hoard.open(cacheDir)) {
 *     FetchResult r = hoard.fetch(FetchRequest.of(uri)
 *             .digest(Digest.parse("sha256:..."))
 *             .output(path), listener);
 * }
 * }</pre>
 *
 * <p>Any number of threads may share one {@code Hoard}, and any number of processes may open the same cache
 * directory: for each URL exactly one of them downloads while the others wait and reuse its result. A crash at any
 * point leaves no lock behind and never a half-written file at a published path. See docs/cache-layout.md.
 */
public final class Hoard implements AutoCloseable {
    private final CacheStore store;
    /** Chosen once, from {@link HoardOptions#fileLocks()}, for fetches and management alike. */
    private final EntryLocks locks;
    private final FetchStep fetcher;
    /** The shared tier, or null: what push and the shared listing and prune work on. */
    private final SharedTier sharedTier;

    private Hoard(CacheStore store, EntryLocks locks, FetchStep fetcher, SharedTier sharedTier) {
        this.store = store;
        this.locks = locks;
        this.fetcher = fetcher;
        this.sharedTier = sharedTier;
    }

    /** Opens the cache at {@code cacheDir} with default options, creating it if needed. */
    public static Hoard open(Path cacheDir) throws IOException {
        return open(HoardOptions.of(cacheDir));
    }

    /**
     * Opens the cache at {@code options.cacheDir()}, creating it if needed.
     *
     * @throws IllegalArgumentException if the directory is the empty path
     */
    public static Hoard open(HoardOptions options) throws IOException {
        return open(options, true);
    }

    /**
     * Opens the cache at {@code options.cacheDir()} only if the directory holds one, for callers that only look at
     * or manage what is there: a mistyped directory is not made into a cache.
     *
     * @throws java.nio.file.NoSuchFileException naming the directory, if it holds no cache
     */
    public static Hoard openExisting(HoardOptions options) throws IOException {
        return open(options, false);
    }

    private static Hoard open(HoardOptions options, boolean create) throws IOException {
        CacheStore store = CacheStore.open(options.cacheDir(), create);
        HttpTransport http = new HttpTransport(options.connectTimeout(), options.readTimeout(), options.userAgent(),
                options.allowInsecureRedirects(), new Connector(options.proxy(), options.trust()));
        Backoff backoff = new Backoff(options.retries(), options.retryDelay(), Duration.ofSeconds(30),
                Duration.ofMinutes(5));
        EntryLocks locks = options.fileLocks() ? EntryLocks.withFileLocks() : EntryLocks.threadsOnly();
        String host = hostName();
        SharedTierSettings shared = options.shared();
        // The tier's S3 client is loaded by its first request (a local miss), never here.
        SharedTier tier = shared == null ? null : SharedTier.of(shared, host, Clock.systemUTC());
        Fetcher fetcher = new Fetcher(store, locks, new FetchSettings(http, backoff, options.connections(),
                Clock.systemUTC(), host, tier));
        // Decompression first, so an existing output is skipped before a checksum file is fetched.
        return new Hoard(store, locks, new DecompressStep(new ChecksumStep(fetcher::fetch)), tier);
    }

    /**
     * The cache directory the OS conventions suggest: {@code $XDG_CACHE_HOME/hoard} or {@code ~/.cache/hoard} on
     * Linux, {@code ~/Library/Caches/hoard} on macOS, {@code %LOCALAPPDATA%\hoard\cache} on Windows.
     */
    public static Path defaultCacheDir() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        Path home = Path.of(System.getProperty("user.home"));
        if (os.contains("win")) {
            String local = System.getenv("LOCALAPPDATA");
            return (local != null ? Path.of(local) : home.resolve("AppData").resolve("Local"))
                    .resolve("hoard").resolve("cache");
        }
        if (os.contains("mac")) {
            return home.resolve("Library").resolve("Caches").resolve("hoard");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".cache")).resolve("hoard");
    }

    /** The library's version, e.g. {@code 0.1.0}. */
    public static String version() {
        return Version.current();
    }

    /** The cache root. */
    public Path cacheDir() {
        return store.root();
    }

    /**
     * Fetches {@code request}: from the output path if it already holds the file, from the cache, or from the network
     * (downloading at most once across every thread and process sharing the cache).
     *
     * @throws IllegalArgumentException a usage error (e.g. a request without the cache and without an output)
     * @throws IntegrityException       the content does not have the expected digest; nothing was cached or written
     * @throws ChecksumFileException    the request's checksum file does not list the file (or is no checksum file)
     * @throws DecompressionException   decompression was asked for and the content is corrupt or not compressed
     * @throws DownloadException        the network or server failed
     * @throws LockTimeoutException     another process held the entry longer than the request's lock timeout
     * @throws OfflineException         offline, and the cache cannot answer
     * @throws IOException              a local I/O failure, e.g. a full disk
     * @throws InterruptedException     the thread was interrupted while waiting
     */
    public FetchResult fetch(FetchRequest request, FetchListener listener) throws IOException, InterruptedException {
        return fetcher.fetch(request, listener);
    }

    public FetchResult fetch(FetchRequest request) throws IOException, InterruptedException {
        return fetch(request, FetchListener.NONE);
    }

    /**
     * What the cache holds: one item per URL with complete content or a partial download, and one per stored blob
     * that no URL names (it still answers requests with its digest), most recently used first. Reads files without
     * waiting for any lock; an entry whose lock another process holds is reported as downloading.
     */
    public List<CacheEntryInfo> entries() throws IOException {
        return maintenance().entries();
    }

    /**
     * Re-hashes stored content against what the cache recorded: each blob's SHA-256 must equal its name and its
     * entries' {@code sha256}, its size their {@code size}, and an entry's expected digest (if it was requested with
     * one) must match too. Each blob is read once, however many entries share it.
     *
     * @param urls   the entries to check (user:password@ in them is ignored, as for the entry key); empty checks
     *               every entry and every blob no entry names
     * @param repair delete corrupt blobs and remove the entries that name them (those being downloaded are left to
     *               their lock holder)
     * @param each   told about each result as soon as it is known, in order
     * @return every result; a URL that is not cached gives {@link Verification.Outcome#NOT_CACHED}
     */
    public List<Verification> verify(List<URI> urls, boolean repair, Consumer<Verification> each)
            throws IOException {
        return maintenance().verify(urls.stream().map(UserInfo::strip).toList(), repair, each);
    }

    /**
     * Removes a URL's entry (user:password@ in it is ignored, as for the entry key), and its blob unless another entry
     * names the same content. Takes the entry's lock without waiting; a process that has the blob open keeps reading
     * it.
     *
     * @throws NotCachedException  the cache holds nothing for {@code url}
     * @throws EntryBusyException  a process is downloading it; nothing was removed
     */
    public PruneReport remove(URI url) throws IOException {
        return maintenance().remove(UserInfo.strip(url)); // its exceptions name the URL, never a password
    }

    /**
     * Removes what {@code policy} selects, least recently used first, never an entry a process is downloading (those
     * are reported as skipped). With {@code dryRun}, deletes nothing and reports what it would remove.
     */
    public PruneReport prune(PrunePolicy policy, boolean dryRun) throws IOException {
        return maintenance().prune(policy, dryRun);
    }

    /**
     * Puts a cached URL's content and record into the shared tier (unless it has that content already), so that
     * other machines get it from there: seeding the tier from a machine that has the file.
     *
     * @throws NotCachedException       the cache holds no complete file for {@code url}
     * @throws IllegalStateException    no shared tier is configured ({@link HoardOptions#shared})
     * @throws IOException              the tier failed (its message names the tier, never a credential)
     */
    public void push(URI url) throws IOException {
        SharedTier tier = tier();
        URI bare = UserInfo.strip(url);
        var entry = store.entry(bare);
        var metadata = entry.readMetadata().orElseThrow(() -> new NotCachedException(bare));
        Path blob = store.blobPath(metadata.sha256());
        if (store.blobSize(metadata.sha256()) != metadata.size()) {
            throw new NotCachedException(bare);
        }
        try {
            Chunks chunks = tier.content(metadata.sha256()).filter(c -> c.size() == metadata.size())
                    .map(TierContent::chunks).orElse(null);
            if (chunks == null) {
                chunks = ChunkUpload.store(tier, blob, metadata.size());
            }
            tier.publish(new TierRecord(bare.toString(), metadata.size(), metadata.sha256(), metadata.etag(),
                    metadata.lastModified(), metadata.contentType(), Instant.now(), chunks));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while pushing " + bare);
        } catch (IOException e) {
            throw new IOException("shared tier " + tier.location() + ": " + tier.describe(e), e);
        }
    }

    /** What the shared tier holds, oldest first (docs/shared-tier.md). */
    public List<SharedTierEntry> sharedEntries() throws IOException {
        SharedTier tier = tier();
        try {
            return new TierInventory(tier).entries();
        } catch (IOException e) {
            throw new IOException("shared tier " + tier.location() + ": " + tier.describe(e), e);
        }
    }

    /**
     * Frees space in the shared tier, least recently stored first, never content whose URL another machine is
     * downloading. {@code olderThan} and {@code maxSize} both null: everything (and stale leases).
     */
    public SharedPruneReport pruneShared(Duration olderThan, Long maxSize, boolean dryRun) throws IOException {
        SharedTier tier = tier();
        try {
            return new TierInventory(tier).prune(olderThan, maxSize, dryRun);
        } catch (IOException e) {
            throw new IOException("shared tier " + tier.location() + ": " + tier.describe(e), e);
        }
    }

    private SharedTier tier() {
        if (sharedTier == null) {
            throw new IllegalStateException("no shared tier configured: give --shared s3://BUCKET[/PREFIX] or set "
                    + "HOARD_SHARED");
        }
        return sharedTier;
    }

    /** Built per call: fetches, the hot path, never load the management classes. */
    private Maintenance maintenance() {
        return new Maintenance(store, locks, Clock.systemUTC());
    }

    @Override
    public void close() {
        // Nothing is held between calls: locks are released when each fetch returns.
    }

    private static String hostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through to the environment
        }
        String env = System.getenv("HOSTNAME");
        if (env == null) {
            env = System.getenv("COMPUTERNAME");
        }
        return env == null || env.isBlank() ? "localhost" : env;
    }
}
