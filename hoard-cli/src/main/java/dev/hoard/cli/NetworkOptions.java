package dev.hoard.cli;

import dev.hoard.HoardOptions;
import dev.hoard.ProxySettings;
import dev.hoard.TrustSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    @Option(names = "--proxy", paramLabel = "URL",
            description = "Go through this HTTP proxy for http and https URLs (https by CONNECT): "
                    + "http://[USER:PASSWORD@]HOST[:PORT], port 1080 if none, USER and PASSWORD percent-encoded. "
                    + "Overrides http_proxy, HTTPS_PROXY, ALL_PROXY and the JVM's proxy properties; '' for none.")
    String proxy;

    @Option(names = "--no-proxy", paramLabel = "LIST",
            description = "Hosts to reach without the proxy, instead of NO_PROXY: comma-separated host names "
                    + "(each also matching the names below it), IP addresses and CIDR ranges, each optionally "
                    + "with :PORT; '*' for all, '' for none.")
    String noProxy;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "Also trust the CA certificates in FILE (PEM, one or more) for https, besides the JDK's, "
                    + "the system's and those of SSL_CERT_FILE and SSL_CERT_DIR. May be repeated.")
    List<Path> caCerts;

    @Mixin
    FileLocksOption fileLocks;

    HoardOptions apply(Path cacheDir) {
        Map<String, String> env = System.getenv();
        HoardOptions options = fileLocks.options(cacheDir).retries(retries)
                .allowInsecureRedirects(allowInsecureRedirects).proxy(proxies(env)).trust(trust(env));
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

    /** --proxy and --no-proxy over the environment's proxies (curl's variables), over the JVM's properties. */
    private ProxySettings proxies(Map<String, String> env) {
        ProxySettings settings = proxy != null
                ? ProxySettings.of(proxy).withNoProxy(ProxySettings.noProxyFromEnvironment(env))
                : ProxySettings.fromEnvironment(env);
        return noProxy != null ? settings.withNoProxy(noProxy) : settings;
    }

    /**
     * SSL_CERT_FILE, SSL_CERT_DIR and --cacert, added to the JDK's and the system's CAs. A --cacert that does not
     * exist is a usage error now; its content is read only by the first https request, so a hit reads no certificate.
     */
    private TrustSettings trust(Map<String, String> env) {
        TrustSettings trust = TrustSettings.fromEnvironment(env);
        for (Path file : caCerts == null ? List.<Path>of() : caCerts) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("--cacert " + file + ": no such readable file");
            }
            trust = trust.withCaFile(file);
        }
        return trust;
    }
}
