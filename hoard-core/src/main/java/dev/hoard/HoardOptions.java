package dev.hoard;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a {@link Hoard} is set up. Start from {@link #of(Path)} and change what you need.
 *
 * @param cacheDir               the cache root
 * @param connectTimeout         how long to wait for a TCP (and TLS) connection
 * @param readTimeout            how long a connection may stay silent before it counts as stalled and is retried
 * @param userAgent              the User-Agent header
 * @param retries                how many times a failing source is retried (with exponential backoff and jitter,
 *                               honouring Retry-After) before the next mirror is tried; attempts that received
 *                               bytes do not count
 * @param retryDelay             the delay before the first retry; it doubles with each failure, up to 30 s
 * @param fileLocks              whether to take OS file locks. Switch off only on mounts where they silently do
 *                               nothing or fail (some NFS, Lustre, CIFS setups): processes may then both download
 *                               an entry, but never publish a mixed or wrong file. Locks between threads of one JVM
 *                               still apply.
 * @param allowInsecureRedirects whether an https URL may redirect to plain http
 * @param connections            how many connections one download may use, each fetching a range of the file;
 *                               0 chooses by itself: files of 32 MiB or more from a server that supports
 *                               ranges start on one connection and add more, up to 4, only while the hash
 *                               waits for the network (docs/benchmarks.md says why)
 * @param proxy                  which proxy each URL goes through; {@link ProxySettings#jvm()} by default, which
 *                               leaves it to the JVM's proxy properties, so that the environment is read only when
 *                               asked ({@link ProxySettings#fromEnvironment})
 * @param trust                  which certificate authorities https servers may be vouched for by, besides the
 *                               JDK's and the operating system's ({@link TrustSettings#defaults()})
 * @param shared                 the shared tier that machines share on an S3-compatible store, or null for none
 *                               (docs/shared-tier.md); its S3 client is loaded only when a fetch misses locally
 */
public record HoardOptions(Path cacheDir, Duration connectTimeout, Duration readTimeout, String userAgent,
        int retries, Duration retryDelay, boolean fileLocks, boolean allowInsecureRedirects, int connections,
        ProxySettings proxy, TrustSettings trust, SharedTierSettings shared) {

    /** The most connections a download may use. */
    public static final int MAX_CONNECTIONS = 16;

    public HoardOptions {
        if (cacheDir == null) {
            throw new IllegalArgumentException("no cache directory given");
        }
        requirePositive("connect timeout", connectTimeout);
        requirePositive("read timeout", readTimeout);
        requirePositive("retry delay", retryDelay);
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, not " + retries);
        }
        if (proxy == null || trust == null) {
            throw new IllegalArgumentException("no proxy or trust settings given");
        }
        if (connections < 0 || connections > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("connections must be between 1 and " + MAX_CONNECTIONS
                    + " (or 0 for automatic), not " + connections);
        }
    }

    /**
     * Defaults: 30 s to connect, 60 s of silence before a read fails, 5 retries from 1 s, OS file locks on, the JVM's
     * proxies, the JDK's and the operating system's CAs.
     */
    public static HoardOptions of(Path cacheDir) {
        return new HoardOptions(cacheDir, Duration.ofSeconds(30), Duration.ofSeconds(60), "hoard/" + Version.current(),
                5, Duration.ofSeconds(1), true, false, 0, ProxySettings.jvm(), TrustSettings.defaults(), null);
    }

    public HoardOptions connectTimeout(Duration timeout) {
        return new HoardOptions(cacheDir, timeout, readTimeout, userAgent, retries, retryDelay, fileLocks,
                allowInsecureRedirects, connections, proxy, trust, shared);
    }

    public HoardOptions readTimeout(Duration timeout) {
        return new HoardOptions(cacheDir, connectTimeout, timeout, userAgent, retries, retryDelay, fileLocks,
                allowInsecureRedirects, connections, proxy, trust, shared);
    }

    public HoardOptions userAgent(String userAgent) {
        return new HoardOptions(cacheDir, connectTimeout, readTimeout, userAgent, retries, retryDelay, fileLocks,
                allowInsecureRedirects, connections, proxy, trust, shared);
    }

    public HoardOptions retries(int retries) {
        return new HoardOptions(cacheDir, connectTimeout, readTimeout, userAgent, retries, retryDelay, fileLocks,
                allowInsecureRedirects, connections, proxy, trust, shared);
    }

    public HoardOptions retryDelay(Duration retryDelay) {
        return new HoardOptions(cacheDir, connectTimeout, readTimeout, userAgent, retries, retryDelay, fileLocks,
                allowInsecureRedirects, connections, proxy, trust, shared);
    }

    public HoardOptions fileLocks(boolean fileLocks) {
        return new HoardOptions(cacheDir, connectTimeout, readTimeout, userAgent, retries, retryDelay, fileLocks,
                allowInsecureRedirects, connections, proxy, trust, shared);
    }

    public HoardOptions allowInsecureRedirects(boolean allow) {
        return new HoardOptions(cacheDir, connectTimeout, readTimeout, userAgent, retries, retryDelay, fileLocks,
                allow, connections, proxy, trust, shared);
    }

    /** Connections per download: 1 for one, up to {@link #MAX_CONNECTIONS}, 0 for automatic. */
    public HoardOptions connections(int connections) {
        return new HoardOptions(cacheDir, connectTimeout, readTimeout, userAgent, retries, retryDelay, fileLocks,
                allowInsecureRedirects, connections, proxy, trust, shared);
    }

    /** How each URL is reached: directly, or through which proxy. */
    public HoardOptions proxy(ProxySettings proxy) {
        return new HoardOptions(cacheDir, connectTimeout, readTimeout, userAgent, retries, retryDelay, fileLocks,
                allowInsecureRedirects, connections, proxy, trust, shared);
    }

    /** Which CAs to trust besides the JDK's and the operating system's. */
    public HoardOptions trust(TrustSettings trust) {
        return new HoardOptions(cacheDir, connectTimeout, readTimeout, userAgent, retries, retryDelay, fileLocks,
                allowInsecureRedirects, connections, proxy, trust, shared);
    }

    /** The shared tier to ask on a local miss, or null for none. */
    public HoardOptions shared(SharedTierSettings shared) {
        return new HoardOptions(cacheDir, connectTimeout, readTimeout, userAgent, retries, retryDelay, fileLocks,
                allowInsecureRedirects, connections, proxy, trust, shared);
    }

    private static void requirePositive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
    }
}
