package dev.hoard.cli;

import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import dev.hoard.FetchResult;
import dev.hoard.Hoard;
import dev.hoard.cli.progress.Progress;
import dev.hoard.cli.progress.Tracker;
import dev.hoard.internal.lima.DirectoryLock;
import dev.hoard.internal.lima.LimaCache;
import dev.hoard.internal.lima.LimaFetcher;
import dev.hoard.internal.lima.LimaFile;
import dev.hoard.internal.lima.LimaPlan;
import dev.hoard.internal.lima.Limactl;
import dev.hoard.internal.lima.TemplateResolver;
import dev.hoard.internal.lima.TemplateStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hoard lima prefetch}: resolves Lima templates, then fetches what {@code limactl start} would download for
 * them through hoard's cache and writes each file into Lima's cache as Lima would, under Lima's lock.
 */
@Command(name = "prefetch", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = HoardCommand.Version.class,
        description = {
            "Download what 'limactl start TEMPLATE' would download — for the arch, the first image that can be "
                    + "fetched with its kernel and initrd, the containerd archive when containerd is enabled, the "
                    + "firmware when the template names any — through hoard's cache, and write each into Lima's "
                    + "cache as Lima would (url, data, <algo>.digest, time, type). 'data' is a hard link to hoard's "
                    + "file when both caches are on one file system, else a copy.",
            "",
            "TEMPLATE is a file, an http(s) URL or template:NAME (looked up in LIMA_TEMPLATES_PATH, else "
                    + "~/.lima/_templates and the templates beside limactl). base: chains are resolved as Lima "
                    + "does. Every template is read and resolved before anything is fetched: a missing template, a "
                    + "base cycle, an unknown field (named by file and line) or no image for the arch is exit 2, "
                    + "and nothing is written to either cache.",
            "",
            "Lima's lock (flock on the entry directory) is held while an entry is checked, fetched and written, so "
                    + "a limactl start at the same time waits and then finds it; hoard waits, saying so, while "
                    + "limactl holds it. Needs Java 22 or newer.",
            "",
        },
        footer = {"", "Prints a table (status, size, kind, URL) or, with --json, a JSON array on stdout; progress "
                + "goes to stderr. Exit codes as for 'hoard prefetch'."})
