package dev.hoard.internal.step;

import dev.hoard.FetchListener;
import dev.hoard.FetchResult;
import dev.hoard.LockHolder;
import java.net.URI;
import java.time.Duration;

/**
 * A listener that passes every event on; steps that wrap a fetch override only the events they change, so that a new
 * event added to {@link FetchListener} reaches the caller through every step without touching them.
 */
public abstract class ForwardingListener implements FetchListener {
    private final FetchListener delegate;

    protected ForwardingListener(FetchListener delegate) {
        this.delegate = delegate;
    }

    @Override
    public void waiting(URI url, LockHolder holder, long holderBytes, long totalBytes) {
        delegate.waiting(url, holder, holderBytes, totalBytes);
    }

    @Override
    public void started(URI url, long totalBytes) {
        delegate.started(url, totalBytes);
    }

    @Override
    public void resumed(URI url, long offset, long totalBytes) {
        delegate.resumed(url, offset, totalBytes);
    }

    @Override
    public void retrying(URI url, int attempt, Duration delay, String reason) {
        delegate.retrying(url, attempt, delay, reason);
    }

    @Override
    public void progress(URI url, long bytes, long totalBytes) {
        delegate.progress(url, bytes, totalBytes);
    }

    @Override
    public void decompressionStarted(URI url, String format, long compressedBytes) {
        delegate.decompressionStarted(url, format, compressedBytes);
    }

    @Override
    public void decompressionProgress(URI url, long compressedRead, long compressedBytes, long decompressedBytes) {
        delegate.decompressionProgress(url, compressedRead, compressedBytes, decompressedBytes);
    }

    @Override
    public void warning(URI url, String message) {
        delegate.warning(url, message);
    }

    @Override
    public void finished(FetchResult result) {
        delegate.finished(result);
    }
}
