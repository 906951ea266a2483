package dev.hoard.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process HTTP/1.1 origin on 127.0.0.1 for tests: static content with validators, conditional and range
 * requests, keep-alive, throttling, scripted {@link Fault faults}, and a record of every exchange.
 *
 * <p>It is a small server on a raw {@link ServerSocket} rather than {@code com.sun.net.httpserver.HttpServer}
 * because the faults it exists for are framing faults, and the JDK server owns the framing: it always derives
 * Content-Length from {@code sendResponseHeaders} ("too many bytes to write to stream" when a handler sends more),
 * cuts a short body only by failing the exchange ("insufficient bytes written to stream"), and never exposes the
 * socket, so it can neither reset a connection nor half-close it at a chosen byte. Writing the bytes ourselves
 * makes "exactly N body bytes, then FIN" precise.
 * GET and HEAD with keep-alive is little enough HTTP to do by hand.
 *
 * <p>Every connection gets its own thread from a cached pool, so any number of slow or stalled downloads run
 * concurrently. All state is thread-safe, and counters are exact under concurrency: each exchange is recorded in one
 * step, just before the last write of its response (corrected if that write fails), so a client that has read a
 * whole response can assert on the records at once, without waiting. A response cut by a fault is recorded after
 * its bytes and before the cut. {@link #close()} closes every socket, so it returns promptly even with stalled
 * connections.
 */
public final class TestHttpServer implements AutoCloseable {

    /** How long {@link Fault#stallAfter} holds a connection at most, so a forgotten client cannot pin a thread. */
    public static final Duration STALL_LIMIT = Duration.ofSeconds(60);

    /** Idle keep-alive connections are closed after this long, like any real server does. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 200;
    private static final int MAX_REQUESTS_PER_CONNECTION = 100_000;
    private static final int UNTHROTTLED_CHUNK = 64 * 1024;
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private final ServerSocket serverSocket;
    private final ExecutorService executor;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionCount = new AtomicInteger();
    private final Map<String, Resource> resources = new ConcurrentHashMap<>();
    private final Map<String, Queue<Fault>> faults = new ConcurrentHashMap<>();
    private final Map<String, Fault> standingFaults = new ConcurrentHashMap<>();
    private final Recorder recorder = new Recorder();
    private volatile long bytesPerSecond;

    private TestHttpServer(ServerSocket serverSocket) {
        this.serverSocket = serverSocket;
        this.executor = Executors.newCachedThreadPool(daemonThreads());
    }

    /** Starts a server on an ephemeral port of 127.0.0.1; it accepts connections when this returns. */
    public static TestHttpServer start() {
        try {
            ServerSocket socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
            TestHttpServer server = new TestHttpServer(socket);
            server.executor.execute(server::acceptLoop);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start test HTTP server", e);
        }
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** Returns {@code http://127.0.0.1:PORT/path}; a missing leading slash is added. */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + port() + normalize(path));
    }

    /** Serves {@code body} at {@code path} as application/octet-stream, modified now, with a content-derived ETag. */
    public void put(String path, byte[] body) {
        put(path, body, Instant.now(), "application/octet-stream");
    }

    /** Serves {@code body} at {@code path} with a strong ETag derived from the content, see {@link #etag(byte[])}. */
    public void put(String path, byte[] body, Instant lastModified, String contentType) {
        put(path, body, lastModified, contentType, etag(body));
    }

    /**
     * Serves {@code body} at {@code path}. {@code lastModified} is truncated to seconds, the resolution of HTTP dates.
     * {@code etag} is sent verbatim (quotes included, {@code W/} for weak), or not at all when null.
     */
    public void put(String path, byte[] body, Instant lastModified, String contentType, String etag) {
        Resource resource = new Resource(body.clone(), lastModified.truncatedTo(ChronoUnit.SECONDS),
                Objects.requireNonNull(contentType, "contentType"), etag, null);
        resources.put(normalize(path), resource);
    }

    /**
     * Serves {@code encodedBody} at {@code path} with {@code Content-Encoding: coding}, whatever the request's
     * Accept-Encoding, as a server that compresses anyway does (nginx's {@code gzip_static always}): Content-Length,
     * ranges and the ETag all describe the encoded bytes.
     */
    public void putEncoded(String path, byte[] encodedBody, String coding) {
        resources.put(normalize(path), new Resource(encodedBody.clone(), Instant.now().truncatedTo(ChronoUnit.SECONDS),
                "application/octet-stream", etag(encodedBody), Objects.requireNonNull(coding, "coding")));
    }

    /** Stops serving {@code path}; requests get 404 afterwards. */
    public void remove(String path) {
        resources.remove(normalize(path));
    }

    /**
     * Limits every response body to {@code bytesPerSecond}, per connection, paced in small chunks so that progress is
     * smooth rather than bursty. Applies to responses in flight too. 0 removes the limit.
     */
    public void throttle(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("negative rate: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Queues {@code fault} for the next request to {@code path} that has not already consumed a queued fault. */
    public void enqueue(String path, Fault fault) {
        faults.computeIfAbsent(normalize(path), p -> new ConcurrentLinkedQueue<>()).add(Objects.requireNonNull(fault));
    }

    /** Applies {@code fault} to every request to {@code path} whose fault queue is empty, until {@link #clearFaults}. */
    public void always(String path, Fault fault) {
        standingFaults.put(normalize(path), Objects.requireNonNull(fault));
    }

    /** Makes {@code pathA} redirect (302) to {@code pathB} and back, forever, until {@link #clearFaults}. */
    public void redirectLoop(String pathA, String pathB) {
        always(pathA, Fault.redirect(normalize(pathB), 302));
        always(pathB, Fault.redirect(normalize(pathA), 302));
    }

    /** Forgets all queued and standing faults. */
    public void clearFaults() {
        faults.clear();
        standingFaults.clear();
    }

    /** Returns every recorded exchange, oldest first. */
    public List<RecordedRequest> requests() {
        return recorder.requests();
    }

    /** Returns how many requests to {@code path} were recorded. */
    public int requestCount(String path) {
        return (int) recorder.requests().stream().filter(r -> r.path().equals(normalize(path))).count();
    }

    /**
     * Returns how many GET requests to {@code path} got the whole file (a 200, or a 206 whose range is all of it)
     * sent with an honest Content-Length: the number of full downloads, which is what a cache is meant to save.
     */
    public int fullBodyCount(String path) {
        return recorder.fullBodyCount(normalize(path));
    }

    /** Returns the body bytes sent for {@code path} over all recorded exchanges. */
    public long bodyBytesSent(String path) {
        return recorder.requests().stream()
                .filter(r -> r.path().equals(normalize(path)))
                .mapToLong(RecordedRequest::bodyBytesSent)
                .sum();
    }

    /** Returns how many TCP connections were accepted, so tests can tell whether keep-alive reused them. */
    public int connectionCount() {
        return connectionCount.get();
    }

    /**
     * Returns the oldest exchange not yet taken, waiting up to {@code timeout} for one to be recorded, or null. Like
     * OkHttp's MockWebServer, this lets a test wait for a request without sleeping.
     */
    public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
        return recorder.take(timeout);
    }

    /** Forgets every recorded exchange and the connection count. */
    public void resetRecords() {
        recorder.reset();
        connectionCount.set(0);
    }

    /** Returns the ETag {@link #put(String, byte[])} gives {@code body}: the first 16 hex digits of its SHA-256. */
    public static String etag(byte[] body) {
        return "\"" + Hashes.sha256Hex(body).substring(0, 16) + "\"";
    }

    /** Formats {@code instant} as an IMF-fixdate, the HTTP-date form servers send, e.g. in Last-Modified. */
    public static String httpDate(Instant instant) {
        return HTTP_DATE.format(instant);
    }

    /** Stops accepting, closes every connection (stalled ones too) and waits briefly for the threads to finish. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed.countDown();
        closeQuietly(serverSocket);
        sockets.forEach(TestHttpServer::closeQuietly);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "TestHttpServer[" + url("/") + "]";
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                return; // closed
            }
            sockets.add(socket);
            connectionCount.incrementAndGet();
            if (closing.get()) {
                closeQuietly(socket); // close() may have missed it
                return;
            }
            try {
                executor.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) {
                closeQuietly(socket);
                return;
            }
        }
    }

    /** Serves requests on one connection until either side closes it. */
    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            boolean open = true;
            for (int i = 0; open && i < MAX_REQUESTS_PER_CONNECTION && !closing.get(); i++) {
                socket.setSoTimeout((int) IDLE_TIMEOUT.toMillis());
                Request request = Request.read(in);
                if (request == null) {
                    return; // the client closed an idle connection
                }
                open = exchange(socket, in, out, request);
            }
        } catch (BadRequest e) {
            sendBadRequest(socket);
        } catch (IOException e) {
            // The client went away or the server is closing; the exchange, if any, is already recorded.
        } finally {
            sockets.remove(socket);
        }
    }

    /**
     * Answers one request; returns whether the connection stays open for another. The exchange is recorded just before
     * the last write of the response, so a client that has seen the whole response also finds it recorded; should
     * that write fail, the record is corrected to the bytes actually sent.
     */
    private boolean exchange(Socket socket, InputStream in, OutputStream out, Request request) throws IOException {
        Fault fault = nextFault(request.path());
        if (fault instanceof Fault.Disconnect) {
            recorder.record(request, 0, 0, false);
            return false;
        }
        if (fault instanceof Fault.Delay delay && !pause(delay.delay().toNanos())) {
            return false;
        }
        Response response = respond(request, fault);
        int available = request.isHead() ? 0 : response.length();
        int toSend = (int) Math.min(available, cutAfter(fault));
        long declared = fault instanceof Fault.WrongLength wrong ? wrong.declared() : response.length();
        boolean fullBody = request.method().equals("GET") && response.isWholeFile() && toSend == response.length()
                && !(fault instanceof Fault.WrongLength);
        // A cut is what the client sees last, so a cut response is recorded after its bytes and before the cut.
        boolean cut = cutAfter(fault) != Long.MAX_VALUE;
        Recording recording = new Recording(request, response.status(), toSend, fullBody);
        BodyWriter body = new BodyWriter(cut ? null : recording);
        try {
            if (toSend == 0 && !cut) {
                recording.record();
            }
            writeHead(out, response, declared, request.keepAlive());
            if (fault instanceof Fault.HoldUntilAllArrive hold) {
                body.writeUnrecorded(out, response.body(), response.offset(), (int) Math.min(hold.bytes(), toSend));
                awaitAll(hold.arrivals());
            }
            body.write(out, response.body(), response.offset(), toSend);
        } catch (IOException e) {
            recording.cutAt(body.sent);
            throw e;
        }
        recording.record();
        return afterBody(socket, in, fault) && request.keepAlive();
    }

    /** Carries out whatever a fault does once its bytes are sent; returns whether the connection may stay open. */
    private boolean afterBody(Socket socket, InputStream in, Fault fault) throws IOException {
        switch (fault) {
            case Fault.DropAfter drop -> socket.shutdownOutput();
            case Fault.ResetAfter reset -> socket.setSoLinger(true, 0);
            case Fault.StallAfter stall -> holdOpen(socket, in);
            case Fault.WrongLength wrong -> socket.shutdownOutput();
            case null, default -> {
                return true;
            }
        }
        return false;
    }

    private Fault nextFault(String path) {
        Queue<Fault> queue = faults.get(path);
        Fault fault = queue == null ? null : queue.poll();
        return fault != null ? fault : standingFaults.get(path);
    }

    private static long cutAfter(Fault fault) {
        return switch (fault) {
            case Fault.DropAfter drop -> drop.bytes();
            case Fault.ResetAfter reset -> reset.bytes();
            case Fault.StallAfter stall -> stall.bytes();
            case null, default -> Long.MAX_VALUE;
        };
    }

    private Response respond(Request request, Fault fault) {
        return switch (fault) {
            case Fault.Status status -> Response.empty(status.code(), status.headers());
            case Fault.Redirect redirect -> Response.empty(redirect.code(), Map.of("Location", redirect.location()));
            case null, default -> serveResource(request, !(fault instanceof Fault.IgnoreRange));
        };
    }

    private Response serveResource(Request request, boolean honourRange) {
        if (!request.isHead() && !request.method().equals("GET")) {
            return Response.empty(405, Map.of("Allow", "GET, HEAD"));
        }
        Resource resource = resources.get(request.path());
        if (resource == null) {
            byte[] body = "Not Found\n".getBytes(StandardCharsets.US_ASCII);
            return new Response(404, Map.of("Content-Type", "text/plain"), body, 0, body.length);
        }
        if (resource.notModified(request)) {
            return Response.empty(304, resource.validators());
        }
        String range = request.header("Range");
        if (honourRange && range != null && request.method().equals("GET") && resource.ifRangeMatches(request)) {
            ByteRange slice = ByteRange.parse(range, resource.body().length);
            if (slice == ByteRange.UNSATISFIABLE) {
                return Response.empty(416, Map.of("Content-Range", "bytes */" + resource.body().length));
            }
            if (slice != null) {
                Map<String, String> headers = resource.headers();
                headers.put("Content-Range", slice.contentRange(resource.body().length));
                return new Response(206, headers, resource.body(), (int) slice.first(), (int) slice.length());
            }
        }
        return new Response(200, resource.headers(), resource.body(), 0, resource.body().length);
    }

    private static void writeHead(OutputStream out, Response response, long contentLength, boolean keepAlive)
            throws IOException {
        StringBuilder head = new StringBuilder(256)
                .append("HTTP/1.1 ").append(response.status()).append(' ').append(reason(response.status())).append("\r\n")
                .append("Date: ").append(httpDate(Instant.now())).append("\r\n");
        response.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (response.hasContentLength()) {
            head.append("Content-Length: ").append(contentLength).append("\r\n");
        }
        if (!keepAlive) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Waits up to {@code nanos} unless the server closes first; returns false if it did. */
    private boolean pause(long nanos) throws InterruptedIOException {
        try {
            return !closed.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    /** Counts {@code arrivals} down and waits until it reaches zero, the server closes, or {@link #STALL_LIMIT} passes. */
    private void awaitAll(CountDownLatch arrivals) throws InterruptedIOException {
        arrivals.countDown();
        long deadline = System.nanoTime() + STALL_LIMIT.toNanos();
        try {
            while (!arrivals.await(20, TimeUnit.MILLISECONDS) && !closing.get() && System.nanoTime() - deadline < 0) {
                // the server's close is noticed within 20 ms
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    /** Holds a stalled connection until the client closes it, the server closes, or {@link #STALL_LIMIT} passes. */
    private void holdOpen(Socket socket, InputStream in) throws IOException {
        long deadline = System.nanoTime() + STALL_LIMIT.toNanos();
        byte[] discard = new byte[4096];
        for (long left = STALL_LIMIT.toMillis(); left > 0 && !closing.get();
                left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
            socket.setSoTimeout((int) left);
            try {
                if (in.read(discard) < 0) {
                    return;
                }
            } catch (java.net.SocketTimeoutException e) {
                return;
            }
        }
    }

    private static void sendBadRequest(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException ignored) {
            // nothing more to tell a client that cannot be reached
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 303 -> "See Other";
            case 304 -> "Not Modified";
            case 307 -> "Temporary Redirect";
            case 308 -> "Permanent Redirect";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 416 -> "Range Not Satisfiable";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status " + status;
        };
    }

    /** Parses an HTTP-date in any of the forms RFC 9110 allows senders to use, or returns null. */
    static Instant parseHttpDate(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(value.trim()));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String normalize(String path) {
        Objects.requireNonNull(path, "path");
        return path.startsWith("/") ? path : "/" + path;
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "TestHttpServer-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Writes a body slice, pacing it to the current throttle, and records the exchange just before the last chunk. */
    private final class BodyWriter {
        private final Recording recording;
        long sent;

        BodyWriter(Recording recording) {
            this.recording = recording;
        }

        /** Writes the body up to {@code count} bytes, recording the exchange just before the last chunk. */
        void write(OutputStream out, byte[] body, int offset, int count) throws IOException {
            write(out, body, offset, count, recording);
        }

        /** Writes the body up to {@code count} bytes, a part that is not the end: nothing is recorded. */
        void writeUnrecorded(OutputStream out, byte[] body, int offset, int count) throws IOException {
            write(out, body, offset, count, null);
        }

        private void write(OutputStream out, byte[] body, int offset, int count, Recording last)
                throws IOException {
            long rate = bytesPerSecond;
            long start = System.nanoTime();
            long sentAtStart = sent; // the part before a hold was paced already
            while (sent < count) {
                if (bytesPerSecond != rate) { // the throttle changed mid-body: pace from here
                    rate = bytesPerSecond;
                    start = System.nanoTime();
                    sentAtStart = sent;
                }
                if (rate > 0) {
                    long due = start + (long) ((sent - sentAtStart) * 1e9 / rate);
                    if (!pause(due - System.nanoTime())) {
                        throw new SocketException("server closed");
                    }
                }
                int chunk = (int) Math.min(count - sent, chunkSize(rate));
                if (sent + chunk == count && last != null) {
                    last.record();
                }
                out.write(body, offset + (int) sent, chunk);
                out.flush();
                sent += chunk;
            }
        }

        /** About 100 chunks a second when throttled: smooth, yet not a syscall per byte. */
        private static long chunkSize(long rate) {
            return rate == 0 ? UNTHROTTLED_CHUNK : Math.clamp(rate / 100, 1, 16 * 1024);
        }
    }

    /** What a path serves. */
    private record Resource(byte[] body, Instant lastModified, String contentType, String etag, String encoding) {

        Map<String, String> validators() {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            if (etag != null) {
                headers.put("ETag", etag);
            }
            headers.put("Last-Modified", httpDate(lastModified));
            return headers;
        }

        Map<String, String> headers() {
            Map<String, String> headers = validators();
            headers.put("Content-Type", contentType);
            headers.put("Accept-Ranges", "bytes");
            if (encoding != null) {
                headers.put("Content-Encoding", encoding);
            }
            return headers;
        }

        /** If-None-Match wins over If-Modified-Since, as RFC 9110 section 13.2.2 orders them. */
        boolean notModified(Request request) {
            String ifNoneMatch = request.header("If-None-Match");
            if (ifNoneMatch != null) {
                return ifNoneMatch.trim().equals("*") || (etag != null && weakMatchAny(ifNoneMatch, etag));
            }
            Instant since = parseHttpDate(request.header("If-Modified-Since"));
            return since != null && !lastModified.isAfter(since);
        }

        /** If-Range needs a strong ETag match or the exact Last-Modified date; otherwise the range is ignored. */
        boolean ifRangeMatches(Request request) {
            String ifRange = request.header("If-Range");
            if (ifRange == null) {
                return true;
            }
            String value = ifRange.trim();
            if (value.startsWith("\"") || value.startsWith("W/")) {
                return etag != null && !etag.startsWith("W/") && value.equals(etag);
            }
            return lastModified.equals(parseHttpDate(value));
        }

        private static boolean weakMatchAny(String header, String etag) {
            String opaque = stripWeak(etag);
            for (String candidate : header.split(",")) {
                if (stripWeak(candidate.trim()).equals(opaque)) {
                    return true;
                }
            }
            return false;
        }

        private static String stripWeak(String tag) {
            return tag.startsWith("W/") ? tag.substring(2) : tag;
        }
    }

    /** A response to send: status, headers (without Date, Content-Length, Connection) and a body slice. */
    private record Response(int status, Map<String, String> headers, byte[] body, int offset, int length) {

        static Response empty(int status, Map<String, String> headers) {
            return new Response(status, headers, new byte[0], 0, 0);
        }

        boolean hasContentLength() {
            return status >= 200 && status != 204 && status != 304;
        }

        /** A 200, or a 206 whose one range is the whole file (a ranged first request of a file that small). */
        boolean isWholeFile() {
            return status == 200 || status == 206 && offset == 0 && length == body.length
                    && ("bytes 0-" + (length - 1) + "/" + length).equals(headers.get("Content-Range"));
        }
    }

    /** A satisfiable byte range, inclusive at both ends. */
    private record ByteRange(long first, long last) {

        static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

        /**
         * Parses a single {@code bytes=} range against a representation of {@code length} bytes. Returns null when the
         * header should be ignored (malformed, another unit, or several ranges: we do not do multipart).
         */
        static ByteRange parse(String header, long length) {
            String value = header.trim();
            if (!value.regionMatches(true, 0, "bytes=", 0, 6) || value.indexOf(',') >= 0) {
                return null;
            }
            String spec = value.substring(6).trim();
            int dash = spec.indexOf('-');
            if (dash < 0) {
                return null;
            }
            try {
                if (dash == 0) {
                    long suffix = Long.parseLong(spec.substring(1));
                    return suffix == 0 || length == 0 ? UNSATISFIABLE : new ByteRange(Math.max(0, length - suffix), length - 1);
                }
                long first = Long.parseLong(spec.substring(0, dash));
                String lastText = spec.substring(dash + 1);
                long last = lastText.isEmpty() ? Long.MAX_VALUE : Long.parseLong(lastText);
                if (last < first) {
                    return null;
                }
                return first >= length ? UNSATISFIABLE : new ByteRange(first, Math.min(last, length - 1));
            } catch (NumberFormatException e) {
                return null;
            }
        }

        long length() {
            return last - first + 1;
        }

        String contentRange(long total) {
            return "bytes " + first + "-" + last + "/" + total;
        }
    }

    /** A parsed request head. */
    private record Request(String method, String path, String version, Map<String, String> headers) {

        /** Reads the next request head and skips its body; returns null if the connection ended cleanly before it. */
        static Request read(InputStream in) throws IOException {
            String line = readLine(in);
            for (int i = 0; line != null && line.isEmpty() && i < 8; i++) {
                line = readLine(in); // RFC 9112 section 2.2: ignore empty lines before a request line
            }
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ");
            if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
                throw new BadRequest();
            }
            Map<String, String> headers = readHeaders(in);
            skipBody(in, headers);
            return new Request(parts[0], path(parts[1]), parts[2], headers);
        }

        String header(String name) {
            return headers.get(name);
        }

        boolean isHead() {
            return method.equals("HEAD");
        }

        /** HTTP/1.1 keeps connections open unless asked not to; HTTP/1.0 clients get one request per connection. */
        boolean keepAlive() {
            String connection = header("Connection");
            boolean close = connection != null && connection.toLowerCase(Locale.ROOT).contains("close");
            return version.equals("HTTP/1.1") && !close && header("Transfer-Encoding") == null;
        }

        private static Map<String, String> readHeaders(InputStream in) throws IOException {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 0; i < MAX_HEADERS; i++) {
                String line = readLine(in);
                if (line == null) {
                    throw new EOFException("connection closed in request head");
                }
                if (line.isEmpty()) {
                    return headers;
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new BadRequest();
                }
                headers.merge(line.substring(0, colon).trim(), line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
            throw new BadRequest();
        }

        /** Discards a Content-Length body; a chunked body cannot be skipped here, so such a connection is closed. */
        private static void skipBody(InputStream in, Map<String, String> headers) throws IOException {
            String length = headers.get("Content-Length");
            if (length != null) {
                try {
                    in.skipNBytes(Long.parseLong(length.trim()));
                } catch (NumberFormatException e) {
                    throw new BadRequest();
                }
            }
        }

        /** Strips scheme and authority (absolute-form) and the query from a request target. */
        private static String path(String target) {
            String path = target;
            if (path.startsWith("http://") || path.startsWith("https://")) {
                int slash = path.indexOf('/', path.indexOf("//") + 2);
                path = slash < 0 ? "/" : path.substring(slash);
            }
            int query = path.indexOf('?');
            return query < 0 ? path : path.substring(0, query);
        }

        /** Reads a CRLF- or LF-terminated ISO-8859-1 line; null at a clean end of stream. */
        private static String readLine(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i <= MAX_LINE; i++) {
                int b = in.read();
                if (b < 0) {
                    if (line.isEmpty()) {
                        return null;
                    }
                    throw new EOFException("connection closed mid-line");
                }
                if (b == '\n') {
                    int end = line.length();
                    return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
                }
                line.append((char) b);
            }
            throw new BadRequest();
        }
    }

    /** A request we cannot parse; answered with 400 and a closed connection. */
    private static final class BadRequest extends IOException {
        BadRequest() {
            super("bad request");
        }
    }

    /** One exchange's record: made optimistically before the last write, corrected if the response was cut. */
    private final class Recording {
        private final Request request;
        private final int status;
        private final long bodyBytes;
        private final boolean fullBody;
        private RecordedRequest recorded;

        Recording(Request request, int status, long bodyBytes, boolean fullBody) {
            this.request = request;
            this.status = status;
            this.bodyBytes = bodyBytes;
            this.fullBody = fullBody;
        }

        /** Records the exchange as planned, once; later calls do nothing. */
        void record() {
            if (recorded == null) {
                recorded = recorder.record(request, status, bodyBytes, fullBody);
            }
        }

        void cutAt(long sent) {
            if (recorded == null) {
                recorder.record(request, status, sent, false);
            } else if (sent != bodyBytes) {
                recorder.replace(recorded, fullBody, recorder.recordedRequest(request, status, sent));
            }
        }
    }

    /** The exchanges seen so far; one lock keeps the list, the full-body counts and the take queue consistent. */
    private static final class Recorder {
        private final List<RecordedRequest> requests = new ArrayList<>();
        private final Map<String, Integer> fullBodies = new TreeMap<>();
        private final BlockingQueue<RecordedRequest> untaken = new LinkedBlockingQueue<>();

        synchronized RecordedRequest record(Request request, int status, long bodyBytesSent, boolean fullBody) {
            RecordedRequest recorded = recordedRequest(request, status, bodyBytesSent);
            requests.add(recorded);
            if (fullBody) {
                fullBodies.merge(request.path(), 1, Integer::sum);
            }
            untaken.add(recorded);
            return recorded;
        }

        /** Swaps a record for a corrected one, never a full body; if the original was already taken, queues the fix. */
        synchronized void replace(RecordedRequest original, boolean wasFullBody, RecordedRequest corrected) {
            for (int i = requests.size() - 1; i >= 0; i--) {
                if (requests.get(i) == original) {
                    requests.set(i, corrected);
                    if (wasFullBody) {
                        fullBodies.merge(original.path(), -1, Integer::sum);
                    }
                    break;
                }
            }
            untaken.remove(original);
            untaken.add(corrected);
        }

        RecordedRequest recordedRequest(Request request, int status, long bodyBytesSent) {
            return new RecordedRequest(request.method(), request.path(), request.headers(), status, bodyBytesSent);
        }

        synchronized List<RecordedRequest> requests() {
            return List.copyOf(requests);
        }

        synchronized int fullBodyCount(String path) {
            return fullBodies.getOrDefault(path, 0);
        }

        RecordedRequest take(Duration timeout) throws InterruptedException {
            return untaken.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        synchronized void reset() {
            requests.clear();
            fullBodies.clear();
            untaken.clear();
        }
    }
}
