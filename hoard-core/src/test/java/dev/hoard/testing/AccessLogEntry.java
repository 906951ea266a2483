package dev.hoard.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One line of the access log {@link Nginx} configures, so tests can assert what a real server was asked and sent.
 *
 * <p>Header fields are null when the request did not carry the header (nginx logs "-").
 *
 * @param method          the request method
 * @param uri             nginx's {@code $uri}: the decoded, normalized path without the query
 * @param status          the response status
 * @param bodyBytesSent   nginx's {@code $body_bytes_sent}: body bytes sent, 0 for 304 and HEAD
 * @param range           the Range request header
 * @param ifNoneMatch     the If-None-Match request header
 * @param ifModifiedSince the If-Modified-Since request header
 * @param ifRange         the If-Range request header
 * @param requestLength   nginx's {@code $request_length}: bytes of request line, headers and body
 * @param remoteAddress   the client's address, which tells a request through a proxy (from the proxy's outgoing
 *                        address) from a direct one
 * @param authorization   the Authorization request header
 */
public record AccessLogEntry(String method, String uri, int status, long bodyBytesSent, String range,
        String ifNoneMatch, String ifModifiedSince, String ifRange, long requestLength, String remoteAddress,
        String authorization) {

    /** The nginx {@code log_format} whose lines {@link #parse} reads: tab-separated, default escaping. */
    static final String LOG_FORMAT = String.join("\\t", "$request_method", "$uri", "$status", "$body_bytes_sent",
            "$http_range", "$http_if_none_match", "$http_if_modified_since", "$http_if_range", "$request_length",
            "$remote_addr", "$http_authorization");

    /**
     * Parses a line written with {@link #LOG_FORMAT}. nginx's default log escaping writes {@code "}, {@code \}, control
     * characters (tab included, so fields cannot bleed) and bytes above 126 as {@code \xHH}; this undoes that.
     */
    static AccessLogEntry parse(String line) {
        String[] fields = line.split("\t", -1);
        if (fields.length != 11) {
            throw new IllegalArgumentException("not a hoard access log line: " + line);
        }
        return new AccessLogEntry(unescape(fields[0]), unescape(fields[1]), Integer.parseInt(fields[2]),
                Long.parseLong(fields[3]), header(fields[4]), header(fields[5]), header(fields[6]), header(fields[7]),
                Long.parseLong(fields[8]), fields[9], header(fields[10]));
    }

    private static String header(String field) {
        return field.equals("-") ? null : unescape(field);
    }

    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.charAt(i + 1) == 'x') {
                bytes.write(Integer.parseInt(field, i + 2, i + 4, 16));
                i += 3;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
