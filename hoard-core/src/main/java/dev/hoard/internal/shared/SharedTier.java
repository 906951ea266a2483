package dev.hoard.internal.shared;

import dev.hoard.Digest;
import dev.hoard.SharedTierSettings;
import dev.hoard.internal.store.KeyHash;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The shared tier's protocol (docs/shared-tier.md, format 2) over an {@link ObjectStore}: where content, records
 * and leases live, how a lease is claimed with create-if-absent alone, and what this process has learnt about the
 * store (that it is down, that it ignores {@code If-None-Match}), each said once.
 *
 * <p>Keys, under {@code PREFIX/v2/}: {@code chunks/<set>/<i>} (content, in {@link Chunks}), {@code
 * content/<sha256>.json} ({@link TierContent}), {@code urls/<sha256 of URL>.json} ({@link TierRecord}), {@code
 * leases/<sha256 of URL>/<generation>} ({@link LeaseHolder}) with its heartbeat {@code <generation>.hb}, and
 * {@code probes/<uuid>} (the create-if-absent probe, deleted at once).
 *
 * <p>Thread-safe: the state it keeps is volatile and set once ({@link #failed}, {@link #exclusiveCreates}).
 */
public final class SharedTier {
    /** The format of everything under {@link #root}: docs/shared-tier.md changes with it. */
    public static final int FORMAT = 2;
    /** How often a lease holder rewrites its heartbeat. */
    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /** A lease whose newest write is older than this, by the store's clock, is taken over. */
    public static final Duration STALE_AFTER = Duration.ofSeconds(6);
    private static final String STORE_CLASS = "dev.hoard.internal.shared.s3.LightweightS3Store";
    private static final int CLAIM_ATTEMPTS = 5;

    private final SharedTierSettings settings;
    private final String host;
    private final Clock clock;
    private final String root;
    private volatile ObjectStore store;
    private volatile String down;
    private final AtomicBoolean warnedDown = new AtomicBoolean();
    private volatile Boolean exclusive;

    private SharedTier(SharedTierSettings settings, ObjectStore store, String host, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.host = host;
        this.clock = clock;
        this.root = (settings.prefix().isEmpty() ? "" : settings.prefix() + "/") + "v" + FORMAT + "/";
    }

    /** The tier that {@code settings} name; its S3 client is loaded by the first request, not here. */
    public static SharedTier of(SharedTierSettings settings, String host, Clock clock) {
        return new SharedTier(settings, null, host, clock);
    }

    /** Over a store given by the caller (management commands that already made one, tests). */
    public static SharedTier over(SharedTierSettings settings, ObjectStore store, String host, Clock clock) {
        return new SharedTier(settings, store, host, clock);
    }

    /** Loads the S3 client by name: only this line, reached only on a local miss, brings its classes in. */
    ObjectStore store() throws IOException {
        ObjectStore s = store;
        if (s == null) {
            synchronized (this) {
                if (store == null) {
                    try {
                        store = (ObjectStore) Class.forName(STORE_CLASS).getConstructor(SharedTierSettings.class)
                                .newInstance(settings);
                    } catch (InvocationTargetException e) {
                        throw new IOException("cannot set up the S3 client: " + e.getCause(), e.getCause());
                    } catch (ReflectiveOperationException | LinkageError e) {
                        throw new IOException("the S3 client library is missing from this build: " + e, e);
                    }
                }
                s = store;
            }
        }
        return s;
    }

    /** A request to the store, for {@link #twice}. */
    @FunctionalInterface
    interface Request {
        void send() throws IOException;
    }

    /**
     * Sends a write whose loss would cost the fleet a second origin download (a chunk, a heartbeat) once more if
     * the connection failed or timed out; an answer that refuses it ({@link StoreException}: 403, full, 5xx) is
     * final.
     */
    static void twice(Request request) throws IOException {
        try {
            request.send();
        } catch (StoreException e) {
            throw e;
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e; // stopped by this process (a lease closed, an upload abandoned), not by the store
            }
            request.send();
        }
    }

    /** {@code s3://BUCKET/PREFIX}, as messages name the tier. */
    public String location() {
        return settings.location();
    }

    public SharedTierSettings settings() {
        return settings;
    }

    /** Whether the tier is still worth asking in this process: false once a request to it failed. */
    public boolean available() {
        return down == null;
    }

    /**
     * Gives the tier up for the rest of this process after a failure, and says so once (through {@code warn}):
     * every later request goes to the origin at once instead of waiting for the tier's timeouts again.
     */
    public void failed(String why, Consumer<String> warn) {
        if (down == null) {
            down = why;
        }
        if (warnedDown.compareAndSet(false, true)) {
            warn.accept("shared tier " + location() + " unreachable (" + why + "); using the origin");
        }
    }

    /**
     * As {@link #failed(String, Consumer)}, unless {@code e} is this process stopping its own request (a thread
     * interrupted while it waited between attempts or read its partial file), which says nothing about the store.
     */
    public void failed(IOException e, Consumer<String> warn) {
        if (e instanceof ClosedByInterruptException
                || e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            return;
        }
        failed(describe(e), warn);
    }

    /** A failure in one line without the credentials the library might have put in it. */
    public String describe(Exception e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e.getCause() != null && text.equals(e.getCause().toString())) {
            text = e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage();
        }
        return scrub(text);
    }

    /** Takes the access key and secret out of {@code text}, wherever a library or URL put them. */
    public String scrub(String text) {
        String t = text.replace(settings.secretKey(), "***").replace(settings.accessKey(), "***");
        return settings.sessionToken() == null ? t : t.replace(settings.sessionToken(), "***");
    }

    String key(String relative) {
        return root + relative;
    }

    /** The key of chunk {@code i} of a chunk set. */
    String chunkKey(String set, int i) {
        return key("chunks/" + set + "/" + i);
    }

    String contentKey(Digest sha256) {
        return key("content/" + sha256.hex() + ".json");
    }

    /** A chunk set's name for messages: {@code s3://BUCKET/PREFIX/v2/chunks/SET/}. */
    public String setName(Chunks set) {
        return "s3://" + settings.bucket() + "/" + key("chunks/" + set.set() + "/");
    }

    /** A chunk's name for messages. */
    public String chunkName(String set, int i) {
        return "s3://" + settings.bucket() + "/" + chunkKey(set, i);
    }

    static String urlKey(URI url) {
        return KeyHash.sha256Hex(url.toString());
    }

    String recordKey(URI url) {
        return key("urls/" + urlKey(url) + ".json");
    }

    String leasePrefix(URI url) {
        return key("leases/" + urlKey(url) + "/");
    }

    /** The prefix under which everything of this format lives, for ls and prune. */
    public String root() {
        return root;
    }

    /** A fresh chunk set of the configured chunk size. */
    public Chunks newChunks() {
        return new Chunks(UUID.randomUUID().toString().replace("-", ""), settings.chunkSize());
    }

    /** The content with this SHA-256, whatever URL brought it; empty if the tier has none of this format. */
    public Optional<TierContent> content(Digest sha256) throws IOException {
        Optional<ObjectStore.Read> read = store().read(contentKey(sha256));
        try {
            return read.map(r -> TierContent.parse(r.body())).filter(c -> c.sha256().equals(sha256));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Stores chunk {@code i} of {@code set}: one plain PUT, readable by others the moment it returns. */
    public void putChunk(Chunks set, int i, byte[] bytes) throws IOException {
        store().putContent(chunkKey(set.set(), i), bytes);
    }

    /** Chunk {@code i} of {@code set} as a stream to read and close, or empty if it is not (yet) stored. */
    public Optional<java.io.InputStream> chunk(Chunks set, int i) throws IOException {
        return store().stream(chunkKey(set.set(), i));
    }

    /**
     * Deletes what is stored of a chunk set that will never be named (an upload given up); failures are ignored,
     * and a tier given up is not asked (the set is garbage for {@code prune --shared}).
     */
    public void discard(Chunks set) {
        if (!available()) {
            return;
        }
        try {
            ObjectStore s = store();
            for (ObjectStore.Stat chunk : s.list(key("chunks/" + set.set() + "/"))) {
                s.delete(chunk.key());
            }
        } catch (IOException e) {
            // garbage that prune --shared removes once it is old
        }
    }

    /** The URL's record; empty if there is none, or what is there is not a record of this format. */
    public Optional<TierRecord> record(URI url) throws IOException {
        Optional<ObjectStore.Read> read = store().read(recordKey(url));
        if (read.isEmpty()) {
            return Optional.empty();
        }
        try {
            TierRecord record = TierRecord.parse(read.get().body());
            return record.url().equals(url.toString()) ? Optional.of(record) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Names stored chunks as the record's content: the content index first, then the URL's record, so that a
     * reader that finds either finds every chunk.
     */
    public void publish(TierRecord record) throws IOException {
        ObjectStore s = store();
        s.put(contentKey(record.sha256()), record.content().toJson());
        s.put(recordKey(URI.create(record.url())), record.toJson());
    }

    /**
     * Whether the store's create-if-absent works: asked once per process by creating one fresh key twice. A store
     * that lets both succeed, or refuses the condition (501, 400), is said once through {@code warn}; the tier is
     * then a shared cache without cross-machine single flight.
     */
    public boolean exclusiveCreates(Consumer<String> warn) throws IOException {
        Boolean known = exclusive;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (exclusive == null) {
                exclusive = probe(warn);
            }
            return exclusive;
        }
    }

    private boolean probe(Consumer<String> warn) throws IOException {
        ObjectStore s = store();
        String probe = key("probes/" + UUID.randomUUID());
        String problem;
        try {
            ObjectStore.Created first = settled(s, probe, "1".getBytes(StandardCharsets.UTF_8));
            ObjectStore.Created second = settled(s, probe, "2".getBytes(StandardCharsets.UTF_8));
            problem = first != ObjectStore.Created.CREATED ? "a create-if-absent of a fresh key was refused"
                    : second == ObjectStore.Created.CREATED ? "a second create-if-absent of one key succeeded too"
                    : null;
        } catch (StoreException e) {
            if (e.status() != 501 && e.status() != 400) {
                throw e;
            }
            problem = "PUT with If-None-Match: * answered " + e.status();
        } finally {
            s.delete(probe);
        }
        if (problem != null) {
            warn.accept("shared tier " + location() + " ignores If-None-Match (" + problem + "): machines still "
                    + "share what is stored, but several may download the same file from the origin at once");
            return false;
        }
        return true;
    }

    /**
     * A create-if-absent whose outcome, if the store's answer leaves it open (a 500, a 412 after a retry), is read
     * back: created if the object holds {@code body}, which is unique (a lease carries its owner's token).
     */
    private static ObjectStore.Created settled(ObjectStore s, String key, byte[] body) throws IOException {
        ObjectStore.Created created = s.createIfAbsent(key, body);
        if (created != ObjectStore.Created.UNKNOWN) {
            return created;
        }
        return s.read(key).map(r -> Arrays.equals(r.body(), body)).orElse(false)
                ? ObjectStore.Created.CREATED : ObjectStore.Created.EXISTS;
    }

    /** How a claim ended: this process holds the lease, or someone else does. */
    public sealed interface Claim permits Won, Busy {
    }

    public record Won(Lease lease) implements Claim {
    }

    /** @param holder who holds it, or null if that could not be read; {@code progress} from its heartbeat */
    public record Busy(LeaseHolder holder, Lease.Progress progress) implements Claim {
    }

    /**
     * Tries to become the one machine that downloads {@code url}: creates the next generation's lease with
     * create-if-absent, after the current generation's holder stopped writing for {@link #STALE_AFTER} by the
     * store's clock (never this machine's).
     */
    public Claim claim(URI url) throws IOException {
        ObjectStore s = store();
        String prefix = leasePrefix(url);
        for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
            Generations generations = Generations.of(s.list(prefix), prefix);
            int next = 0;
            if (generations.top() >= 0) {
                if (!generations.stale(STALE_AFTER)) {
                    Optional<Busy> busy = busy(s, prefix, generations.top());
                    if (busy.isPresent()) {
                        return busy.get();
                    }
                    continue; // it ended while we looked
                }
                next = generations.top() + 1;
            }
            LeaseHolder me = new LeaseHolder(UUID.randomUUID().toString(), url.toString(), host,
                    ProcessHandle.current().pid(), clock.instant());
            String key = prefix + next;
            if (settled(s, key, me.toJson()) == ObjectStore.Created.CREATED) {
                return new Won(new Lease(this, s, prefix, next, me));
            }
        }
        return new Busy(null, Lease.Progress.UNKNOWN);
    }

    private static Optional<Busy> busy(ObjectStore s, String prefix, int generation) throws IOException {
        Optional<ObjectStore.Read> lease = s.read(prefix + generation);
        if (lease.isEmpty()) {
            return Optional.empty();
        }
        LeaseHolder holder;
        try {
            holder = LeaseHolder.parse(lease.get().body());
        } catch (IllegalArgumentException e) {
            holder = null;
        }
        Lease.Progress progress = s.read(prefix + generation + ".hb").map(r -> LeaseHolder.progress(r.body()))
                .orElse(Lease.Progress.UNKNOWN);
        return Optional.of(new Busy(holder, progress));
    }

    /** The lease generations under one URL's prefix, from one listing. */
    record Generations(int top, Instant newestWrite, Instant storeNow) {
        static Generations of(List<ObjectStore.Stat> objects, String prefix) {
            int top = -1;
            for (ObjectStore.Stat o : objects) {
                String name = o.key().substring(prefix.length());
                if (name.matches("[0-9]{1,9}")) {
                    top = Math.max(top, Integer.parseInt(name));
                }
            }
            Instant newest = null;
            Instant now = null;
            for (ObjectStore.Stat o : objects) {
                String name = o.key().substring(prefix.length());
                if (top >= 0 && (name.equals(String.valueOf(top)) || name.equals(top + ".hb"))) {
                    newest = newest == null || o.lastModified().isAfter(newest) ? o.lastModified() : newest;
                    now = o.storeNow();
                }
            }
            return new Generations(top, newest, now);
        }

        boolean stale(Duration after) {
            return newestWrite != null && storeNow != null
                    && Duration.between(newestWrite, storeNow).compareTo(after) > 0;
        }
    }
}
