package dev.hoard.internal.fetch;

import dev.hoard.DownloadException;
import dev.hoard.internal.http.HttpResponse;
import java.net.URI;
import java.time.Duration;

/**
 * What an {@link Ask} got, sorted by what to do next ({@link Exchange#send} makes every one of them). Only a
 * {@link Body} holds an open response; its receiver closes it.
 */
sealed interface Reply {

    /** A 304, or a 200 whose validators are the cached ones (a server that ignores conditions). */
    record Unchanged() implements Reply {
    }

    /**
     * Content to write: a 200 (the whole file from byte 0) or a 206 that starts at the byte asked for and is of the
     * length asked for.
     *
     * @param offset the position of the body's first byte in the file
     * @param total  the file's full length, or -1 if the server did not say
     */
    record Body(HttpResponse response, long offset, long total) implements Reply {
        /** A 200: the whole file, whatever range was asked. */
        boolean whole() {
            return response.status() == 200;
        }

        /**
         * Whether the server encoded the body (gzip, deflate) although it was asked for none: the body decodes to the
         * file, but its Content-Range and Content-Length count encoded bytes, so it cannot be joined to other
         * ranges nor resumed by range.
         */
        boolean encoded() {
            return response.contentEncoding() != null;
        }

        /** Where the body ends in the file, or -1 if the server did not say. */
        long end() {
            long length = response.contentLength();
            return length >= 0 ? offset + length : -1;
        }

        String header(String name) {
            return response.header(name);
        }
    }

    /**
     * A 206 elsewhere than asked or of another file length, or a 416: the server's file is not the one the partial
     * holds part of (it changed, or it never was).
     *
     * @param serverLength the length a 416 named ({@code Content-Range: bytes *}{@code /N}), or -1
     */
    record RangeMismatch(String reason, long serverLength) implements Reply {
    }

    /**
     * An attempt that failed in a way another may not: no connection, a timeout, a body cut short, 408, 429, 5xx.
     *
     * @param status the HTTP status, or 0 when there was none
     * @param after  the server's Retry-After, or null
     */
    record Retry(String reason, int status, Duration after, Throwable cause) implements Reply {
        DownloadException failure(URI url, int retries) {
            return new DownloadException(url, status, reason + " (gave up after " + retries + " retries)", cause);
        }
    }

    /**
     * Not worth asking this source again: a 4xx other than 408/429, an unknown host, a redirect loop, a refused
     * redirect.
     */
    record Fail(DownloadException failure) implements Reply {
    }
}
