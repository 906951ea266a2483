package dev.hoard.cli;

import dev.hoard.Hoard;
import dev.hoard.cli.prefetch.PrefetchPlan;
import dev.hoard.cli.prefetch.Prefetcher;
import dev.hoard.cli.prefetch.Prefetcher.Outcome;
import dev.hoard.cli.progress.Progress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hoard prefetch}: fetch every item of one or more manifests into the cache, several at a time. */
@Command(name = "prefetch", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = HoardCommand.Version.class,
        description = {
            "Download every item of the MANIFEST files into the cache, N at a time. Items listed twice (same URL "
                    + "and output, in any of the manifests) are fetched once. Each item is an ordinary fetch, so "
                    + "prefetches and gets running at the same time still download each file once.",
            "",
            "Manifest formats, by file name:",
            "  *.yaml, *.yml, *.json  a list of items, each a mapping of:",
            "      url        the URL (required)",
            "      digest     the expected digest, ALGO:HEX",
            "      mirrors    a list of further URLs with the same content",
            "      output     where to place a copy, relative to the manifest's directory",
            "      headers    a mapping of headers to send to the URL's host, e.g.",
            "                 Authorization: Bearer TOKEN (they win over --header)",
            "  anything else          plain text: one 'URL [DIGEST]' per line;",
            "                         blank lines and lines starting with # are ignored",
            "A malformed manifest is an error (exit 2, naming file, line and column) and nothing is fetched.",
            "",
        },
        footer = {"", "Prints a table (status, size, URL; the error below a failed item) or, with --json, a JSON "
                + "array on stdout; progress goes to stderr. Exit 0 only if every item succeeded; otherwise the "
                + "other items are still cached and the exit code is that of the most severe failure, in this order: "
                + "130 interrupted, 3 digest mismatch, 2 usage, 4 network/HTTP, 6 offline, 5 lock timeout, 1 I/O."})
final class PrefetchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    /**
     * Four parallel fetches by default: more connections rarely make one network link faster, while each costs a
     * socket, a 1 MiB buffer and a SHA-256 stream; four overlap the latency of small files and keep a slow origin
     * from stalling the rest. aria2 and browsers use 5-6 per host for the same reasons.
     */
    static final int DEFAULT_JOBS = 4;

    @Parameters(paramLabel = "MANIFEST", arity = "1..*", description = "Manifest files (YAML, JSON or text).")
    List<Path> manifests;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N",
            description = "Fetch N items at a time (default: " + DEFAULT_JOBS + ", or fewer if there are fewer "
                    + "items).")
    Integer jobs;

    @Mixin
    CacheDirOption cache;

    @Mixin
    NetworkOptions network;

    @Mixin
    SharedTierOptions sharedTier;

    @Mixin
    CredentialOptions credentials;

    @Option(names = "--json", description = "Print a JSON array of results on stdout: the fields of 'get --json' "
            + "plus 'error' (null on success); a failed item has status 'failed'.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress output (warnings and errors still show).")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (jobs != null && jobs < 1) {
            throw new IllegalArgumentException("--jobs must be at least 1, not " + jobs);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PrefetchPlan plan = PrefetchPlan.read(manifests, credentials::apply);
        List<Outcome> outcomes;
        try (Hoard hoard = Hoard.open(sharedTier.apply(network.apply(cache.resolve())));
                Progress progress = Progress.to(err, quiet)) {
            int threads = jobs != null ? jobs : Math.max(1, Math.min(DEFAULT_JOBS, plan.fetches().size()));
            outcomes = InterruptNotice.around(progress,
                    () -> new Prefetcher(hoard, progress, threads, ExitCodes::message).run(plan));
        }
        out.print(json ? PrefetchReport.json(outcomes) : PrefetchReport.table(outcomes));
        out.flush();
        List<Outcome> failures = outcomes.stream().filter(o -> o.failure() != null).toList();
        if (!failures.isEmpty()) {
            err.println("hoard: " + failures.size() + " of " + outcomes.size() + " items failed: "
                    + failures.stream().map(o -> o.fetch().request().uri().toString())
                            .collect(Collectors.joining(", ")));
        }
        return ExitCodes.mostSevere(failures.stream().map(o -> ExitCodes.code(o.failure())).toList());
    }
}
