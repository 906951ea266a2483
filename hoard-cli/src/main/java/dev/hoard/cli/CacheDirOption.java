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

    /**
     * The flag, else HOARD_CACHE_DIR, else the OS default. An empty one is refused rather than read as the working
     * directory (where a cache would be made among the user's files) or silently replaced by the default.
     */
    Path resolve() {
        if (cacheDir != null) {
            if (cacheDir.toString().isBlank()) {
                throw new IllegalArgumentException("--cache-dir is empty; name a directory, or leave the option out "
                        + "for the default (" + Hoard.defaultCacheDir() + ")");
            }
            return cacheDir;
        }
        String env = System.getenv("HOARD_CACHE_DIR");
        if (env != null && env.isBlank()) {
            throw new IllegalArgumentException("HOARD_CACHE_DIR is set but empty; name a directory, or unset it for "
                    + "the default (" + Hoard.defaultCacheDir() + ")");
        }
        return env != null ? Path.of(env) : Hoard.defaultCacheDir();
    }
}
