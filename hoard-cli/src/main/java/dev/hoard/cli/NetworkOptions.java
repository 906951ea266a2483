package dev.hoard.cli;

import dev.hoard.HoardOptions;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How hoard talks to servers and locks entries: shared by every command that downloads. */
final class NetworkOptions {

    @Option(names = "--retries", paramLabel = "N",
            description = "Retries per URL after connection failures, timeouts, 408/429/5xx or a body cut short, "
                    + "with exponential backoff and jitter, honouring Retry-After; attempts that received bytes do "
                    + "not count (default: ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int retries;

    @Option(names = "--connections", paramLabel = "N",
            description = "Download a large file over N connections at once, each fetching a range (1 to 16). "
                    + "Default: for files of 32 MiB or more from servers that support ranges, start with one and add "
                    + "up to 4 while the network, not the hash, is the bottleneck. Still verified and resumable.")
    Integer connections;

    @Option(names = "--connect-timeout", paramLabel = "D", converter = DurationConverter.class,
            description = "Give up connecting after D (default: 30s).")
    Duration connectTimeout;

    @Option(names = "--read-timeout", paramLabel = "D", converter = DurationConverter.class,
            description = "Treat a connection that sends nothing for D as stalled, and retry (default: 60s).")
    Duration readTimeout;

    @Option(names = "--allow-insecure-redirects",
            description = "Follow redirects from https to plain http (refused by default).")
    boolean allowInsecureRedirects;

    @Mixin
    FileLocksOption fileLocks;

    HoardOptions apply(Path cacheDir) {
        HoardOptions options = fileLocks.options(cacheDir).retries(retries)
                .allowInsecureRedirects(allowInsecureRedirects);
        if (connections != null) {
            if (connections < 1 || connections > HoardOptions.MAX_CONNECTIONS) {
                throw new IllegalArgumentException("--connections must be between 1 and "
                        + HoardOptions.MAX_CONNECTIONS + ", not " + connections);
            }
            options = options.connections(connections);
        }
        if (connectTimeout != null) {
            options = options.connectTimeout(connectTimeout);
        }
        if (readTimeout != null) {
            options = options.readTimeout(readTimeout);
        }
        String delay = System.getenv("HOARD_RETRY_DELAY"); // undocumented: lets tests keep retries fast
        if (delay != null) {
            options = options.retryDelay(new DurationConverter().convert(delay));
        }
        return options;
    }
}
