package dev.hoard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code hoard dir}: where the cache is. */
@Command(name = "dir", mixinStandardHelpOptions = true, versionProvider = HoardCommand.Version.class,
        description = "Print the cache root (after --cache-dir and HOARD_CACHE_DIR are applied).")
final class DirCommand implements Callable<Integer> {

    @Mixin
    CacheDirOption cache;

    @Override
    public Integer call() {
        System.out.println(cache.resolve().toAbsolutePath().normalize());
        return 0;
    }
}
