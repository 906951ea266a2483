package dev.hoard;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a {@link Hoard} is set up.
 *
 * @param cacheDir       the cache root
 * @param connectTimeout how long to wait for a TCP (and TLS) connection
 * @param readTimeout    how long a connection may stay silent before it counts as stalled
 * @param userAgent      the User-Agent header
 */
public record HoardOptions(Path cacheDir, Duration connectTimeout, Duration readTimeout, String userAgent) {

    public HoardOptions {
        if (cacheDir == null) {
            throw new IllegalArgumentException("no cache directory given");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative()
                || readTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** Defaults: 30 s to connect, 60 s of silence before a read fails. */
    public static HoardOptions of(Path cacheDir) {
        return new HoardOptions(cacheDir, Duration.ofSeconds(30), Duration.ofSeconds(60), "hoard/" + Hoard.version());
    }

    public HoardOptions connectTimeout(Duration timeout) {
        return new HoardOptions(cacheDir, timeout, readTimeout, userAgent);
    }

    public HoardOptions readTimeout(Duration timeout) {
        return new HoardOptions(cacheDir, connectTimeout, timeout, userAgent);
    }

    public HoardOptions userAgent(String userAgent) {
        return new HoardOptions(cacheDir, connectTimeout, readTimeout, userAgent);
    }
}
