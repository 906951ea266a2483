package dev.hoard.internal.fetch;

import dev.hoard.DownloadException;
import dev.hoard.FetchListener;
import java.net.URI;
import java.time.Duration;

/**
 * The failures one source may cost a download before it is given up, shared by every attempt on it: the
 * whole-file loop and every segment worker alike. An attempt counts only if the download made no progress since the
 * last one (its furthest point is passed in), so a long download over a flaky link is not given up while it
 * advances, and progress that a restart threw away does not count twice.
 *
 * <p>Waiting out a delay is interruptible, and a {@link Stop} ends every wait on it at once: a segmented download
 * that failed for good on one connection does not wait for another still sleeping through a long
 * {@code Retry-After}.
 *
 * <p>Thread-safe: all state is guarded by {@code this}.
 */
final class RetryBudget {
    private final Backoff backoff;
    private final FetchListener listener;
    private final URI url;
    private int failures;
    private long furthest;

    RetryBudget(Backoff backoff, FetchListener listener, URI url) {
        this.backoff = backoff;
        this.listener = listener;
        this.url = url;
    }

    /**
     * Counts a failed attempt and waits before the next one (the backoff, or the server's Retry-After).
     *
     * @param progress how far the download has got, in bytes: more than at the last failure resets the count
     * @param stop     ends the wait early
     * @return true to try again; false if {@code stop} was stopped
     * @throws DownloadException    when the budget is spent
     * @throws InterruptedException while waiting
     */
    boolean retry(Reply.Retry why, long progress, Stop stop) throws DownloadException, InterruptedException {
        if (stop.stopped()) {
            return false;
        }
        int count;
        synchronized (this) {
            count = count(why, progress);
        }
        Duration delay = backoff.delay(count, why.after());
        listener.retrying(url, count, delay, why.reason());
        return stop.await(delay);
    }

    /** Counts a failed attempt that is retried at once (the file starts over). */
    synchronized void spend(Reply.Retry why, long progress) throws DownloadException {
        count(why, progress);
    }

    private int count(Reply.Retry why, long progress) throws DownloadException {
        failures = progress > furthest ? 1 : failures + 1;
        furthest = Math.max(furthest, progress);
        if (failures > backoff.maxRetries()) {
            throw why.failure(url, backoff.maxRetries());
        }
        return failures;
    }

    /** Ends the retry waits of one group of attempts (a segmented download's workers) at once. */
    static final class Stop {
        private boolean stopped; // guarded by this

        /** Ends every wait in progress and makes later ones return at once. */
        synchronized void stop() {
            stopped = true;
            notifyAll();
        }

        synchronized boolean stopped() {
            return stopped;
        }

        /** Waits {@code delay}; returns false at once if stopped meanwhile. */
        synchronized boolean await(Duration delay) throws InterruptedException {
            long deadline = System.nanoTime() + delay.toNanos();
            for (long left = delay.toNanos(); left > 0 && !stopped; left = deadline - System.nanoTime()) {
                wait(Math.max(1, left / 1_000_000));
            }
            return !stopped;
        }
    }
}
