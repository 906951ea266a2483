package dev.hoard.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Waiting in tests, always bounded and always saying what was awaited when it fails.
 *
 * <p>In-JVM events are awaited with a latch ({@link #await}): the waiting thread wakes the moment it opens. States
 * that another process or the file system reaches (a forked hoard's partial file, a line in its stderr) cannot
 * signal a latch, so {@link #until} looks every {@value #INTERVAL_MILLIS} ms.
 */
public final class Poll {
    private static final long INTERVAL_MILLIS = 10;

    private Poll() {
    }

    /** Something to look at; it may fail, which fails the wait. */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

    /** A condition to wait for; it may fail, which fails the wait. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Waits until {@code condition} holds, failing after {@code timeout} with "timed out after 30 s waiting until
     * {@code what}".
     */
    public static void until(Duration timeout, String what, Condition condition) {
        until(timeout, what, condition::holds, Boolean::booleanValue);
    }

    /**
     * Looks at {@code probe} until what it shows passes {@code done}, and returns that; on timeout the failure shows
     * the last thing it showed.
     */
    public static <T> T until(Duration timeout, String what, Probe<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T seen = look(probe, what);
            if (done.test(seen)) {
                return seen;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + seconds(timeout) + " waiting until " + what
                        + (seen instanceof Boolean ? "" : "; last seen: " + seen));
            }
            sleep(what);
        }
    }

    /** Waits for {@code latch} to open, failing after {@code timeout} with "timed out ... waiting until what". */
    public static void await(CountDownLatch latch, Duration timeout, String what) {
        try {
            if (!latch.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("timed out after " + seconds(timeout) + " waiting until " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting until " + what, e);
        }
    }

    private static <T> T look(Probe<T> probe, String what) {
        try {
            return probe.get();
        } catch (Exception e) {
            throw new AssertionError("could not check whether " + what + ": " + e, e);
        }
    }

    private static void sleep(String what) {
        try {
            Thread.sleep(INTERVAL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting until " + what, e);
        }
    }

    private static String seconds(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }
}
