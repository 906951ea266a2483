package dev.hoard.cli;

import dev.hoard.cli.progress.ProgressText;
import dev.hoard.Hoard;
import dev.hoard.LockHolder;
import dev.hoard.PrunePolicy;
import dev.hoard.PruneReport;
import dev.hoard.SharedPruneReport;
import dev.hoard.SharedTierEntry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hoard prune}: free space. */
@Command(name = "prune", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = HoardCommand.Version.class,
        description = {
            "Free space in the cache, least recently used first, and say what was freed.",
            "",
            "Safe while other processes use the cache: an entry that a process is downloading is skipped (and "
                    + "named on stderr), and a process copying a file out keeps reading it.",
            "",
        },
        footer = {"", "SIZE: 500M, 10G, 1.5GiB (powers of 1024), 800MB, 2GB (powers of 1000); a bare number is "
                + "bytes (4096). D needs a unit: 30m, 12h, 7d."})
final class PruneCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Policy policy;

    static final class Policy {
        @Option(names = "--all", required = true,
                description = "Remove everything: every URL, every file (also those no URL names), partial "
                        + "downloads and temp files of dead processes.")
        boolean all;

        @Option(names = "--older-than", paramLabel = "D", required = true, converter = DurationConverter.Age.class,
                description = "Remove URLs (and files no URL names) not used for D.")
        Duration olderThan;

        @Option(names = "--max-size", paramLabel = "SIZE", required = true, converter = SizeConverter.class,
                description = "Remove least recently used URLs until the cache takes at most SIZE.")
        Long maxSize;

        @Option(names = "--partial", required = true,
                description = "Remove partial downloads that no process is writing, and temp files of dead "
                        + "processes; keep complete files.")
        boolean partial;

        PrunePolicy toPolicy() {
            if (olderThan != null) {
                return PrunePolicy.olderThan(olderThan);
            }
            if (maxSize != null) {
                return PrunePolicy.maxSize(maxSize);
            }
            return partial ? PrunePolicy.partials() : PrunePolicy.all();
        }
    }

    @Option(names = "--dry-run", description = "Remove nothing; print what would be removed.")
    boolean dryRun;

    @Mixin
    SharedTierOptions sharedTier;

    @Mixin
    CacheDirOption cache;

    @Mixin
    FileLocksOption fileLocks;

    @Override
    public Integer call() throws Exception {
        if (sharedTier.requested()) {
            return pruneShared();
        }
        PruneReport report;
        try (Hoard hoard = Hoard.openExisting(fileLocks.options(cache.resolve()))) {
            report = hoard.prune(policy.toPolicy(), dryRun);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String verb = dryRun ? "would remove " : "removed ";
        for (PruneReport.Removed removed : report.removed()) {
            out.println(verb + describe(removed));
        }
        for (PruneReport.Skipped skipped : report.skipped()) {
            err.println("hoard: skipped " + (skipped.url() == null ? "an entry" : skipped.url())
                    + ": being downloaded by " + who(skipped.holder()));
        }
        out.println((dryRun ? "would free " : "freed ") + ProgressText.bytes(report.bytesFreed())
                + summary(report) + "; " + ProgressText.bytes(report.bytesLeft()) + " left");
        return ExitCodes.OK;
    }

    private int pruneShared() throws Exception {
        if (policy.partial) {
            throw new IllegalArgumentException("--partial does not apply to --shared: the tier holds no partial "
                    + "downloads");
        }
        SharedTierOptions tier = sharedTier;
        if (tier.settings() == null) {
            throw new IllegalArgumentException("prune --shared needs a tier: --shared s3://BUCKET[/PREFIX] or "
                    + "HOARD_SHARED");
        }
        SharedPruneReport report;
        try (Hoard hoard = Hoard.open(tier.apply(fileLocks.options(cache.resolve())))) {
            report = hoard.pruneShared(policy.olderThan, policy.maxSize, dryRun);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String verb = dryRun ? "would remove " : "removed ";
        for (SharedTierEntry e : report.removed()) {
            out.println(verb + (e.url() == null ? "(no URL) " + e.sha256() : e.url()) + " ("
                    + ProgressText.bytes(e.size()) + ") from " + tier.settings().location());
        }
        for (SharedTierEntry e : report.skipped()) {
            err.println("hoard: skipped " + (e.url() == null ? e.sha256() : e.url()) + ": a machine is downloading it");
        }
        out.println((dryRun ? "would free " : "freed ") + ProgressText.bytes(report.bytesFreed()) + " in the shared "
                + "tier; " + ProgressText.bytes(report.bytesLeft()) + " left");
        return ExitCodes.OK;
    }

    private static String describe(PruneReport.Removed r) {
        String size = ProgressText.bytes(r.bytes());
        return switch (r.kind()) {
            case ENTRY -> (r.url() != null ? r.url().toString() : r.digest() == null && r.file() != null
                    ? "damaged entry " + r.file() : "an entry with no recorded URL") + " (" + size
                    + (r.blobKept() ? "; its file is kept: another URL has the same content" : "") + ")";
            case BLOB -> "(no URL) " + r.digest() + " (" + size + ")";
            case PARTIAL -> "partial download " + r.file().getFileName()
                    + (r.url() == null ? "" : " of " + r.url()) + " (" + size + ")";
            case TEMP_FILE -> "temp file " + r.file() + " (" + size + ")";
            case DAMAGED -> "damaged " + r.file() + " (not a directory; replaced by an empty one)";
        };
    }

    private static String summary(PruneReport report) {
        StringBuilder parts = new StringBuilder();
        append(parts, report.count(PruneReport.Kind.ENTRY), "URL", "URLs");
        append(parts, report.count(PruneReport.Kind.BLOB), "file without a URL", "files without a URL");
        append(parts, report.count(PruneReport.Kind.PARTIAL), "partial download", "partial downloads");
        append(parts, report.count(PruneReport.Kind.TEMP_FILE), "temp file", "temp files");
        append(parts, report.skipped().size(), "skipped", "skipped");
        return parts.isEmpty() ? "" : " (" + parts + ")";
    }

    private static void append(StringBuilder parts, long n, String one, String many) {
        if (n > 0) {
            parts.append(parts.isEmpty() ? "" : ", ").append(n).append(' ').append(n == 1 ? one : many);
        }
    }

    private static String who(LockHolder holder) {
        return holder == null ? "another process" : "pid " + holder.pid() + " on " + holder.host();
    }
}
