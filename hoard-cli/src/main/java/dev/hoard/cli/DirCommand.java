package dev.hoard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code hoard dir}: where the cache is. */
@Command(name = "dir", mixinStandardHelpOptions = true, versionProvider = HoardCommand.Version.class,
        description = "Print the cache root (after --cache-dir and HOARD_CACHE_DIR are applied).")
final class DirCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CacheDirOption cache;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(cache.resolve().toAbsolutePath().normalize());
        return 0;
    }
}
