/**
 * The fetch protocol: how a request is answered from the cache or the network.
 *
 * <h2>The pipeline</h2>
 *
 * <pre>
 *  Fetcher ── hit? ──► blob (no lock, no network)
 *     │ miss, or a 200 to the lock-free revalidation
 *     ▼ entry lock
 *  Download: for each source (the URL, then its mirrors), one RetryBudget, then attempts:
 *     Ask ──► Exchange.send ──► Reply ─┬─ Unchanged ───────► the cached copy, revalidated
 *     (whole, rest, range,             ├─ Body ──► BodyWriter (chosen by SegmentationPolicy)
 *      if-changed: the one             │             ├─ SequentialWriter: front to back
 *      place headers are made)         │             └─ SegmentedWriter: workers, each
 *                                      │                 Ask ─► Exchange ─► Reply, per segment
 *                                      ├─ RangeMismatch ───► start the file over
 *                                      ├─ Retry ───────────► RetryBudget: wait, or give up the source
 *                                      └─ Fail ────────────► give up the source, try the next
 *     ▼ Complete
 *  Fetcher: verify the digest, publish the blob (rename), write meta.json
 * </pre>
 *
 * <p>Each rule lives once: {@link dev.hoard.internal.fetch.Ask} turns a request into headers ({@code Range},
 * {@code If-Range}, {@code If-None-Match}, {@code If-Modified-Since}); {@link dev.hoard.internal.fetch.Exchange}
 * sorts every response (which statuses are retried, what a {@code Content-Range} must say, when a 200 is the cached
 * content, which content encodings are refused, and what a 401 or 403 means) and adds each source's credentials
 * ({@link dev.hoard.internal.auth.AuthHeaders}), which the transport sends to that source's origin only;
 * {@link dev.hoard.internal.fetch.RetryBudget} counts failures (progress resets the count) and waits,
 * interruptibly and abandonably, for the whole-file loop and every segment worker alike;
 * {@link dev.hoard.internal.fetch.SegmentationPolicy} holds the thresholds and the ramp. A download's fixed parts
 * travel in one {@link dev.hoard.internal.fetch.DownloadContext}; its mutable state, the partial file and its
 * record, in one {@link dev.hoard.internal.fetch.PartialFile}, touched by the download's own thread only.
 *
 * <p>The on-disk side (partial.json, the segment progress file, publishing) is in docs/cache-layout.md.
 */
package dev.hoard.internal.fetch;
