package dev.hoard.cli.progress;

import dev.hoard.cli.progress.Task.Phase;
import java.io.PrintWriter;

/**
 * Progress for logs, pipes and {@code --quiet}: plain lines with no escape codes. A line when a download starts and
 * when it ends, a line when a fetch starts waiting for another process, and at most one progress line every ten
 * seconds while it lasts (for several fetches at once, the total line).
 */
final class LogProgress extends Progress {
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private long totalLoggedNanos = System.nanoTime(); // guarded by this

    LogProgress(PrintWriter err, boolean quiet) {
        super(err, quiet);
    }

    @Override
    void onWaiting(Task task, boolean news) {
        long now = System.nanoTime();
        if (!quiet && (news || now - task.lastLoggedNanos >= LOG_EVERY_NANOS)) {
            task.lastLoggedNanos = now;
            line("hoard: " + task.name() + ": " + ProgressText.waiting(task));
        }
    }

    @Override
    void onStarted(Task task) {
        if (!quiet) {
            line("hoard: downloading " + task.url
                    + (task.total >= 0 ? " (" + ProgressText.bytes(task.total) + ")" : ""));
        }
    }

    @Override
    void onProgress(Task task, long now) {
        if (quiet || task.phase != Phase.TRANSFERRING) {
            return;
        }
        if (severalExpected()) {
            if (now - totalLoggedNanos >= LOG_EVERY_NANOS) {
                totalLoggedNanos = now;
                line("hoard: " + total(now));
            }
        } else if (now - task.lastLoggedNanos >= LOG_EVERY_NANOS) {
            task.lastLoggedNanos = now;
            line("hoard: " + task.name() + ": "
                    + ProgressText.transfer(task, now).strip());
        }
    }

    @Override
    void line(String text) {
        err.println(text);
        err.flush();
    }

    @Override
    public void close() {
        err.flush();
    }
}
