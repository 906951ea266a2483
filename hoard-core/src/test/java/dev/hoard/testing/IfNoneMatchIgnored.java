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

/**
 * A store in front of another that behaves like s3rver or LocalS3: every {@code PUT} with {@code If-None-Match: *}
 * seems to succeed. A byte pipe on loopback that turns the real store's {@code 412} status lines into {@code 200}
 * (the same length, so nothing else changes; the request passes untouched, so its signature still holds). The
 * store keeps the first object, as the losers' "success" is only in what they are told.
 */
public final class IfNoneMatchIgnored implements S3Server {
    private static final byte[] FROM = "HTTP/1.1 412".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TO = "HTTP/1.1 200".getBytes(StandardCharsets.US_ASCII);

    private final S3Server store;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public IfNoneMatchIgnored(S3Server store) throws IOException {
        this.store = store;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("if-none-match-ignored").start(this::accept);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket upstream = new Socket(store.endpoint().getHost(), store.endpoint().getPort());
                sockets.add(client);
                sockets.add(upstream);
                Thread.ofPlatform().daemon().start(() -> pipe(client, upstream, false));
                Thread.ofPlatform().daemon().start(() -> pipe(upstream, client, true));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pipe(Socket from, Socket to, boolean rewrite) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (rewrite) {
                    replaceStatus(buffer, n);
                }
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

    /** A status line starts a read: responses here are small and each is read before the next request is sent. */
    private static void replaceStatus(byte[] buffer, int n) {
        for (int i = 0; i + FROM.length <= n; i++) {
            boolean match = true;
            for (int j = 0; j < FROM.length && match; j++) {
                match = buffer[i + j] == FROM[j];
            }
            if (match) {
                System.arraycopy(TO, 0, buffer, i, TO.length);
            }
        }
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
    public String name() {
        return store.name() + " behind a proxy that makes If-None-Match seem ignored";
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
        sockets.forEach(IfNoneMatchIgnored::close);
    }
}
