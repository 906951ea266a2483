package dev.hoard.internal.fetch;

import dev.hoard.DownloadException;
import dev.hoard.internal.auth.AuthHeaders;
import dev.hoard.internal.http.HttpResponse;
import dev.hoard.internal.http.HttpTransport;
import dev.hoard.internal.store.EntryMetadata;
import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends an {@link Ask} and sorts the response into a {@link Reply}: the one place that knows which statuses are
 * retried, what a {@code Content-Range} must say, and when a 200 is the cached content after all. Whole-file
 * downloads, resumption, segments and revalidation all go through {@link #send}.
 */
final class Exchange {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes \\*/(\\d+)");

    private final HttpTransport http;
    private final Clock clock;
    private final URI url;
    private final AuthHeaders auth;

    /**
     * @param url  the request's URL, which failures name (a source may be a mirror of it)
     * @param auth the credentials of each source, sent to its origin only
     */
    Exchange(HttpTransport http, Clock clock, URI url, AuthHeaders auth) {
        this.http = http;
        this.clock = clock;
        this.url = url;
        this.auth = auth;
    }

    Reply send(Ask ask) {
        HttpResponse response;
        try {
            response = http.get(ask.source(), ask.headers(), auth.forUrl(ask.source()));
        } catch (DownloadException e) {
            return new Reply.Fail(e);
        } catch (UnknownHostException e) {
            // Permanent for this source: a name that does not resolve now will not in a few seconds either.
            return new Reply.Fail(new DownloadException(url, 0, "cannot fetch " + ask.source() + ": unknown host '"
                    + e.getMessage() + "'", e));
        } catch (IOException e) {
            return new Reply.Retry("cannot fetch " + ask.source() + ": " + Transfer.describe(e), 0, null, e);
        }
        Reply reply = classify(ask, response);
        if (!(reply instanceof Reply.Body)) {
            response.close();
        }
        return reply;
    }

    private Reply classify(Ask ask, HttpResponse response) {
        int status = response.status();
        if ((status == 200 || status == 206) && !response.decodable()) {
            return new Reply.Fail(new DownloadException(url, status, "HTTP " + status + " for " + ask.describe()
                    + " came with Content-Encoding: " + response.contentEncoding() + ", which cannot be decoded "
                    + "(gzip and deflate can; none was asked for); nothing was stored", null));
        }
        if (status == 304 && ask.known() != null) {
            return new Reply.Unchanged();
        }
        if (status == 200) {
            return ask.known() != null && unchanged(response, ask.known()) ? new Reply.Unchanged()
                    : new Reply.Body(response, 0, response.contentLength());
        }
        if (status == 206) {
            return range(ask, response);
        }
        if (status == 416) {
            Matcher unsatisfied = UNSATISFIED_RANGE.matcher(String.valueOf(response.header("Content-Range")));
            return new Reply.RangeMismatch("HTTP 416 for " + ask.describe(),
                    unsatisfied.matches() ? Long.parseLong(unsatisfied.group(1)) : -1);
        }
        String message = "HTTP " + status + " for " + ask.describe() + redirected(ask, response);
        if (status == 401 || status == 403) {
            return new Reply.Fail(new DownloadException(url, status, message + ": "
                    + auth.explainRefusal(status, ask.source(), response.uri()), null));
        }
        if (status == 408 || status == 429 || status >= 500) {
            return new Reply.Retry(message, status, Backoff.parseRetryAfter(response.header("Retry-After"), clock),
                    null);
        }
        return new Reply.Fail(new DownloadException(url, status, message, null));
    }

    /** A 206 fits if it starts where asked and, when the partial knows the file's length, is of that length. */
    private static Reply range(Ask ask, HttpResponse response) {
        String header = response.header("Content-Range");
        Matcher range = CONTENT_RANGE.matcher(String.valueOf(header));
        if (!range.matches() || Long.parseLong(range.group(1)) != ask.from()) {
            return new Reply.RangeMismatch("asked for " + ask.describe() + ", got Content-Range " + header, -1);
        }
        long total = range.group(3).equals("*") ? -1 : Long.parseLong(range.group(3));
        if (ask.length() >= 0 && total >= 0 && total != ask.length()) {
            return new Reply.RangeMismatch(ask.source() + " is now " + total + " bytes long, not " + ask.length(),
                    -1);
        }
        return new Reply.Body(response, ask.from(), total);
    }

    /** A 200 whose validators say it is the cached content, for servers that ignore conditions. */
    private static boolean unchanged(HttpResponse response, EntryMetadata known) {
        String etag = response.header("ETag");
        if (etag != null && known.etag() != null) {
            return etag.equals(known.etag()) && !etag.startsWith("W/");
        }
        String lastModified = response.header("Last-Modified");
        return lastModified != null && lastModified.equals(known.lastModified())
                && response.contentLength() == known.size();
    }

    private static String redirected(Ask ask, HttpResponse response) {
        return response.uri().equals(ask.source()) ? "" : " (redirected to " + response.uri() + ")";
    }
}
