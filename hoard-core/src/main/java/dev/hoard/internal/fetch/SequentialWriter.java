package dev.hoard.internal.fetch;

import dev.hoard.internal.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;

/**
 * Writes one body at a time at the end of the file, hashing behind the writes ({@link Transfer#receive}), with a
 * {@link Flusher} forcing the file every {@link Flusher#EVERY} bytes; each force that returns is recorded as a
 * checkpoint ({@code durable} in partial.json), so that after a power loss only fsynced bytes are trusted.
 */
final class SequentialWriter implements BodyWriter {
    private final DownloadContext context;
    private final PartialFile partial;
    private final Transfer transfer;
    private long transferred;

    SequentialWriter(DownloadContext context, PartialFile partial) {
        this.context = context;
        this.partial = partial;
        this.transfer = new Transfer(context.request().digest(), context.prefix());
    }

    /** How many bytes the file holds, all of them hashed. */
    long size() {
        return transfer.size();
    }

    /** Forgets the file's bytes: it is about to be rewritten from its first byte. */
    void reset() {
        transfer.reset();
    }

    /** Keeps the first {@code trusted} bytes a dead holder left, hashing them, and cuts off the rest. */
    void resume(long trusted) throws IOException {
        partial.truncate(trusted);
        transfer.hashExisting(partial.path(), trusted);
    }

    /** The file as it is: complete if the server's length says so (a holder that died after its last byte). */
    Transfer.Received received() {
        return transfer.result();
    }

    @Override
    public long transferred() {
        return transferred;
    }

    /** @param body a 200 (the caller emptied the file) or a 206 that starts at {@link #size()} */
    @Override
    @SuppressWarnings("try") // the flusher is closed early, before the checkpoint; the try's own close is a no-op
    public Written write(Reply.Body body) throws IOException {
        long total = body.total();
        if (transfer.size() == 0) {
            context.listener().started(context.url(), total);
        }
        try (HttpResponse response = body.response(); InputStream in = response.body(); FileChannel out = partial.open(transfer.size());
                Flusher flusher = new Flusher(out, transfer.size())) {
            long start = transfer.size();
            try {
                transfer.receive(in, out, size -> advanced(flusher, size, total), true);
            } finally {
                transferred += transfer.size() - start;
                flusher.close(); // waits for a force in progress: a failed attempt leaves the latest checkpoint
                partial.checkpoint(flusher.durable());
            }
        } catch (Transfer.BodyReadException e) {
            body.response().abort();
            return new Broken(new Reply.Retry("download of " + body.response().uri() + " broke off after "
                    + transfer.size() + " bytes: " + e.getMessage(), 0, null, e));
        }
        long expectedEnd = total >= 0 ? total : body.end();
        if (expectedEnd >= 0 && transfer.size() != expectedEnd) {
            body.response().abort();
            return new Broken(new Reply.Retry("body of " + body.response().uri() + " ended after " + transfer.size()
                    + " of " + expectedEnd + " bytes", 0, null, null));
        }
        return new Whole(transfer.result());
    }

    /** Bytes were written: tells the listener and the flusher, and records a checkpoint once the flusher forced. */
    private void advanced(Flusher flusher, long size, long total) throws IOException {
        context.listener().progress(context.url(), size, total);
        flusher.written(size);
        partial.checkpoint(flusher.durable());
    }
}
