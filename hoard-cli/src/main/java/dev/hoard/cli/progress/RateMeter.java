package dev.hoard.cli.progress;

import java.util.ArrayDeque;

/**
 * Bytes per second over the last few seconds, so the rate and the ETA follow the network as it is now rather than
 * the average since the start. Not thread-safe: its owner's lock guards it.
 */
final class RateMeter {
    private static final long WINDOW_NANOS = 5_000_000_000L;
    private static final long SAMPLE_NANOS = 250_000_000L;

    private record Sample(long nanos, long bytes) {
    }

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    /** Records that {@code bytes} had arrived by {@code nanos} (System.nanoTime). */
    void record(long nanos, long bytes) {
        Sample last = samples.peekLast();
        if (last != null && nanos - last.nanos() < SAMPLE_NANOS) {
            return;
        }
        samples.addLast(new Sample(nanos, bytes));
        while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > WINDOW_NANOS) {
            samples.removeFirst();
        }
    }

    /** Bytes per second between the oldest sample in the window and {@code (nanos, bytes)}; 0 until measurable. */
    double rate(long nanos, long bytes) {
        Sample first = samples.peekFirst();
        if (first == null || nanos - first.nanos() < SAMPLE_NANOS) {
            return 0;
        }
        return (bytes - first.bytes()) * 1e9 / (nanos - first.nanos());
    }
}
