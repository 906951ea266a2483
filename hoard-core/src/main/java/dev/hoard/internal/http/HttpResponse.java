package dev.hoard.internal.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;

/** A response whose headers have arrived; the body is read from {@link #body()}. */
public final class HttpResponse implements Closeable {
    private final URI uri;
    private final HttpURLConnection connection;
    private final int status;
    private boolean bodyConsumed;

    HttpResponse(URI uri, HttpURLConnection connection, int status) {
        this.uri = uri;
        this.connection = connection;
        this.status = status;
    }

    /** The URL that answered, after redirects. */
    public URI uri() {
        return uri;
    }

    public int status() {
        return status;
    }

    /** A response header, or null. */
    public String header(String name) {
        return connection.getHeaderField(name);
    }

    /** The declared Content-Length, or -1. */
    public long contentLength() {
        return connection.getContentLengthLong();
    }

    /** The body of a 2xx response. Read it to the end and then {@link #close()} to let the connection be reused. */
    public InputStream body() throws IOException {
        bodyConsumed = true;
        return connection.getInputStream();
    }

    /**
     * Closes the response. A body that was never read is abandoned by closing the connection, so that a large unwanted
     * body is not drained.
     */
    @Override
    public void close() {
        if (!bodyConsumed || status >= 300) {
            connection.disconnect();
            return;
        }
        try {
            connection.getInputStream().close();
        } catch (IOException e) {
            connection.disconnect();
        }
    }

    /** Abandons the response and its connection, e.g. after a failed or cut-short body. */
    public void abort() {
        connection.disconnect();
    }
}
