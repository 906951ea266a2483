package dev.hoard.cli;

import dev.hoard.cli.progress.ProgressText;
import dev.hoard.CacheEntryInfo;
import dev.hoard.Digest;
import dev.hoard.Hoard;
import dev.hoard.LockHolder;
import dev.hoard.SharedTierEntry;
import dev.hoard.SharedTierSettings;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hoard ls}: what the cache holds. */
@Command(name = "ls", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = HoardCommand.Version.class,
        description = {
            "List the cache: one line per URL with its size, age, last use and state.",
            "",
            "Most recently used first. AGE is the time since the download, LAST USED is recorded at most "
                    + "hourly, and STATE is complete, partial N%% (a download whose process died; N when its "
                    + "length is recorded), downloading by pid N (a process is downloading it now), or missing "
                    + "(its file was removed; the next get downloads it again). Files that no URL names (kept for "
                    + "requests by digest) are listed as '(no URL)'. A last line gives the totals.",
            "",
            "Safe while other processes use the cache: it waits for no lock.",
            "",
        },
        footer = {"", "With --json, prints one JSON object per line (JSON Lines) and no totals: url, state, size, "
                + "digest, path, fetchedAt, lastUsed, partialBytes, partialLength, pid, host, problem (null where "
                + "not known or not applicable).",
            "A damaged entry (a directory or symlink where a file should be, metadata that is not metadata) is "
                    + "listed as damaged and named on stderr; rm or prune --all removes it."})
final class LsCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CacheDirOption cache;

    @Mixin
    FileLocksOption fileLocks;

    @Option(names = "--json", description = "One JSON object per line instead of the table.")
    boolean json;

    @Mixin
    SharedTierOptions sharedTier;

    @Override
    public Integer call() throws Exception {
        if (sharedTier.requested()) {
            return listShared();
        }
        List<CacheEntryInfo> entries;
        try (Hoard hoard = Hoard.openExisting(fileLocks.options(cache.resolve()))) {
            entries = hoard.entries();
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        for (CacheEntryInfo info : entries) {
            if (info.state() == CacheEntryInfo.State.DAMAGED) {
                err.println("hoard: damaged: " + info.problem() + "; " + (info.url() != null
                        ? "'hoard rm " + info.url() + "' or " : "") + "'hoard prune --all' clears it");
            }
        }
        if (json) {
            entries.forEach(info -> out.println(JsonOutput.of(info)));
        } else {
            out.print(table(entries, Instant.now()));
            out.println(totals(entries));
        }
        return ExitCodes.OK;
    }

    private int listShared() throws Exception {
        SharedTierOptions tier = sharedTier;
        SharedTierSettings settings = tier.settings();
        if (settings == null) {
            throw new IllegalArgumentException("ls --shared needs a tier: --shared s3://BUCKET[/PREFIX] or "
                    + "HOARD_SHARED");
        }
        List<SharedTierEntry> entries;
        try (Hoard hoard = Hoard.open(tier.apply(fileLocks.options(cache.resolve())))) {
            entries = hoard.sharedEntries();
        }
        PrintWriter out = spec.commandLine().getOut();
        Instant now = Instant.now();
        if (json) {
            entries.forEach(e -> out.println(JsonOutput.of(e)));
            return ExitCodes.OK;
        }
        if (!entries.isEmpty()) {
            Table table = new Table().row("SIZE", "STORED", "STATE", "URL");
            for (SharedTierEntry e : entries) {
                table.row(e.size() < 0 ? "-" : ProgressText.bytes(e.size()),
                        e.stored() == null ? "-" : Ages.since(e.stored(), now) + " ago",
                        e.holder() == null ? e.state() : e.state() + " by " + e.holder(),
                        e.url() != null ? e.url() : "(no URL) " + e.sha256());
            }
            out.print(table.render());
        }
        long bytes = entries.stream().filter(e -> e.size() > 0).mapToLong(SharedTierEntry::size).sum();
        out.println(settings.location() + ": " + plural(entries.stream().filter(e -> e.sha256() != null).count(),
                "item") + ", " + ProgressText.bytes(bytes));
        return ExitCodes.OK;
    }

    static String table(List<CacheEntryInfo> entries, Instant now) {
        if (entries.isEmpty()) {
            return "";
        }
        Table table = new Table().row("SIZE", "AGE", "LAST USED", "STATE", "URL");
        for (CacheEntryInfo info : entries) {
            table.row(size(info), info.fetchedAt() == null ? "-" : Ages.since(info.fetchedAt(), now),
                    info.lastUsed() == null ? "-" : Ages.since(info.lastUsed(), now) + " ago", state(info),
                    name(info));
        }
        return table.render();
    }

    private static String size(CacheEntryInfo info) {
        if (info.size() >= 0) {
            return ProgressText.bytes(info.size());
        }
        return info.partial() == null ? "-" : ProgressText.bytes(info.partial().bytes());
    }

    static String state(CacheEntryInfo info) {
        CacheEntryInfo.Partial partial = info.partial();
        String percent = partial == null || partial.percent() < 0 ? "" : " " + partial.percent() + "%";
        return switch (info.state()) {
            case COMPLETE -> "complete";
            case PARTIAL -> "partial" + percent;
            case DOWNLOADING -> "downloading by " + who(partial.holder()) + percent;
            case MISSING -> "missing";
            case DAMAGED -> "damaged";
        };
    }

    private static String who(LockHolder holder) {
        return holder == null ? "another process" : "pid " + holder.pid() + " on " + holder.host();
    }

    static String name(CacheEntryInfo info) {
        if (info.url() != null) {
            return info.url().toString();
        }
        if (info.state() == CacheEntryInfo.State.DAMAGED) {
            return "(damaged) " + info.path();
        }
        return info.digest() != null ? "(no URL) " + info.digest() : "(URL not recorded)";
    }

    /** E.g. "3 URLs, 1 file without a URL: 614.0 MiB in 2 files, 27.0 MiB in partial downloads". */
    static String totals(List<CacheEntryInfo> entries) {
        long urls = entries.stream().filter(e -> e.url() != null).count();
        long loose = entries.stream().filter(e -> e.url() == null && e.digest() != null).count();
        Map<Digest, Long> blobs = new HashMap<>();
        long partialBytes = 0;
        for (CacheEntryInfo info : entries) {
            if (info.path() != null && info.state() != CacheEntryInfo.State.DAMAGED) {
                blobs.put(info.digest(), info.size());
            }
            partialBytes += info.partial() == null ? 0 : info.partial().bytes();
        }
        long blobBytes = blobs.values().stream().mapToLong(Long::longValue).sum();
        return plural(urls, "URL") + (loose > 0 ? ", " + plural(loose, "file") + " without a URL" : "") + ": "
                + ProgressText.bytes(blobBytes) + " in " + plural(blobs.size(), "file") + ", "
                + ProgressText.bytes(partialBytes) + " in partial downloads";
    }

    static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
