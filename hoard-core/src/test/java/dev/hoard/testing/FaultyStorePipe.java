package dev.hoard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A store in front of another that misbehaves in ways a test chooses: a byte pipe on loopback that can rewrite
 * status lines of one code into another of the same length, so nothing else changes (the request passes untouched,
 * so its signature still holds; the body is the real answer's), and can cut an answer off mid-body by closing the
 * connection. Which answers are rewritten and which are cut is the subclass's {@link #rewrite} and {@link #cutAfter}
 * to say, from the request line each answers.
 */
public abstract class FaultyStorePipe implements S3Server {
    private static final byte[] REQUEST_END = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATUS = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);

    protected final S3Server store;
    private final int from;
    private final int to;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /** Rewrites {@code from} status lines (e.g. 412) into {@code to} (e.g. 200) where {@link #rewrite} says so. */
    protected FaultyStorePipe(S3Server store, int from, int to) throws IOException {
        this.store = store;
        this.from = from;
        this.to = to;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("faulty-store-pipe").start(this::accept);
    }

    /** Rewrites no status: for a pipe that only cuts ({@link #cutAfter}). */
    protected FaultyStorePipe(S3Server store) throws IOException {
        this(store, -1, -1);
    }

    /**
     * Whether an answer of the rewritten code to {@code request}, its request line (e.g. {@code GET /bucket/key
     * HTTP/1.1}), is rewritten; none by default. Called from pipe threads.
     */
    protected boolean rewrite(String request) {
        return false;
    }

    /**
     * How many bytes of the answer to {@code request} with this {@code status} (as the store sent it), counted from
     * its status line, pass before the connection is closed; -1 (the default) for all of them. Called from pipe
     * threads.
     */
    protected long cutAfter(String request, int status) {
        return -1;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket upstream = new Socket(store.endpoint().getHost(), store.endpoint().getPort());
                sockets.add(client);
                sockets.add(upstream);
                Queue<String> asked = new ConcurrentLinkedQueue<>(); // request lines not yet answered, in order
                long[] cut = {-1}; // bytes still to pass before the cut, from the start of the next read
                Thread.ofPlatform().daemon().start(() -> pipe(client, upstream, (b, n) -> noteRequests(b, n, asked)));
                Thread.ofPlatform().daemon().start(() -> pipe(upstream, client, (b, n) -> answers(b, n, asked, cut)));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** What a pipe does to each read before passing it on: returns how much of it to pass, less to cut there. */
    private interface Look {
        int at(byte[] buffer, int n);
    }

    private static void pipe(Socket from, Socket to, Look look) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                int pass = look.at(buffer, n);
                out.write(buffer, 0, pass);
                out.flush();
                if (pass < n) {
                    return; // cut: both sockets close
                }
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            close(from);
            close(to);
        }
    }

    /**
     * Queues the request lines ({@code PUT /bucket/key HTTP/1.1}) in a read from the client. Like status lines
     * below, they are looked for anywhere in a read (random body bytes hold one by chance about once in 2^88
     * positions), and one split between two reads would be missed: on loopback each request's head arrives whole,
     * as the client sends it only after the answer to the one before.
     */
    private static int noteRequests(byte[] buffer, int n, Queue<String> asked) {
        for (int i = find(buffer, 0, n, REQUEST_END); i >= 0; i = find(buffer, i + 1, n, REQUEST_END)) {
            int start = i;
            while (start > 0 && buffer[start - 1] != '\n') {
                start--;
            }
            asked.add(new String(buffer, start, i + REQUEST_END.length - 2 - start, StandardCharsets.US_ASCII));
        }
        return n;
    }

    /**
     * Pairs each status line in a read from the store with the oldest unanswered request, rewrites it if told, and
     * says where to cut if its answer is to be cut.
     */
    private int answers(byte[] buffer, int n, Queue<String> asked, long[] cut) {
        for (int i = find(buffer, 0, n, STATUS); i >= 0; i = find(buffer, i + 1, n, STATUS)) {
            String request = Objects.requireNonNullElse(asked.poll(), "");
            int status = status(buffer, i + STATUS.length, n);
            if (status >= 0 && status == from && rewrite(request)) {
                System.arraycopy(String.valueOf(to).getBytes(StandardCharsets.US_ASCII), 0, buffer,
                        i + STATUS.length, 3);
            }
            long after = cutAfter(request, status);
            if (after >= 0 && cut[0] < 0) {
                cut[0] = i + after;
            }
        }
        if (cut[0] >= 0 && cut[0] < n) {
            return (int) cut[0];
        }
        if (cut[0] >= 0) {
            cut[0] -= n;
        }
        return n;
    }

    /** The three digits at {@code at}, or -1 if there are not three digits there before {@code end}. */
    private static int status(byte[] buffer, int at, int end) {
        int code = 0;
        for (int i = at; i < at + 3; i++) {
            if (i >= end || buffer[i] < '0' || buffer[i] > '9') {
                return -1;
            }
            code = code * 10 + buffer[i] - '0';
        }
        return code;
    }

    /** The first index at or after {@code from} where {@code pattern} starts within {@code buffer[..end)}, or -1. */
    private static int find(byte[] buffer, int from, int end, byte[] pattern) {
        for (int i = from; i + pattern.length <= end; i++) {
            boolean match = true;
            for (int j = 0; j < pattern.length && match; j++) {
                match = buffer[i + j] == pattern[j];
            }
            if (match) {
                return i;
            }
        }
        return -1;
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closed already
        }
    }

    @Override
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    @Override
    public String region() {
        return store.region();
    }

    @Override
    public String accessKey() {
        return store.accessKey();
    }

    @Override
    public String secretKey() {
        return store.secretKey();
    }

    @Override
    public String bucket() {
        return store.bucket();
    }

    @Override
    public void kill() {
        store.kill();
    }

    /** Stops the pipe; the store behind it is the caller's to close. */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // closed already
        }
        sockets.forEach(FaultyStorePipe::close);
    }
}
