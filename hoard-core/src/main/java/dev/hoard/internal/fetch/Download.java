package dev.hoard.internal.fetch;

import dev.hoard.DownloadException;
import dev.hoard.internal.store.CacheEntry;
import dev.hoard.internal.store.EntryMetadata;
import dev.hoard.internal.store.PartialRecord;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One download into one partial file, by the entry's lock holder (or, for --no-cache, into a temp file): the
 * sources in order, and on each an attempt loop. Each attempt is an {@link Ask} that {@link Exchange} answers with a
 * {@link Reply}; a body goes to the {@link BodyWriter} that the {@link SegmentationPolicy} chooses; failures spend
 * the source's one {@link RetryBudget}.
 *
 * <p><b>Resumption.</b> If the file already holds bytes whose validators are known, the attempt asks for the rest
 * ({@code Range} + {@code If-Range}); a 206 that starts where the file ends is appended, a 200 (the remote changed or
 * ignores ranges) starts the file over, a range elsewhere empties it. The digests always cover exactly the bytes in
 * the file, so a resumed file is verified whole. A segmented partial resumes each segment where its progress file
 * says it stopped.
 *
 * <p><b>Mirrors.</b> When a source fails for good, the next one is tried. Resuming across sources is done only with
 * an expected digest (which checks the joined file); without one, a mirror's validators say nothing about another
 * server's bytes, so the file starts over.
 */
final class Download {

    /** How a download ended. */
    sealed interface Outcome permits Unchanged, Complete {
    }

    /** The server confirmed the cached copy (304, or a 200 with the cached validators). */
    record Unchanged() implements Outcome {
    }

    /** The partial file holds the whole content; not yet verified against an expected digest. */
    record Complete(Transfer.Received received, String etag, String lastModified, String contentType,
            long bytesTransferred) implements Outcome {
    }

    private final DownloadContext context;
    private final PartialFile partial;
    private final SequentialWriter sequential;
    private final List<BodyWriter> segmentedRuns = new ArrayList<>();
    private boolean splitAllowed = true;
    private boolean rangedStart;
    private String contentType;
    private boolean warnedEncoded;

    /**
     * @param partial the file to write; it holds {@code adopted}'s bytes if one is given, else it is (re)created
     * @param entry   the cache entry whose partial record to keep, or null (--no-cache)
     * @param adopted what {@code partial} already holds, from a dead holder, or null
     */
    Download(DownloadContext context, Path partial, CacheEntry entry, PartialRecord adopted) {
        this.context = context;
        this.partial = new PartialFile(partial, entry, adopted, context.prefix());
        this.sequential = new SequentialWriter(context, this.partial);
        this.rangedStart = context.policy().startsRanged();
    }

    /**
     * Runs attempts until the content is complete, the server says it is unchanged, or every source has failed.
     *
     * @param known the cached version, for a conditional request to the first source; null if none
     * @param first the reply to {@code Ask.ifChanged(url, known)} that the caller already has (a revalidation's
     *              200), or null
     * @throws DownloadException    when every source failed; it carries the last failure
     * @throws IOException          when writing the file failed (disk full, permissions): not retried
     * @throws InterruptedException while waiting to retry
     */
    Outcome run(EntryMetadata known, Reply first) throws IOException, InterruptedException {
        resumeAdopted();
        List<URI> sources = new ArrayList<>();
        sources.add(context.url());
        sources.addAll(context.request().mirrors());
        DownloadException last = null;
        for (int i = 0; i < sources.size(); i++) {
            boolean primary = i == 0;
            try {
                return fromSource(sources.get(i), primary ? known : null, primary ? first : null);
            } catch (DownloadException e) {
                last = e;
                if (i < sources.size() - 1) {
                    context.listener().warning(context.url(), e.getMessage() + "; trying the next mirror");
                }
            }
        }
        throw last;
    }

    /** Hashes what a dead holder left of a file written front to back (a segmented one is hashed as it resumes). */
    private void resumeAdopted() throws IOException {
        PartialRecord adopted = partial.record();
        if (adopted == null) {
            partial.truncate(0);
        } else if (adopted.segments().isEmpty()) {
            sequential.resume(adopted.trustedLength(partial.size()));
        }
    }

    private Outcome fromSource(URI source, EntryMetadata known, Reply first) throws IOException, InterruptedException {
        RetryBudget budget = context.newBudget();
        Reply reply = first;
        while (true) {
            Optional<Outcome> outcome;
            if (reply == null && resumesSegments(source)) {
                outcome = written(segmented(source, partial.trustedSegments(), budget).write(null), budget);
            } else {
                outcome = answer(source, reply != null ? reply : context.exchange().send(nextAsk(source, known)),
                        budget);
            }
            reply = null;
            if (outcome.isPresent()) {
                return outcome.get();
            }
        }
    }

    /** The next request to {@code source}: the rest of the file, its first range, or all of it (if changed). */
    private Ask nextAsk(URI source, EntryMetadata known) {
        PartialRecord record = partial.record();
        if (canResumeFrom(source)) {
            String validator = source.toString().equals(record.source()) ? record.ifRangeValidator() : null;
            return Ask.range(source, sequential.size(), -1, validator, record.length());
        }
        if (known != null) {
            return Ask.ifChanged(source, known);
        }
        return rangedStart && splitAllowed ? Ask.range(source, 0, SegmentationPolicy.FIRST_RANGE_BYTES, null, -1)
                : Ask.whole(source);
    }

