package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hoard.DownloadException;
import dev.hoard.LockHolder;
import dev.hoard.LockTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The library's failures speak its own terms; the CLI adds the option that would have helped. */
class ExitCodesTest {
    private static final URI URL = URI.create("https://example.org/disk.img");

    @Test
    void aLockTimeoutSuggestsALongerLockTimeout() {
        LockHolder holder = new LockHolder(42, "build-7", Instant.parse("2025-03-01T10:15:30Z"));
        LockTimeoutException e = new LockTimeoutException(URL, holder, Duration.ofSeconds(30));

        assertEquals("gave up after 30s waiting for " + URL + ", held by pid 42 on build-7 since "
                + "2025-03-01T10:15:30Z; retry later or raise --lock-timeout", ExitCodes.message(e));
        assertEquals(ExitCodes.LOCK_TIMEOUT, ExitCodes.code(e));
    }

    @Test
    void aRefusedInsecureRedirectNamesTheOptionThatAllowsIt() {
        URI to = URI.create("http://mirror.example.org/disk.img");
        DownloadException e = DownloadException.insecureRedirect(URL, 302, URL, to);

        assertEquals("refusing redirect from https to http: " + URL + " -> " + to
                + " (allow it with --allow-insecure-redirects)", ExitCodes.message(e));
        assertEquals(ExitCodes.NETWORK, ExitCodes.code(e));
    }

    @Test
    void anInternalFailureIsOneLineWithoutAStackTrace() {
        java.io.StringWriter out = new java.io.StringWriter();

        int code = ExitCodes.report(new IllegalStateException("boom"), new java.io.PrintWriter(out));

        assertEquals(ExitCodes.IO_FAILURE, code);
        assertEquals("hoard: internal error: java.lang.IllegalStateException: boom (HOARD_DEBUG=1 shows where)"
                + System.lineSeparator(), out.toString());
    }

    @Test
    void otherDownloadFailuresGetNoHint() {
        DownloadException e = new DownloadException(URL, 404, "HTTP 404 for " + URL, null);

        assertEquals("HTTP 404 for " + URL, ExitCodes.message(e));
    }
}
