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

    /**
     * The length of the body as {@link #body()} gives it, or -1 if unknown: the declared Content-Length, unless the
     * body is encoded (then it counts the encoded bytes, and the decoded length is known only at the end).
     */
    public long contentLength() {
        return contentEncoding() == null ? connection.getContentLengthLong() : -1;
    }

    /**
     * The Content-Encoding the server sent the body in, lower-cased, although it was asked for none; null when the
     * body is as is. See {@link ContentCoding}.
     */
    public String contentEncoding() {
        return ContentCoding.of(connection.getHeaderField("Content-Encoding"));
    }

    /** Whether {@link #body()} decodes the {@link #contentEncoding()}: none, gzip or deflate. */
    public boolean decodable() {
        String coding = contentEncoding();
        return coding == null || ContentCoding.decodable(coding);
    }

    /**
     * The body of a 2xx response, decoded if the server encoded it ({@link #decodable()} must hold). Read it to the
     * end and then {@link #close()} to let the connection be reused.
     */
    public InputStream body() throws IOException {
        bodyConsumed = true;
        String coding = contentEncoding();
        InputStream raw = connection.getInputStream();
        return coding == null ? raw : ContentCoding.decode(raw, coding);
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
