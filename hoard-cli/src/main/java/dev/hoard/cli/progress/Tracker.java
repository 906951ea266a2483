package dev.hoard.cli.progress;

import dev.hoard.FetchListener;
import dev.hoard.FetchResult;
import dev.hoard.LockHolder;
import java.net.URI;
import java.time.Duration;

/** Reports one fetch to a {@link Progress}. Made by {@link Progress#track()}; used by one fetching thread. */
public final class Tracker implements FetchListener, AutoCloseable {
    private final Progress display;
    private final Task task = new Task();

    Tracker(Progress display) {
        this.display = display;
    }

    @Override
    public void waiting(URI url, LockHolder holder, long holderBytes, long totalBytes) {
        display.waiting(task, url, holder, holderBytes, totalBytes);
    }

    @Override
    public void started(URI url, long totalBytes) {
        display.started(task, url, totalBytes);
    }

    @Override
    public void resumed(URI url, long offset, long totalBytes) {
        display.resumed(task, url, offset, totalBytes);
    }

    @Override
    public void retrying(URI url, int attempt, Duration delay, String reason) {
        display.retrying(attempt, delay, reason);
    }

    @Override
    public void progress(URI url, long bytes, long totalBytes) {
        display.progressed(task, bytes, totalBytes);
    }

    @Override
    public void decompressionStarted(URI url, String format, long compressedBytes) {
        display.decompressionStarted(task, url, format, compressedBytes);
    }

    @Override
    public void decompressionProgress(URI url, long compressedRead, long compressedBytes, long decompressedBytes) {
        display.decompressed(task, compressedRead, compressedBytes, decompressedBytes);
    }

    @Override
    public void warning(URI url, String message) {
        display.warned(message);
    }

    @Override
    public void finished(FetchResult result) {
        display.finished(task, result);
    }

    /** Says {@code message} on a line of its own (not with {@code --quiet}), e.g. what this fetch waits for. */
    public void note(String message) {
        display.noted(message);
    }

    /** The fetch of {@code url} failed with {@code message}: shown as an error line, counted in the total. */
    public void failed(URI url, String message) {
        display.failed(task, url, message);
    }

    @Override
    public void close() {
        display.abandoned(task);
    }
}
