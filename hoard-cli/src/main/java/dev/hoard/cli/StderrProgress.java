package dev.hoard.cli;

import dev.hoard.FetchListener;
import dev.hoard.FetchResult;
import dev.hoard.LockOwner;
import dev.hoard.cli.progress.Progress;
import dev.hoard.cli.progress.Tracker;
import java.net.URI;
import java.time.Duration;

/**
 * The progress of one {@code hoard get} on stderr: a live line on a terminal, plain start and end lines otherwise
 * (see {@link Progress}). Warnings show even with {@code --quiet}; errors are printed by {@link ExitCodes}.
 */
final class StderrProgress implements FetchListener, AutoCloseable {
    private final Progress progress;
    private final Tracker tracker;

    StderrProgress(boolean quiet) {
        this.progress = Progress.toStderr(quiet);
        this.tracker = progress.track();
    }

    @Override
    public void waiting(URI url, LockOwner owner, long ownerBytes, long totalBytes) {
        tracker.waiting(url, owner, ownerBytes, totalBytes);
    }

    @Override
    public void started(URI url, long totalBytes) {
        tracker.started(url, totalBytes);
    }

    @Override
    public void resumed(URI url, long offset, long totalBytes) {
        tracker.resumed(url, offset, totalBytes);
    }

    @Override
    public void retrying(URI url, int attempt, Duration delay, String reason) {
        tracker.retrying(url, attempt, delay, reason);
    }

    @Override
    public void progress(URI url, long bytes, long totalBytes) {
        tracker.progress(url, bytes, totalBytes);
    }

    @Override
    public void warning(URI url, String message) {
        tracker.warning(url, message);
    }

    @Override
    public void finished(FetchResult result) {
        tracker.finished(result);
    }

    @Override
    public void close() {
        tracker.close();
        progress.close();
    }
}
