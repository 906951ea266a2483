package dev.hoard.cli;

import dev.hoard.Hoard;
import dev.hoard.Verification;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hoard verify}: re-hash cached files against their recorded digests. */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = HoardCommand.Version.class,
        description = {
            "Re-hash cached files and check them against their recorded digests.",
            "",
            "A file's SHA-256 must equal its name and its entries' digest, its size theirs, and a digest the URL "
                    + "was first requested with (get -d) must match too. Each file is read once, however many URLs "
                    + "share it.",
            "",
            "Prints 'URL: OK' or 'URL: FAILED: why' for each (like sha256sum -c). With --repair, a corrupt file "
                    + "is deleted and the URLs naming it are removed, so the next get downloads them again; an "
                    + "entry that another process is downloading is left to it. Safe while other processes use the "
                    + "cache.",
            "",
        },
        footer = {"", "Exit codes: 0 all OK; 3 corruption was found (also when --repair removed it); 1 a URL given "
                + "is not in the cache (the others are still checked); 2 usage error.",
            "With --json, prints one JSON object per line: url, digest, status (ok, corrupt, not-cached), problem, "
                    + "expected, actual, repaired."})
final class VerifyCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "URL", arity = "0..*", description = "Entries to check (default: all, and files no URL "
            + "names).")
    List<String> urls = new ArrayList<>();

    @Option(names = "--repair", description = "Delete corrupt files and remove the entries that name them.")
    boolean repair;

    @Option(names = "--json", description = "One JSON object per line.")
    boolean json;

    @Mixin
    CacheDirOption cache;

    @Mixin
    FileLocksOption fileLocks;

    @Override
    public Integer call() throws Exception {
        List<URI> targets = urls.stream().map(GetCommand::parseCachedUrl).toList();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Verification> results;
        try (Hoard hoard = Hoard.openExisting(fileLocks.options(cache.resolve()))) {
            results = hoard.verify(targets, repair, v -> print(v, out, err));
        }
        long corrupt = count(results, Verification.Outcome.CORRUPT);
        if (corrupt > 0) {
            err.println("hoard: " + corrupt + " of " + results.size() + " failed verification"
                    + (repair ? "; removed, so the next get downloads them again"
                            : "; 'hoard verify --repair' removes them so the next get downloads them again"));
            return ExitCodes.INTEGRITY;
        }
        return count(results, Verification.Outcome.NOT_CACHED) > 0 ? ExitCodes.IO_FAILURE : ExitCodes.OK;
    }

    private void print(Verification v, PrintWriter out, PrintWriter err) {
        if (json) {
            out.println(JsonOutput.of(v));
        }
        String name = v.url() != null ? v.url().toString() : v.digest() != null ? "(no URL) " + v.digest()
                : "(damaged)";
        switch (v.outcome()) {
            case OK -> {
                if (!json) {
                    out.println(name + ": OK");
                }
            }
            case CORRUPT -> {
                if (!json) {
                    out.println(name + ": FAILED: " + v.problem() + (v.repaired() ? "; removed" : ""));
                }
            }
            case NOT_CACHED -> err.println("hoard: not in the cache: " + name);
        }
    }

    private static long count(List<Verification> results, Verification.Outcome outcome) {
        return results.stream().filter(v -> v.outcome() == outcome).count();
    }
}
