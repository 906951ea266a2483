package dev.hoard.internal.lock;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One waiter's clock: reports its wait to the observer and enforces its timeout, at each poll. */
final class Waiting {
    private static final long REPORT_EVERY_MILLIS = 500;

    private final long start = System.nanoTime();
    private final Duration timeout;
    private final EntryLocks.WaitObserver observer;
    private long lastReport = start - TimeUnit.MILLISECONDS.toNanos(REPORT_EVERY_MILLIS);

    Waiting(Duration timeout, EntryLocks.WaitObserver observer) {
        this.timeout = timeout;
        this.observer = Objects.requireNonNull(observer);
    }

    /** Called at each poll that found the lock held. */
    void tick() throws TimeoutException, InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long now = System.nanoTime();
        Duration waited = Duration.ofNanos(now - start);
        if (timeout != null && waited.compareTo(timeout) >= 0) {
            throw new TimeoutException();
        }
        if (now - lastReport >= TimeUnit.MILLISECONDS.toNanos(REPORT_EVERY_MILLIS)) {
            lastReport = now;
            observer.stillWaiting(waited);
        }
    }
}
