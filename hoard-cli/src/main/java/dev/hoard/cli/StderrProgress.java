package dev.hoard.cli;

import dev.hoard.FetchListener;
import dev.hoard.FetchResult;
import dev.hoard.FetchStatus;
import dev.hoard.LockOwner;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Progress on stderr. On a terminal: one line redrawn in place at most five times a second. Otherwise (logs, CI): a
 * line when a download starts and ends, and at most one progress line every ten seconds, with no escape codes.
 */
final class StderrProgress implements FetchListener, AutoCloseable {
    private static final long TERMINAL_REFRESH_NANOS = 200_000_000L;
    private static final long LOG_REFRESH_NANOS = 10_000_000_000L;

    private final PrintStream err = System.err;
    private final boolean quiet;
    private final boolean terminal = stderrIsTerminal();
    private final long refreshNanos = terminal ? TERMINAL_REFRESH_NANOS : LOG_REFRESH_NANOS;
    private long lastDraw;
    private long transferStart;
    private long transferredBytes;
    private boolean downloadReported;
    private long decompressionStart;
    private long decompressedBytes;
    private boolean lineOpen;
    private boolean announcedWait;

    StderrProgress(boolean quiet) {
        this.quiet = quiet;
    }

    @Override
    public void waiting(URI url, LockOwner owner, long ownerBytes, long totalBytes) {
        if (quiet) {
            return;
        }
        String who = owner == null ? "another process" : "pid " + owner.pid() + " on " + owner.host();
        String since = owner == null ? "" : " since " + age(owner.since());
        String line = "waiting for " + who + since + " to download " + name(url)
                + (ownerBytes >= 0 ? ": " + bytes(ownerBytes) + " so far" : "");
        if (!announcedWait || due()) {
            announcedWait = true;
            draw(line);
        }
    }

    @Override
    public void started(URI url, long totalBytes) {
        transferStart = System.nanoTime();
        if (!quiet) {
            finishLine();
            err.println("hoard: downloading " + url + (totalBytes >= 0 ? " (" + bytes(totalBytes) + ")" : ""));
            lastDraw = System.nanoTime();
        }
    }

    @Override
    public void progress(URI url, long bytesSoFar, long totalBytes) {
        transferredBytes = bytesSoFar;
        if (quiet || !due()) {
            return;
        }
        double seconds = Math.max(1e-3, (System.nanoTime() - transferStart) / 1e9);
        double rate = bytesSoFar / seconds;
        StringBuilder line = new StringBuilder(name(url)).append(' ').append(bytes(bytesSoFar));
        if (totalBytes > 0) {
            line.append(" / ").append(bytes(totalBytes))
                    .append(String.format(Locale.ROOT, " %3d%%", bytesSoFar * 100 / totalBytes));
        }
        line.append(' ').append(bytes((long) rate)).append("/s");
        if (totalBytes > 0 && rate > 0) {
            line.append(" ETA ").append(duration((long) ((totalBytes - bytesSoFar) / rate)));
        }
        draw(line.toString());
    }

    @Override
    public void decompressionStarted(URI url, String format, long compressedBytes) {
        decompressionStart = System.nanoTime();
        if (!quiet) {
            finishLine();
            if (transferStart != 0) {
                // The download is over: say so now, not after a decompression that may take longer.
                reportDownloaded(url, transferredBytes, transferredBytes, decompressionStart);
            }
            err.println("hoard: decompressing " + name(url) + " (" + format + ", " + bytes(compressedBytes) + ")");
            lastDraw = System.nanoTime();
        }
    }

    @Override
    public void decompressionProgress(URI url, long compressedRead, long compressedBytes, long decompressedBytes) {
        this.decompressedBytes = decompressedBytes;
        if (quiet || !due()) {
            return;
        }
        double seconds = Math.max(1e-3, (System.nanoTime() - decompressionStart) / 1e9);
        double rate = compressedRead / seconds;
        StringBuilder line = new StringBuilder(name(url)).append(": decompressed ").append(bytes(compressedRead));
        if (compressedBytes > 0) {
            line.append(" / ").append(bytes(compressedBytes))
                    .append(String.format(Locale.ROOT, " %3d%%", compressedRead * 100 / compressedBytes));
        }
        line.append(" into ").append(bytes(decompressedBytes));
        if (compressedBytes > 0 && rate > 0) {
            line.append(" ETA ").append(duration((long) ((compressedBytes - compressedRead) / rate)));
        }
        draw(line.toString());
    }

    @Override
    public void warning(URI url, String message) {
        finishLine();
        err.println("hoard: warning: " + message); // warnings show even with --quiet
    }

    @Override
    public void finished(FetchResult result) {
        if (quiet) {
            return;
        }
        finishLine();
        long now = System.nanoTime();
        if (result.status() == FetchStatus.DOWNLOADED && result.bytesTransferred() > 0 && !downloadReported) {
            reportDownloaded(result.url(), result.size(), result.bytesTransferred(), now);
        }
        if (decompressionStart != 0) {
            err.printf(Locale.ROOT, "hoard: decompressed %s into %s (%s in %.1fs)%n", name(result.url()),
                    result.path(), bytes(decompressedBytes), Math.max(1e-3, (now - decompressionStart) / 1e9));
        }
    }

    private void reportDownloaded(URI url, long size, long bytesTransferred, long end) {
        double seconds = Math.max(1e-3, (end - transferStart) / 1e9);
        err.printf(Locale.ROOT, "hoard: downloaded %s (%s in %.1fs, %s/s)%n", name(url), bytes(size), seconds,
                bytes((long) (bytesTransferred / seconds)));
        downloadReported = true;
    }

    @Override
    public void close() {
        finishLine();
    }

    private boolean due() {
        long now = System.nanoTime();
        if (now - lastDraw < refreshNanos) {
            return false;
        }
        lastDraw = now;
        return true;
    }

    private void draw(String line) {
        if (terminal) {
            err.print("\r\033[2K" + line);
            lineOpen = true;
        } else {
            err.println("hoard: " + line);
        }
        err.flush();
    }

    private void finishLine() {
        if (lineOpen) {
            err.print("\r\033[2K");
            err.flush();
            lineOpen = false;
        }
    }

    private static String name(URI url) {
        String path = url.getPath();
        if (path == null || path.isEmpty() || path.endsWith("/")) {
            return url.toString();
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private static String age(Instant since) {
        return duration(Math.max(0, Duration.between(since, Instant.now()).toSeconds())) + " ago";
    }

    private static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + String.format(Locale.ROOT, "%02d", seconds % 60) + "s";
        }
        return seconds / 3600 + "h" + String.format(Locale.ROOT, "%02d", seconds % 3600 / 60) + "m";
    }

    /** Linux: fd 2 is a terminal if it links to a tty or pty device. Elsewhere, fall back to the JDK's console. */
    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return System.console() != null;
        }
    }
}
