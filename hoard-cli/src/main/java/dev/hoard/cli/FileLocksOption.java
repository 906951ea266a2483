package dev.hoard.cli;

import dev.hoard.HoardOptions;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --no-file-locks} (or {@code HOARD_FILE_LOCKS=off}), shared by every command that opens the cache to fetch
 * or manage it, so that they all lock entries the same way.
 */
final class FileLocksOption {

    @Option(names = "--no-file-locks",
            description = "Do not take OS file locks (env HOARD_FILE_LOCKS=off), for mounts where they silently do "
                    + "nothing or fail (some NFS, Lustre, CIFS). Processes may then download the same file twice, "
                    + "but never publish a corrupt one; ls, verify, rm and prune cannot see another process's "
                    + "download in progress.")
    boolean noFileLocks;

    /** How to open the cache at {@code cacheDir}: with file locks unless the flag or the environment say off. */
    HoardOptions options(Path cacheDir) {
        return HoardOptions.of(cacheDir).fileLocks(!noFileLocks && !offInEnvironment());
    }

    private static boolean offInEnvironment() {
        String value = System.getenv("HOARD_FILE_LOCKS");
        return value != null && switch (value.toLowerCase(Locale.ROOT)) {
            case "off", "false", "0", "no" -> true;
            default -> false;
        };
    }
}
