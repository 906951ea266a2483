package dev.hoard.cli;

import dev.hoard.cli.progress.ProgressText;
import dev.hoard.Hoard;
import dev.hoard.PruneReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code hoard rm}: remove entries. */
@Command(name = "rm", mixinStandardHelpOptions = true, versionProvider = HoardCommand.Version.class,
        description = {
            "Remove URLs from the cache.",
            "",
            "Removes their metadata, partial downloads and file; a file that another URL also names (the same "
                    + "content) is kept for it.",
            "",
            "Safe while other processes use the cache: a process copying the file out keeps reading it, and a URL "
                    + "that another process is downloading right now is not touched (exit 5).",
            "",
        },
        footer = {"", "Every URL is tried, even after one fails. Exit codes: 0 all removed; 1 a URL was not in the "
                + "cache; 5 a URL is being downloaded; 2 a malformed URL (nothing is removed). With several "
                + "failures, the first one's code."})
final class RmCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "URL", arity = "1..*", description = "URLs to remove, as given to get.")
    List<String> urls;

    @Mixin
    CacheDirOption cache;

    @Mixin
    FileLocksOption fileLocks;

    @Override
    public Integer call() throws Exception {
        List<URI> targets = urls.stream().map(GetCommand::parseCachedUrl).toList(); // all parsed before any removal
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int exitCode = ExitCodes.OK;
        try (Hoard hoard = Hoard.openExisting(fileLocks.options(cache.resolve()))) {
            for (URI url : targets) {
                try {
                    out.println(describe(url, hoard.remove(url)));
                } catch (IOException e) {
                    err.println("hoard: " + ExitCodes.message(e));
                    exitCode = exitCode == ExitCodes.OK ? ExitCodes.code(e) : exitCode;
                }
            }
        }
        return exitCode;
    }

    private static String describe(URI url, PruneReport report) {
        boolean kept = report.removed().stream().anyMatch(PruneReport.Removed::blobKept);
        return "removed " + url + " (" + ProgressText.bytes(report.bytesFreed()) + " freed"
                + (kept ? "; its file is kept: another URL has the same content" : "") + ")";
    }
}
