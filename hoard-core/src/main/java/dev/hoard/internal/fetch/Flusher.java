package dev.hoard.internal.fetch;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Forces a file that is being written to disk in the background, every {@link #EVERY} bytes, so that the fsync at
 * the end of a download finds little left to write and the disk works while the network and the hash do.
 *
 * <p>Without it the kernel holds a downloaded file's pages dirty until that final fsync (a 512 MiB file stays well
 * under the dirty limits of a machine with a few GiB), which then writes all of it at once: 0.3-0.4 s on the
 * benchmark machine, after the last byte, on the critical path. Here the writes overlap the download; the thread
 * sleeps otherwise.
 *
 * <p>{@link #durable()} says how many of the bytes reported by {@link #written} are known to be on disk: the count
 * at the start of the last force that succeeded. A failed force stops the flushing; the caller's own final fsync
 * then reports the error.
 */
final class Flusher implements AutoCloseable {
    static final long EVERY = 64L << 20;

    private final FileChannel channel;
    private final long every;
    private final Thread thread;
    private long written; // all guarded by this
    private long forcing;
    private long durable;
    private boolean closed;

    /** Starts flushing {@code channel}, of which the first {@code already} bytes were written before (not forced). */
    Flusher(FileChannel channel, long already) {
        this(channel, already, EVERY);
    }

    /** With another interval than {@link #EVERY}, for tests. */
    Flusher(FileChannel channel, long already, long every) {
        this.channel = channel;
        this.every = every;
        this.written = already;
        this.thread = Thread.ofPlatform().name("hoard-flush").daemon().start(this::run);
    }

    /** Says that {@code total} bytes of the file have been written (the count only grows). */
    synchronized void written(long total) {
        if (total > written) {
            written = total;
            if (written - forcing >= every) {
                notifyAll();
            }
        }
    }

    /** How many of the bytes written are known to be on disk. */
    synchronized long durable() {
        return durable;
    }

    private void run() {
        while (true) {
            long target;
            synchronized (this) {
                while (!closed && written - forcing < every) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (written - forcing < every) {
                    return; // closed, and no force is due
                }
                // A force that came due is made even if close() came first: it was woken for it, and the caller's
                // checkpoint after close() counts on it (a failed attempt keeps what it fsynced).
                target = written;
                forcing = target;
            }
            try {
                channel.force(false);
            } catch (IOException e) {
                return; // the caller's final force reports it; no point in trying again meanwhile
            }
            synchronized (this) {
                durable = Math.max(durable, target);
            }
        }
    }

    /**
     * Stops the thread, waiting for a force in progress or due (so {@link #durable()} then says what it achieved);
     * the caller still forces the file at the end. Closing again does nothing.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        Transfer.joinUninterruptibly(thread); // a force is bounded; the channel must not close under it
    }
}
