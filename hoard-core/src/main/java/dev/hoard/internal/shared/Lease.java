package dev.hoard.internal.shared;

import dev.hoard.Digest;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A lease this process holds on one URL in the shared tier: while it is held, other machines wait for the record
 * instead of downloading from the origin, following its chunks as they are stored. {@link #beat} starts the
 * heartbeat ({@code <generation>.hb}, rewritten every {@link SharedTier#HEARTBEAT} with the bytes so far and the
 * chunks stored), which is what keeps the lease from going stale;
 * {@link #close} stops it and deletes this and every older generation, so a waiter's next look finds the record
 * (written before) or no lease at all (a failed download: the next claimant starts at once).
 */
public final class Lease implements AutoCloseable {
    private final SharedTier tier;
    private final ObjectStore store;
    private final String prefix;
    private final int generation;
    private final LeaseHolder holder;
    private Thread heartbeat;

    Lease(SharedTier tier, ObjectStore store, String prefix, int generation, LeaseHolder holder) {
        this.tier = tier;
        this.store = store;
        this.prefix = prefix;
        this.generation = generation;
        this.holder = holder;
    }

    public int generation() {
        return generation;
    }

    /**
     * Rewrites the heartbeat every second from a daemon thread until {@link #close}. A write that fails twice gives
     * the tier up for this process (said once through {@code warn}); the download it covers goes on.
     */
    public synchronized void beat(Supplier<Progress> progress, Consumer<String> warn) {
        if (heartbeat != null) {
            return;
        }
        heartbeat = Thread.ofPlatform().daemon().name("hoard-tier-heartbeat-" + generation).start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted() && tier.available()) {
                    byte[] beat = LeaseHolder.heartbeat(holder.token(), progress.get());
                    SharedTier.twice(() -> store.put(prefix + generation + ".hb", beat));
                    Thread.sleep(SharedTier.HEARTBEAT);
                }
            } catch (InterruptedException e) {
                // closed
            } catch (IOException e) {
                tier.failed(e, warn);
            }
        });
    }

    /**
     * How far the download a lease covers is, as one reading: bytes so far and the total, each -1 if unknown; the
     * chunk set the holder uploads to (null if none) with how many of its chunks, from the first, are stored, and
     * the SHA-256 of those chunks' bytes as the holder hashed them; and where the holder's bytes come from. The last
     * two let a machine that takes over from a dead holder keep the chunks it read and ask the origin for the rest.
     *
     * @param storedSha256 the SHA-256 of the first {@code stored} chunks, or null
     * @param origin       the source and validators of the holder's download, or null
     */
    public record Progress(long bytes, long total, Chunks chunks, int stored, Digest storedSha256, Origin origin) {
        public static final Progress UNKNOWN = new Progress(-1, -1);

        /** A download's progress alone, with no upload. */
        public Progress(long bytes, long total) {
            this(bytes, total, null, 0, null, null);
        }

        public Progress withOrigin(Origin o) {
            return new Progress(bytes, total, chunks, stored, storedSha256, o);
        }
    }

    /** The URL a holder downloads from and the validators it got, as a resumed request needs them. */
    public record Origin(String source, String etag, String lastModified) {
    }

    /**
     * Ends the lease: no more heartbeats, and its objects deleted, with those of the older generations that dead
     * holders left and the chunks their heartbeats name (uploads nothing will finish).
     */
    @Override
    public void close() {
        Thread beating;
        synchronized (this) {
            beating = heartbeat;
        }
        if (beating != null) {
            beating.interrupt();
            try {
                beating.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!tier.available()) {
            return; // it goes stale by itself, and is taken over then
        }
        try {
            for (int g = generation; g >= 0; g--) {
                if (g < generation) {
                    Optional<ObjectStore.Read> beat = store.read(prefix + g + ".hb");
                    Chunks dead = beat.map(r -> LeaseHolder.progress(r.body()).chunks()).orElse(null);
                    if (dead != null) {
                        tier.discard(dead);
                    }
                }
                store.delete(prefix + g + ".hb");
                store.delete(prefix + g);
            }
        } catch (IOException e) {
            // left behind: it goes stale, and the next claimant takes over after SharedTier.STALE_AFTER
        }
    }
}
