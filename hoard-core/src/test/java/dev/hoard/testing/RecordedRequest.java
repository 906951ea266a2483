package dev.hoard.testing;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One request as {@link TestHttpServer} saw and answered it, recorded just before the last write of the response
 * (or when the response was cut), so it is there as soon as the client has the whole response.
 *
 * @param method        the request method, e.g. {@code GET}
 * @param path          the request path without the query string, e.g. {@code /file.bin}
 * @param headers       the request headers; names compare case-insensitively, repeated headers are joined with ", "
 * @param status        the status the server sent, or 0 when it sent no response (see {@link Fault#disconnect})
 * @param bodyBytesSent body bytes handed to the socket; the client may have received fewer if the connection broke
 */
public record RecordedRequest(String method, String path, Map<String, String> headers, int status,
        long bodyBytesSent) {

    public RecordedRequest {
        Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(headers);
        headers = Collections.unmodifiableMap(copy);
    }

    /** Returns the value of header {@code name} (any case), or null when the request did not carry it. */
    public String header(String name) {
        return headers.get(name);
    }
}
