package dev.hoard.cli.prefetch;

import dev.hoard.FetchResult;
import dev.hoard.Hoard;
import dev.hoard.cli.progress.Progress;
import dev.hoard.cli.progress.Tracker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;

/**
 * Runs a {@link PrefetchPlan} on a fixed number of threads. Each fetch is the library's ordinary fetch, so the
 * cache's locks keep every file downloaded once even with other prefetches and gets running at the same time. A
 * failure ends only its own item: the others go on and are cached.
 */
public final class Prefetcher {

    /**
     * What became of one fetch: a result, or the failure that stopped it.
     *
     * @param fetch   the planned fetch
     * @param result  the library's result, or null if it failed
     * @param failure why it failed, or null
     */
    public record Outcome(PrefetchPlan.Fetch fetch, FetchResult result, Exception failure) {
    }

    private final Hoard hoard;
    private final Progress progress;
    private final int jobs;
    private final Function<Exception, String> describe;

    /** @param describe turns a failure into the one-line message the user sees */
    public Prefetcher(Hoard hoard, Progress progress, int jobs, Function<Exception, String> describe) {
        if (jobs < 1) {
            throw new IllegalArgumentException("--jobs must be at least 1, not " + jobs);
        }
        this.hoard = hoard;
        this.progress = progress;
        this.jobs = jobs;
        this.describe = describe;
    }

    /**
     * Fetches everything in the plan and returns one outcome per fetch, in the plan's order.
     *
     * @throws InterruptedException this thread was interrupted; running fetches are interrupted too
     */
    public List<Outcome> run(PrefetchPlan plan) throws InterruptedException {
        progress.expect(plan.fetches().size());
        ExecutorService pool = Executors.newFixedThreadPool(jobs, daemonThreads());
        try {
            List<Future<Outcome>> running = new ArrayList<>();
            for (PrefetchPlan.Fetch fetch : plan.fetches()) {
                running.add(pool.submit(() -> fetch(fetch)));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> outcome : running) {
                outcomes.add(outcome.get());
            }
            return outcomes;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a fetch thread failed unexpectedly", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private Outcome fetch(PrefetchPlan.Fetch fetch) {
        try (Tracker tracker = progress.track()) {
            try {
                return new Outcome(fetch, hoard.fetch(fetch.request(), tracker), null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(fetch, null, e);
            } catch (IOException | RuntimeException e) {
                tracker.failed(fetch.request().uri(), describe.apply(e));
                return new Outcome(fetch, null, e);
            }
        }
    }

    private static ThreadFactory daemonThreads() {
        return Thread.ofPlatform().daemon().name("hoard-prefetch-", 1).factory();
    }
}
