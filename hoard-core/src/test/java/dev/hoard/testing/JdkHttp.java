package dev.hoard.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

/** Requests with the JDK's HttpURLConnection: a client hoard did not write, to check the test servers with. */
final class JdkHttp {
    private JdkHttp() {
    }

    /** Opens a request with 5 s timeouts and the given headers (alternating names and values). */
    static HttpURLConnection open(String method, URI url, String... headers) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection();
        connection.setRequestMethod(method);
        connection.setConnectTimeout(5_000);
        connection.setReadTimeout(5_000);
        for (int i = 0; i < headers.length; i += 2) {
            connection.setRequestProperty(headers[i], headers[i + 1]);
        }
        return connection;
    }

    /** Sends a request and reads the whole response, error bodies included. */
    static Fetched fetch(String method, URI url, String... headers) throws IOException {
        HttpURLConnection connection = open(method, url, headers);
        int status = connection.getResponseCode();
        Map<String, String> responseHeaders = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        connection.getHeaderFields().forEach((name, values) -> {
            if (name != null) {
                responseHeaders.put(name, String.join(", ", values));
            }
        });
        InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        byte[] body = in == null ? new byte[0] : readFully(in);
        return new Fetched(status, responseHeaders, body);
    }

    private static byte[] readFully(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    /** A whole response; header names compare case-insensitively. */
    record Fetched(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }
    }
}
