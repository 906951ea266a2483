package dev.hoard.internal.fetch;

import dev.hoard.internal.store.PartialRecord.Segment;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a download is split over several connections, into which segments, and how the connections ramp up. The
 * thresholds live here and nowhere else.
 *
 * <p><b>Automatic</b> ({@code connections} 0): only files of at least {@link #AUTO_THRESHOLD} bytes are split. The
 * first whole-file response streams on through consecutive segments while nobody else has taken them, and workers
 * double (up to {@link #AUTO_CONNECTIONS}) while the hasher spends at least {@code rampIdlePercent}% of two windows
 * of {@link #RAMP_WINDOW_NANOS} in a row waiting for bytes: then the network, not the CPU, sets the pace. When the
 * hasher never waits, the connections in use already deliver faster than SHA-256 can follow, and more would only
 * take CPU from the hash (docs/benchmarks.md).
 *
 * <p><b>Explicit</b> ({@code connections} N &gt; 1): every file of at least N × {@link #MIN_SEGMENT_BYTES} is split
 * and all N workers start at once. The first request already asks for a range, the first
 * {@link #FIRST_RANGE_BYTES}, so that no unranged response has to be cut off when the other workers start (cutting one
 * wastes what is in flight: 5-9 % of the file was measured).
 *
 * @param connections     as asked: 0 for automatic, else 1 to 16
 * @param rampIdlePercent the share of a window the hasher must wait for a worker to be added (tests pin 0 or 101)
 */
record SegmentationPolicy(int connections, int rampIdlePercent) {
    /** The most connections used in automatic mode. */
    static final int AUTO_CONNECTIONS = 4;
    /** In automatic mode, files below this size use one connection: the setup costs more than it saves. */
    static final long AUTO_THRESHOLD = 32L << 20;
    /** With an explicit connection count, each segment is at least this large. */
    static final long MIN_SEGMENT_BYTES = 1L << 20;
    /** The range that an explicit connection count asks for first: the smallest segment. */
    static final long FIRST_RANGE_BYTES = MIN_SEGMENT_BYTES;
    static final long RAMP_WINDOW_NANOS = 200_000_000L;
    private static final int RAMP_IDLE_PERCENT = 50;
    private static final long BYTES_PER_SEGMENT = 4L << 20;
    private static final int SEGMENTS_PER_CONNECTION = 8;

    static SegmentationPolicy of(int connections) {
        return new SegmentationPolicy(connections, RAMP_IDLE_PERCENT);
    }

    boolean adaptive() {
        return connections == 0;
    }

    /** The most connections one download uses. */
    int maxConnections() {
        return adaptive() ? AUTO_CONNECTIONS : connections;
    }

    /** Whether the first request asks for {@code [0, FIRST_RANGE_BYTES)} rather than the whole file. */
    boolean startsRanged() {
        return connections > 1;
    }

    /**
     * Whether a file of {@code length} bytes is split: large enough, from a server that takes ranges, with a way to
     * check the ranges (an {@code If-Range} validator, or an expected digest that checks the joined file).
     */
    boolean splits(long length, boolean acceptsRanges, boolean verifiable) {
        long minimum = adaptive() ? AUTO_THRESHOLD : maxConnections() * MIN_SEGMENT_BYTES;
        return maxConnections() > 1 && length >= minimum && acceptsRanges && verifiable;
    }

    /**
     * Cuts {@code [from, length)} into segments: about one per 4 MiB, but at least one per connection and at most
     * eight. More segments than connections keep the completed prefix (all the hasher can read) advancing at the
     * speed of all connections together, since workers take the lowest segment left, rather than at the speed of the
     * one that fetches the first quarter of the file. With {@code from} > 0, {@code [0, from)} is the first
     * segment, already asked for, and the rest is cut into one fewer.
     */
    List<Segment> split(long from, long length) {
        int n = maxConnections();
        long rest = length - from;
        int first = from > 0 ? 1 : 0;
        int count = (int) Math.max(n - first,
                Math.min((long) n * SEGMENTS_PER_CONNECTION - first, rest / BYTES_PER_SEGMENT));
        List<Segment> segments = new ArrayList<>();
        if (from > 0) {
            segments.add(new Segment(0, from, 0));
        }
        for (int i = 0; i < count; i++) {
            segments.add(new Segment(from + rest * i / count, from + rest * (i + 1) / count, 0));
        }
        return segments;
    }

    /** Whether the hasher waited long enough in a window of {@code window} nanoseconds for a worker to be added. */
    boolean starved(long waited, long window) {
        return waited * 100 >= window * rampIdlePercent;
    }
}
