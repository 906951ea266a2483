package dev.hoard.cli;

import dev.hoard.Hoard;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --cache-dir}, shared by every command that touches the cache. */
final class CacheDirOption {

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Cache root (env HOARD_CACHE_DIR; default: the OS user cache dir + /hoard, "
                    + "e.g. ~/.cache/hoard).")
    Path cacheDir;

    /** The flag, else HOARD_CACHE_DIR, else the OS default. */
    Path resolve() {
        if (cacheDir != null) {
            return cacheDir;
        }
        String env = System.getenv("HOARD_CACHE_DIR");
        return env != null && !env.isBlank() ? Path.of(env) : Hoard.defaultCacheDir();
    }
}
