package dev.hoard.cli;

import dev.hoard.Hoard;
import java.io.PrintWriter;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code hoard push}: seed the shared tier from this machine's cache. */
@Command(name = "push", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = HoardCommand.Version.class,
        description = {
            "Put cached URLs into the shared tier (--shared or HOARD_SHARED), so that other machines get them from "
                    + "there instead of the origin. Content the tier has already is not uploaded again; the URL's "
                    + "record (its digest and the origin's validators) is written either way.",
            "",
        },
        footer = {"", "Exit codes: 0 ok, 1 a URL is not cached or the tier failed, 2 usage (no tier configured)."})
final class PushCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "URL", arity = "1..*", description = "Cached URLs to push.")
    List<String> urls;

    @Mixin
    CacheDirOption cache;

    @Mixin
    FileLocksOption fileLocks;

    @Mixin
    SharedTierOptions sharedTier;

    @Override
    public Integer call() throws Exception {
        if (sharedTier.settings() == null) {
            throw new IllegalArgumentException("push needs a shared tier: --shared s3://BUCKET[/PREFIX] or "
                    + "HOARD_SHARED");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Hoard hoard = Hoard.openExisting(sharedTier.apply(fileLocks.options(cache.resolve())))) {
            for (String text : urls) {
                URI url = GetCommand.parseCachedUrl(text);
                hoard.push(url);
                out.println("pushed " + url + " to " + sharedTier.settings().location());
            }
        }
        return ExitCodes.OK;
    }
}