    /** Bytes can be kept if the server can be asked for the rest: same source with a validator, or a digest. */
    private boolean canResumeFrom(URI source) {
        PartialRecord record = partial.record();
        if (!partial.resumable() || !record.segments().isEmpty() || sequential.size() == 0) {
            return false;
        }
        boolean sameSource = source.toString().equals(record.source()) && record.ifRangeValidator() != null;
        return sameSource || context.request().digest() != null;
    }

    /** A partial of a segmented download can be continued from this source: its own, or any with a digest. */
    private boolean resumesSegments(URI source) {
        PartialRecord record = partial.record();
        return splitAllowed && record != null && !record.segments().isEmpty()
                && (source.toString().equals(record.source()) || context.request().digest() != null);
    }

    private Optional<Outcome> answer(URI source, Reply reply, RetryBudget budget)
            throws IOException, InterruptedException {
        return switch (reply) {
            case Reply.Unchanged unchanged -> Optional.of(new Unchanged());
            case Reply.Body body -> written(receive(source, body, budget), budget);
            case Reply.RangeMismatch mismatch -> mismatched(mismatch, budget);
            case Reply.Retry retry -> {
                budget.retry(retry, sequential.size(), new RetryBudget.Stop());
                yield Optional.empty();
            }
            case Reply.Fail fail -> throw fail.failure();
        };
    }

    /** Hands a body to the writer it needs: from byte 0, the file starts over, perhaps split; else it continues. */
    private BodyWriter.Written receive(URI source, Reply.Body body, RetryBudget budget)
            throws IOException, InterruptedException {
        try {
            return write(source, body, budget);
        } catch (IOException | InterruptedException | RuntimeException e) {
            body.response().abort(); // in case no writer got as far as closing it
            throw e;
        }
    }

    private BodyWriter.Written write(URI source, Reply.Body body, RetryBudget budget)
            throws IOException, InterruptedException {
        if (body.encoded() && !body.whole()) {
            body.response().abort();
            return new BodyWriter.StartOver(source + " sent a range " + body.response().contentEncoding()
                    + "-encoded, which cannot be joined to other bytes: ask for all of it on one connection");
        }
        if (body.offset() > 0) {
            context.listener().resumed(context.url(), sequential.size(), body.total());
            return sequential.write(body);
        }
        sequential.reset();
        partial.start(source, body);
        contentType = body.header("Content-Type");
        if (body.encoded()) {
            warnEncoded(source, body);
            return sequential.write(body); // decoded front to back: never split, never resumed by range
        }
        long total = body.total();
        boolean verifiable = partial.record().ifRangeValidator() != null || context.request().digest() != null;
        boolean acceptsRanges = !body.whole() || "bytes".equalsIgnoreCase(body.header("Accept-Ranges"));
        if (splitAllowed && total >= 0 && context.policy().splits(total, acceptsRanges, verifiable)) {
            long firstEnd = body.whole() ? 0 : body.end();
            return segmented(source, context.policy().split(firstEnd, total), budget).write(body);
        }
        if (!body.whole() && body.end() != total) {
            body.response().abort();
            return new BodyWriter.StartOver("a first range of a file that is not split: ask for all of it instead");
        }
        return sequential.write(body);
    }

    private void warnEncoded(URI source, Reply.Body body) {
        if (!warnedEncoded) {
            warnedEncoded = true;
            String coding = body.response().contentEncoding();
            context.listener().warning(context.url(), source + " was sent " + coding + "-compressed (Content-Encoding: "
                    + coding + ") although it was asked for as is; keeping the decoded content, the file that "
                    + "checksums describe (it cannot be resumed or split)");
        }
    }

    private SegmentedWriter segmented(URI source, List<PartialRecord.Segment> segments, RetryBudget budget) {
        SegmentedWriter writer = new SegmentedWriter(context, source, partial, segments, budget);
        segmentedRuns.add(writer);
        return writer;
    }

    private Optional<Outcome> written(BodyWriter.Written written, RetryBudget budget)
            throws IOException, InterruptedException {
        return switch (written) {
            case BodyWriter.Whole whole -> Optional.of(complete(whole.received()));
            case BodyWriter.Broken broken -> {
                budget.retry(broken.why(), sequential.size(), new RetryBudget.Stop());
                yield Optional.empty();
            }
            case BodyWriter.StartOver startOver -> {
                // Ranges are not to be used here (the remote changed or ignores them, an encoded range, a first
                // range not worth splitting): the file starts over with one whole-file request, for good.
                splitAllowed = false;
                rangedStart = false;
                sequential.reset();
                partial.forget();
                yield Optional.empty();
            }
        };
    }

    /**
     * A range that does not continue the file. A 416 whose {@code bytes *}{@code /N} says the file is exactly what we
     * hold means a holder died after its last byte; trusted only with an expected digest, which checks the file
     * whole (without one, a same-sized new version is indistinguishable). Anything else starts the file over.
     */
    private Optional<Outcome> mismatched(Reply.RangeMismatch mismatch, RetryBudget budget) throws IOException {
        PartialRecord record = partial.record();
        if (context.request().digest() != null && record != null && mismatch.serverLength() >= 0
                && mismatch.serverLength() == sequential.size() && sequential.size() == record.length()) {
            return Optional.of(complete(sequential.received()));
        }
        sequential.reset();
        partial.forget();
        budget.spend(new Reply.Retry("the server kept answering with ranges that do not continue the file: "
                + mismatch.reason(), 0, null, null), sequential.size());
        return Optional.empty();
    }

    private Outcome complete(Transfer.Received received) {
        PartialRecord record = partial.record();
        long transferred = sequential.transferred()
                + segmentedRuns.stream().mapToLong(BodyWriter::transferred).sum();
        return new Complete(received, record == null ? null : record.etag(),
                record == null ? null : record.lastModified(), contentType, transferred);
    }
}
