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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A store in front of another that answers other statuses than the real one: a byte pipe on loopback that rewrites
 * status lines of one code into another of the same length, so nothing else changes (the request passes untouched,
 * so its signature still holds; the body is the real answer's). Which of the status lines it sees are rewritten is
 * the subclass's {@link #rewrite} to say.
 */
public abstract class StatusRewritingPipe implements S3Server {
    protected final S3Server store;
    private final byte[] from;
    private final byte[] to;
    private final ServerSocket listener;
    private static final byte[] REQUEST_END = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATUS = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /** Rewrites {@code from} status lines (e.g. 412) into {@code to} (e.g. 200) where {@link #rewrite} says so. */
    protected StatusRewritingPipe(S3Server store, int from, int to) throws IOException {
        this.store = store;
        this.from = ("HTTP/1.1 " + from).getBytes(StandardCharsets.US_ASCII);
        this.to = ("HTTP/1.1 " + to).getBytes(StandardCharsets.US_ASCII);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("status-rewriting-pipe").start(this::accept);
    }

    /**
     * Whether an answer of the rewritten code to {@code request}, its request line (e.g. {@code GET /bucket/key
     * HTTP/1.1}), is rewritten. Called from pipe threads.
     */
    protected abstract boolean rewrite(String request);

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket upstream = new Socket(store.endpoint().getHost(), store.endpoint().getPort());
                sockets.add(client);
                sockets.add(upstream);
                Queue<String> asked = new ConcurrentLinkedQueue<>(); // request lines not yet answered, in order
                Thread.ofPlatform().daemon().start(() -> pipe(client, upstream, (b, n) -> noteRequests(b, n, asked)));
                Thread.ofPlatform().daemon().start(() -> pipe(upstream, client, (b, n) -> replaceStatus(b, n, asked)));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** What a pipe does to each read before passing it on. */
    private interface Look {
        void at(byte[] buffer, int n);
    }

    private static void pipe(Socket from, Socket to, Look look) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                look.at(buffer, n);
                out.write(buffer, 0, n);
                out.flush();
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
    private static void noteRequests(byte[] buffer, int n, Queue<String> asked) {
        for (int i = find(buffer, 0, n, REQUEST_END); i >= 0; i = find(buffer, i + 1, n, REQUEST_END)) {
            int start = i;
            while (start > 0 && buffer[start - 1] != '\n') {
                start--;
            }
            asked.add(new String(buffer, start, i + REQUEST_END.length - 2 - start, StandardCharsets.US_ASCII));
        }
    }

    /** Pairs each status line in a read from the store with the oldest unanswered request, and rewrites it if told. */
    private void replaceStatus(byte[] buffer, int n, Queue<String> asked) {
        for (int i = find(buffer, 0, n, STATUS); i >= 0; i = find(buffer, i + 1, n, STATUS)) {
            String request = asked.poll();
            if (i + from.length <= n && find(buffer, i, i + from.length, from) == i
                    && rewrite(request == null ? "" : request)) {
                System.arraycopy(to, 0, buffer, i, to.length);
            }
        }
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
        sockets.forEach(StatusRewritingPipe::close);
    }
}
