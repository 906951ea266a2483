package dev.hoard.cli.progress;

import dev.hoard.FetchResult;
import dev.hoard.FetchStatus;
import dev.hoard.LockHolder;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Progress of one or many fetches on stderr (a writer for it), in one of two renderings chosen by what it is:
 *
 * <ul>
 *   <li>{@link LiveProgress}, on a terminal: one line per active fetch (transferring, or waiting for another process,
 *       with that process's progress) and, when several fetches run, a total line, all redrawn in place five times
 *       a second; finished downloads leave one permanent line above.
 *   <li>{@link LogProgress}, anywhere else (a file, a pipe, CI) and with {@code --quiet}: no escape codes; a line when
 *       a download starts and when it ends, and at most one progress line every ten seconds.
 * </ul>
 *
 * <p>Warnings and errors show in both, also with {@code --quiet}: a warning means hoard used a cached copy it could
 * not revalidate, which a quiet script still wants in its log.
 *
 * <p><b>Threads.</b> Each fetch reports through its own {@link Tracker}, on the fetching thread; the live rendering
 * also redraws from a thread of its own. Every event and every write to stderr happens under this object's monitor,
 * so lines never interleave and a redraw never sees half an update. Events only update fields; the costly part,
 * writing to the terminal, happens at most five times a second.
 */
public abstract sealed class Progress implements AutoCloseable permits LiveProgress, LogProgress {
    final PrintWriter err;
    final boolean quiet;
    private final List<Task> shown = new ArrayList<>(); // active tasks, in the order they became active
    private int expected = 1;
    private int succeeded;
    private int failed;
    private long finishedBytes;

    Progress(PrintWriter err, boolean quiet) {
        this.err = err;
        this.quiet = quiet;
    }

    /**
     * The rendering that suits {@code err}: live on a terminal (only {@link Stderr#processWriter()} can be one),
     * plain lines elsewhere; {@code quiet} keeps only warnings and errors.
     */
    public static Progress to(PrintWriter err, boolean quiet) {
        Stderr stderr = Stderr.detect(err);
        return !quiet && stderr.redrawable() ? new LiveProgress(stderr) : new LogProgress(err, quiet);
    }

    /** How many fetches will report here; above one, a total line sums them up. */
    public synchronized void expect(int items) {
        this.expected = items;
    }

    /** A listener for one fetch. Close it when the fetch is over, however it ended. */
    public Tracker track() {
        return new Tracker(this);
    }

    @Override
    public abstract void close();

    /**
     * Shows a waiter's state; {@code news} is true when the task just began waiting or just learned who it waits
     * for (the holder records itself a moment after it takes the lock, so the first report may not know yet).
     */
    abstract void onWaiting(Task task, boolean news);

    abstract void onStarted(Task task);

    abstract void onProgress(Task task, long now);

    /** Prints a permanent line (not redrawn, never erased). */
    abstract void line(String text);

    synchronized void waiting(Task task, URI url, LockHolder owner, long ownerBytes, long ownerTotal) {
        boolean news = task.phase != Task.Phase.WAITING || task.owner == null && owner != null;
        task.url = url;
        task.owner = owner;
        task.ownerBytes = ownerBytes;
        task.ownerTotal = ownerTotal;
        activate(task, Task.Phase.WAITING);
        onWaiting(task, news);
    }

    synchronized void started(Task task, URI url, long total) {
        task.url = url;
        task.bytes = 0;
        task.total = total;
        task.startNanos = System.nanoTime();
        task.lastLoggedNanos = task.startNanos;
        task.rate.record(task.startNanos, 0);
        activate(task, Task.Phase.TRANSFERRING);
        onStarted(task);
    }

    /** The transfer continues a partial file from {@code offset}; the rate counts only the new bytes. */
    synchronized void resumed(Task task, URI url, long offset, long total) {
        started(task, url, total);
        task.bytes = offset;
        task.rate.record(task.startNanos, offset);
        if (!quiet) {
            line("hoard: resuming " + task.name() + " at " + ProgressText.bytes(offset)
                    + (total > 0 ? " of " + ProgressText.bytes(total) : ""));
        }
    }

    synchronized void retrying(int attempt, Duration delay, String reason) {
        if (!quiet) {
            line(String.format(Locale.ROOT, "hoard: %s; retry %d in %.1fs", reason, attempt,
                    delay.toMillis() / 1000.0));
        }
    }

    synchronized void progressed(Task task, long bytes, long total) {
        long now = System.nanoTime();
        task.bytes = bytes;
        if (total >= 0) {
            task.total = total;
        }
        task.rate.record(now, bytes);
        onProgress(task, now);
    }

    synchronized void warned(String message) {
        line("hoard: warning: " + message);
    }

    /** A permanent line of what the user should know, such as a lock waited for that no holder record names. */
    synchronized void noted(String message) {
        if (!quiet) {
            line("hoard: " + message);
        }
    }

    synchronized void finished(Task task, FetchResult result) {
        long now = System.nanoTime();
        if (!task.decompressing) {
            reportDownloaded(task, result.size(), result.status() == FetchStatus.DOWNLOADED
                    ? result.bytesTransferred() : 0, now, result.fromSharedTier());
        }
        succeeded++;
        finishedBytes += result.bytesTransferred();
        end(task); // off the board before the line is printed, so the block redrawn below it no longer shows it
        if (task.decompressing && !quiet) {
            line(String.format(Locale.ROOT, "hoard: decompressed %s into %s (%s in %.1fs)", task.name(),
                    result.path(), ProgressText.bytes(task.decompressedBytes),
                    Math.max(1e-3, (now - task.startNanos) / 1e9)));
        }
    }

    /**
     * The compressed file is in the cache and decompression into the output begins: the download (if any) is over,
     * so it is reported now, not after a decompression that may take longer.
     */
    synchronized void decompressionStarted(Task task, URI url, String format, long compressedBytes) {
        long now = System.nanoTime();
        reportDownloaded(task, task.bytes, task.bytes, now, false);
        task.url = url;
        task.bytes = 0;
        task.total = compressedBytes;
        task.startNanos = now;
        task.lastLoggedNanos = now;
        task.rate.record(now, 0);
        task.decompressing = true;
        activate(task, Task.Phase.TRANSFERRING);
        if (!quiet) {
            line("hoard: decompressing " + task.name() + " (" + format + ", " + ProgressText.bytes(compressedBytes)
                    + ")");
        }
    }

    synchronized void decompressed(Task task, long compressedRead, long compressedBytes, long decompressedBytes) {
        task.decompressedBytes = decompressedBytes;
        progressed(task, compressedRead, compressedBytes);
    }

    /** The "downloaded NAME (SIZE in Ts, RATE)" line, once per task, if this task received a body. */
    private void reportDownloaded(Task task, long size, long bytesTransferred, long now, boolean fromSharedTier) {
        if (task.phase != Task.Phase.TRANSFERRING || task.downloadReported || bytesTransferred <= 0 || quiet) {
            return;
        }
        task.downloadReported = true;
        double seconds = Math.max(1e-3, (now - task.startNanos) / 1e9);
        end(task);
        line(String.format(Locale.ROOT, "hoard: downloaded %s%s (%s in %.1fs, %s/s)", task.name(),
                fromSharedTier ? " from the shared tier" : "", ProgressText.bytes(size), seconds,
                ProgressText.bytes((long) (bytesTransferred / seconds))));
    }

    /** Reports a failed fetch; the error always shows, also with {@code --quiet}. */
    synchronized void failed(Task task, URI url, String message) {
        failed++;
        end(task);
        // Most messages name the URL already ("HTTP 404 for URL"); name it where they do not.
        line("hoard: " + (message.contains(url.toString()) ? message : url + ": " + message));
    }

    /**
     * The process is being stopped (Ctrl-C, SIGTERM) with fetches still running: says of each download in progress
     * that its partial file stays, for the next get of the URL to resume. Called from a shutdown hook; shown also
     * with {@code --quiet}, since it says where the bytes went.
     */
    public synchronized void interrupted() {
        for (Task task : List.copyOf(shown)) {
            if (task.phase == Task.Phase.TRANSFERRING && !task.decompressing && task.bytes > 0) {
                end(task);
                line("hoard: interrupted; the partial download of " + task.name() + " ("
                        + ProgressText.bytes(task.bytes) + (task.total > 0 ? " of " + ProgressText.bytes(task.total)
                        : "") + ") was kept: the next 'hoard get " + task.url + "' resumes it");
            }
        }
    }

    /** The tracker was closed: a fetch that neither finished nor failed here (its error is reported elsewhere). */
    synchronized void abandoned(Task task) {
        end(task);
    }

    /** The lines a live display shows now: one per active task, then the total when several fetches run. */
    synchronized List<String> board(int columns, long now) {
        List<String> lines = new ArrayList<>();
        int nameWidth = Math.min(Math.max(8, columns / 3),
                shown.stream().mapToInt(t -> t.name().length()).max().orElse(0));
        for (Task task : shown) {
            String state = task.phase == Task.Phase.WAITING ? ProgressText.waiting(task)
                    : ProgressText.transfer(task, now);
            lines.add(fit(task.name(), nameWidth) + "  " + state);
        }
        if (expected > 1 && !shown.isEmpty()) {
            lines.add(total(now));
        }
        return lines;
    }

    /** {@code total: 3 of 10 done, 1 failed, 1.2 GiB received, 45.0 MiB/s}. */
    synchronized String total(long now) {
        long bytes = finishedBytes;
        double rate = 0;
        for (Task task : shown) {
            if (task.phase == Task.Phase.TRANSFERRING) {
                bytes += task.bytes;
                rate += task.rate.rate(now, task.bytes);
            }
        }
        return "total: " + (succeeded + failed) + " of " + expected + " done"
                + (failed > 0 ? ", " + failed + " failed" : "") + ", " + ProgressText.bytes(bytes) + " received, "
                + ProgressText.bytes((long) rate) + "/s";
    }

    synchronized boolean anyActive() {
        return !shown.isEmpty();
    }

    synchronized boolean severalExpected() {
        return expected > 1;
    }

    private void activate(Task task, Task.Phase phase) {
        if (!task.active()) {
            shown.add(task);
        }
        task.phase = phase;
    }

    private void end(Task task) {
        shown.remove(task);
        task.phase = Task.Phase.OVER;
    }

    /** {@code name} cut to {@code width} characters (keeping its end, where versions and extensions are), padded. */
    private static String fit(String name, int width) {
        String cut = name.length() <= width ? name : "..." + name.substring(name.length() - width + 3);
        return cut + " ".repeat(width - cut.length());
    }
}