final class LimaPrefetchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "TEMPLATE", arity = "1..*",
            description = "Lima templates: files, http(s) URLs or template:NAME.")
    List<String> templates;

    @Option(names = "--arch", paramLabel = "ARCH",
            description = "Prefetch for this arch (x86_64, aarch64, armv7l, riscv64, s390x, ppc64le), instead of "
                    + "the template's, else the host's.")
    String arch;

    @Option(names = "--lima-cache", paramLabel = "DIR",
            description = "Lima's cache directory (default: Lima's, e.g. $XDG_CACHE_HOME/lima or ~/.cache/lima; "
                    + "~/Library/Caches/lima on macOS).")
    Path limaCache;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N",
            description = "Fetch N files at a time (default: " + PrefetchCommand.DEFAULT_JOBS + ", or fewer if "
                    + "there are fewer).")
    Integer jobs;

    @Mixin
    CacheDirOption cache;

    @Mixin
    NetworkOptions network;

    @Mixin
    CredentialOptions credentials;

    @Mixin
    SharedTierOptions sharedTier;

    @Option(names = "--json", description = "Print a JSON array on stdout: one object per file, with the fields of "
            + "'get --json' (path is Lima's data file) plus kind, arch, template, limaEntry, limaData (linked, "
            + "copied, kept or local) and error.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress output (warnings and errors still show).")
    boolean quiet;

    /** One group to fetch, and the template it is for. */
    record Work(LimaPlan plan, LimaPlan.Group group) {
    }

    @Override
    public Integer call() throws Exception {
        if (jobs != null && jobs < 1) {
            throw new IllegalArgumentException("--jobs must be at least 1, not " + jobs);
        }
        if (limaCache != null && limaCache.toString().isBlank()) {
            throw new IllegalArgumentException("--lima-cache is empty; name a directory, or leave it out for "
                    + "Lima's own");
        }
        DirectoryLock.checkSupported();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> env = System.getenv();
        Path hoardDir = cache.resolve();
        var options = sharedTier.apply(network.apply(hoardDir));
        try (LazyHoard hoard = new LazyHoard(options)) {
            List<Work> work = plan(env, hoard);
            LimaFetcher fetcher = new LimaFetcher(hoard.get(), new LimaCache(limaCache != null ? limaCache
                    : LimaCache.defaultRoot(env)), credentials::apply);
            List<LimaReport.Row> rows;
            try (Progress progress = Progress.to(err, quiet)) {
                progress.expect(work.stream().mapToInt(w -> w.group().choices().getFirst().parts().size()).sum());
                int threads = jobs != null ? jobs : Math.max(1, Math.min(PrefetchCommand.DEFAULT_JOBS, work.size()));
                rows = InterruptNotice.around(progress, () -> run(work, fetcher, progress, threads));
            }
            out.print(json ? LimaReport.json(rows) : LimaReport.table(rows));
            out.flush();
            List<LimaReport.Row> failures = rows.stream().filter(r -> r.failure() != null).toList();
            if (!failures.isEmpty()) {
                err.println("hoard: " + failures.size() + " of " + rows.size() + " files failed: "
                        + failures.stream().map(r -> r.file().location()).collect(Collectors.joining(", ")));
            }
            return ExitCodes.mostSevere(failures.stream().map(r -> ExitCodes.code(r.failure())).toList());
        }
    }

    /** Resolves every template before anything is fetched; a group listed by two templates is fetched once. */
    private List<Work> plan(Map<String, String> env, LazyHoard hoard) throws IOException, InterruptedException {
        TemplateResolver resolver = new TemplateResolver(TemplateStore.fromEnvironment(env), url -> readUrl(hoard,
                url));
        Path limactl = Limactl.find(env);
        var builtIn = new java.util.concurrent.atomic.AtomicReference<List<LimaFile>>();
        LimaPlan.DefaultArchives defaults = () -> { // asked once, and only if a template needs it
            if (limactl != null && builtIn.get() == null) {
                builtIn.set(Limactl.defaultContainerdArchives(limactl));
            }
            return builtIn.get();
        };
        Map<List<String>, Work> work = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (String template : templates) {
            LimaPlan plan = LimaPlan.of(template, resolver.resolve(template), arch, defaults);
            notes.addAll(plan.notes());
            for (LimaPlan.Group group : plan.groups()) {
                List<String> key = group.choices().stream().flatMap(c -> c.parts().stream())
                        .map(p -> p.file().location()).toList();
                work.putIfAbsent(key, new Work(plan, group));
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        notes.forEach(note -> err.println("hoard: " + note));
        err.flush();
        return List.copyOf(work.values());
    }

    /** A template at an http(s) URL: fetched through the cache (revalidated like any file), then read. */
    private String readUrl(LazyHoard hoard, URI url) throws IOException, InterruptedException {
        FetchResult result;
        try {
            result = hoard.get().fetch(credentials.apply(FetchRequest.of(url)), FetchListener.NONE);
        } catch (dev.hoard.DownloadException e) {
            if (e.httpStatus() == 404 || e.httpStatus() == 410) {
                throw new dev.hoard.internal.lima.TemplateException("template " + url + " not found (HTTP "
                        + e.httpStatus() + ")");
            }
            throw e;
        }
        return Files.readString(result.cachePath(), StandardCharsets.UTF_8);
    }

    private static List<LimaReport.Row> run(List<Work> work, LimaFetcher fetcher, Progress progress, int threads)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads,
                Thread.ofPlatform().daemon().name("hoard-lima-", 1).factory());
        try {
            List<Future<List<LimaReport.Row>>> running = new ArrayList<>();
            for (Work w : work) {
                running.add(pool.submit(() -> fetch(w, fetcher, progress)));
            }
            List<LimaReport.Row> rows = new ArrayList<>();
            for (Future<List<LimaReport.Row>> done : running) {
                rows.addAll(done.get());
            }
            return rows;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a fetch thread failed unexpectedly", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<LimaReport.Row> fetch(Work work, LimaFetcher fetcher, Progress progress) {
        List<Tracker> trackers = new ArrayList<>();
        Tracker notes = progress.track();
        try {
            List<LimaFetcher.Result> results = fetcher.fetch(work.group(), () -> {
                Tracker tracker = progress.track();
                trackers.add(tracker);
                return tracker;
            }, notes::note);
            return results.stream().map(r -> new LimaReport.Row(work.plan(), r.part().kind(), r.part().file(), r,
                    null)).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LimaPlan.Part first = work.group().choices().getFirst().parts().getFirst();
            return List.of(new LimaReport.Row(work.plan(), first.kind(), first.file(), null, e));
        } catch (LimaFetcher.GroupFailure e) {
            LimaPlan.Part part = e.part();
            Tracker failed = trackers.isEmpty() ? notes : trackers.getLast();
            failed.failed(shown(part.file().location()), ExitCodes.message(e.failure()));
            return List.of(new LimaReport.Row(work.plan(), part.kind(), part.file(), null, e.failure()));
        } finally {
            trackers.forEach(Tracker::close);
            notes.close();
        }
    }

    /** A location as a URI for the progress display, whatever it holds (a local path may have any character). */
    private static URI shown(String location) {
        try {
            return new URI(location);
        } catch (java.net.URISyntaxException e) {
            return URI.create("file:///").resolve(location.replaceAll("[^A-Za-z0-9._~/-]", "_"));
        }
    }

    /** Opens hoard's cache only when something needs it, so that a template error writes nothing there. */
    private static final class LazyHoard implements AutoCloseable {
        private final dev.hoard.HoardOptions options;
        private Hoard hoard;

        LazyHoard(dev.hoard.HoardOptions options) {
            this.options = options;
        }

        synchronized Hoard get() throws IOException {
            if (hoard == null) {
                hoard = Hoard.open(options);
            }
            return hoard;
        }

        @Override
        public synchronized void close() {
            if (hoard != null) {
                hoard.close();
            }
        }
    }
}
