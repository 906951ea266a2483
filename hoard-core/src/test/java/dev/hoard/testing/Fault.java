package dev.hoard.testing;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * Something {@link TestHttpServer} does instead of (or on top of) answering a request properly.
 *
 * <p>Faults exist because a download cache is mostly judged by what it does when the network misbehaves: a body cut
 * short, a server that stops mid-body, a lying Content-Length, a 503 with Retry-After, a redirect loop. Each fault is
 * used for exactly one request (see {@link TestHttpServer#enqueue}) unless installed as a standing fault with
 * {@link TestHttpServer#always}.
 *
 * <p>Byte counts refer to body bytes handed to the socket, so a fault that cuts after {@code n} bytes gives the
 * client exactly {@code n} body bytes (for {@link #dropAfter} and {@link #stallAfter}) before the cut.
 */
public sealed interface Fault {

    /**
     * Sends the response head with the honest Content-Length, then {@code bytes} body bytes, then half-closes the
     * connection (FIN) and closes it. The client sees end-of-stream before Content-Length is satisfied. The bytes
     * before the cut are delivered reliably, which a reset cannot promise.
     */
    static Fault dropAfter(long bytes) {
        return new DropAfter(bytes);
    }

    /**
     * Like {@link #dropAfter} but ends with a TCP reset (SO_LINGER 0) instead of a FIN, so the client gets
     * "Connection reset". A reset discards data still queued in the server's send buffer, so the client receives at
     * most {@code bytes} body bytes, exactly that many only if it kept up.
     */
    static Fault resetAfter(long bytes) {
        return new ResetAfter(bytes);
    }

    /**
     * Sends the head and {@code bytes} body bytes, then sends nothing more while keeping the connection open, until
     * the client gives up, the server closes, or {@link TestHttpServer#STALL_LIMIT} passes. The request is recorded
     * when the stall begins so tests can wait for it with {@link TestHttpServer#takeRequest}.
     */
    static Fault stallAfter(long bytes) {
        return new StallAfter(bytes);
    }

    /**
     * Answers with {@code code} and an empty body, plus the given headers as alternating names and values, e.g.
     * {@code status(503, "Retry-After", "1")}.
     */
    static Fault status(int code, String... headerNamesAndValues) {
        if (headerNamesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("headers must be name, value pairs");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < headerNamesAndValues.length; i += 2) {
            headers.put(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
        }
        return new Status(code, headers);
    }

    /** Answers a Range request with the full 200 response, as servers without range support do. */
    static Fault ignoreRange() {
        return new IgnoreRange();
    }

    /**
     * Declares Content-Length {@code declared} but sends the real body, then closes the connection. Declaring more
     * than the body gives the client a premature end of stream; declaring less leaves surplus bytes on the wire.
     */
    static Fault wrongLength(long declared) {
        return new WrongLength(declared);
    }

    /** Answers with a {@code code} (3xx) redirect to {@code location}, which may be relative. */
    static Fault redirect(String location, int code) {
        return new Redirect(location, code);
    }

    /** Closes the connection after reading the request, without sending a single byte of response. */
    static Fault disconnect() {
        return new Disconnect();
    }

    /** Waits {@code delay} before sending the response head (cut short if the server closes), then answers normally. */
    static Fault delay(Duration delay) {
        return new Delay(delay);
    }

    /**
     * Sends the head and {@code bytes} body bytes, counts {@code arrivals} down, and holds the rest of the body until
     * it reaches zero (or the server closes, or {@link TestHttpServer#STALL_LIMIT} passes), then sends it. Queue one
     * such fault, sharing one latch of N, for each of N requests: no body ends before all N requests have begun, so N
     * clients really download at the same time. The latch tells the test afterwards whether they all came.
     */
    static Fault holdUntilAllArrive(CountDownLatch arrivals, long bytes) {
        return new HoldUntilAllArrive(arrivals, bytes);
    }

    /** See {@link #dropAfter}. */
    record DropAfter(long bytes) implements Fault {
        public DropAfter {
            requireNonNegative(bytes);
        }
    }

    /** See {@link #resetAfter}. */
    record ResetAfter(long bytes) implements Fault {
        public ResetAfter {
            requireNonNegative(bytes);
        }
    }

    /** See {@link #stallAfter}. */
    record StallAfter(long bytes) implements Fault {
        public StallAfter {
            requireNonNegative(bytes);
        }
    }

    /** See {@link #status}. */
    record Status(int code, Map<String, String> headers) implements Fault {
        public Status {
            if (code < 100 || code > 999) {
                throw new IllegalArgumentException("status code: " + code);
            }
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }
    }

    /** See {@link #ignoreRange}. */
    record IgnoreRange() implements Fault {
    }

    /** See {@link #wrongLength}. */
    record WrongLength(long declared) implements Fault {
        public WrongLength {
            requireNonNegative(declared);
        }
    }

    /** See {@link #redirect}. */
    record Redirect(String location, int code) implements Fault {
        public Redirect {
            Objects.requireNonNull(location, "location");
            if (code < 300 || code > 399) {
                throw new IllegalArgumentException("not a redirect status: " + code);
            }
        }
    }

    /** See {@link #disconnect}. */
    record Disconnect() implements Fault {
    }

    /** See {@link #holdUntilAllArrive}. */
    record HoldUntilAllArrive(CountDownLatch arrivals, long bytes) implements Fault {
        public HoldUntilAllArrive {
            Objects.requireNonNull(arrivals, "arrivals");
            requireNonNegative(bytes);
        }
    }

    /** See {@link #delay}. */
    record Delay(Duration delay) implements Fault {
        public Delay {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("negative delay: " + delay);
            }
        }
    }

    private static void requireNonNegative(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative byte count: " + bytes);
        }
    }
}
