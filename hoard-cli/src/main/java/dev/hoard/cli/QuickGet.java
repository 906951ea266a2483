package dev.hoard.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * {@code hoard get} without picocli, for command lines made only of get's own options in their plain forms.
 *
 * <p><b>Why.</b> Building picocli's model of a command reads every annotation by reflection, which spins a dynamic
 * proxy class per annotation type, and runs a lot of code that is still cold: about 150 ms, more than the rest of a
 * cache hit together (measured in docs/benchmarks.md, "Fast hits"). A hit with a known digest is what scripts run
 * most, and it should cost little more than starting the JVM.
 *
 * <p><b>The same command, not a second one.</b> This fills in a {@link GetCommand} as picocli would and calls it, so
 * everything after parsing is shared. It declines (returns empty, and picocli parses as before) whatever it does not
 * recognise with certainty: help and version flags, an unknown or repeated option, clustered short options,
 * {@code -oPATH}, {@code --}, {@code @argument-files}, a missing URL, a value that starts with a dash or does not
 * convert ({@code --header}, which picocli collects into a list, may be given again). Declining is always safe, only
 * slower. QuickGetTest checks, for every option in picocli's model of get, that this either declines it or fills in
 * the same fields; an option added to get later is declined until it is added here.
 */
final class QuickGet {
    private static final Set<String> FLAGS = Set.of("--decompress", "--no-cache", "--offline",
            "--allow-insecure-redirects", "--no-file-locks", "--json", "-q", "--quiet");
    private static final Set<String> WITH_VALUE = Set.of("-o", "--output", "-d", "--digest", "--checksums",
            "--cache-dir", "--lock-timeout", "--retries", "--connections", "--connect-timeout", "--read-timeout",
            "--proxy", "--no-proxy", "--cacert", "-H", "--header", "--netrc-file");
    /**
     * Options picocli collects into a list: given again, they add a value rather than repeat an option. (--cacert is
     * a list too, but a repeat of it is left to picocli.)
     */
    private static final Set<String> REPEATABLE = Set.of("--header");

    private final GetCommand get = new GetCommand();
    private final Set<String> seen = new HashSet<>();

    private QuickGet() {
        get.cache = new CacheDirOption();
        get.network = new NetworkOptions();
        get.network.fileLocks = new FileLocksOption();
        get.network.retries = 5; // NetworkOptions' defaultValue
        get.credentials = new CredentialOptions();
        get.sharedTier = new SharedTierOptions();
    }

    /**
     * Runs {@code args} (whose first element is "get") printing to {@code out} and {@code err}, as picocli would
     * with those writers, and returns the exit code, or empty if picocli should.
     */
    static OptionalInt run(PrintWriter out, PrintWriter err, String... args) {
        Optional<GetCommand> get = parse(args);
        if (get.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(get.get().call(out, err));
        } catch (Exception e) {
            return OptionalInt.of(ExitCodes.report(e, err));
        }
    }

    /** The get command {@code args} (starting with "get") describe, or empty if picocli should parse them. */
    static Optional<GetCommand> parse(String... args) {
        QuickGet parsed = new QuickGet();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("@")) {
                return Optional.empty(); // picocli would read an argument file
            }
            if (!arg.startsWith("-")) {
                parsed.positional(arg);
                continue;
            }
            String name = arg;
            String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 2) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            }
            if (!parsed.seen.add(canonical(name)) && !REPEATABLE.contains(canonical(name))) {
                return Optional.empty(); // repeated: picocli reports it
            }
            boolean understood;
            if (FLAGS.contains(name)) {
                understood = value == null && parsed.flag(name);
            } else if (WITH_VALUE.contains(name)) {
                if (value == null) {
                    if (i + 1 == args.length || args[i + 1].startsWith("-") || args[i + 1].startsWith("@")) {
                        return Optional.empty();
                    }
                    value = args[++i];
                }
                understood = parsed.option(name, value);
            } else {
                understood = false;
            }
            if (!understood) {
                return Optional.empty();
            }
        }
        return parsed.get.url == null ? Optional.empty() : Optional.of(parsed.get);
    }

    private static String canonical(String name) {
        return switch (name) {
            case "-o" -> "--output";
            case "-d" -> "--digest";
            case "-q" -> "--quiet";
            case "-H" -> "--header";
            default -> name;
        };
    }

    private void positional(String arg) {
        if (get.url == null) {
            get.url = arg;
        } else {
            get.mirrors.add(arg);
        }
    }

    private boolean flag(String name) {
        switch (name) {
            case "--decompress" -> get.decompress = true;
            case "--no-cache" -> get.noCache = true;
            case "--offline" -> get.offline = true;
            case "--allow-insecure-redirects" -> get.network.allowInsecureRedirects = true;
            case "--no-file-locks" -> get.network.fileLocks.noFileLocks = true;
            case "--json" -> get.json = true;
            case "-q", "--quiet" -> get.quiet = true;
            default -> {
                return false;
            }
        }
        return true;
    }

    /** Converts as picocli's converters do; false when they would fail, so that picocli gives its message. */
    private boolean option(String name, String value) {
        try {
            switch (name) {
                case "-o", "--output" -> get.output = Path.of(value);
                case "-d", "--digest" -> get.digest = value;
                case "--checksums" -> get.checksums = value;
                case "--cache-dir" -> get.cache.cacheDir = Path.of(value);
                case "--lock-timeout" -> get.lockTimeout = new DurationConverter().convert(value);
                case "--retries" -> get.network.retries = Integer.valueOf(value);
                case "--connections" -> get.network.connections = Integer.valueOf(value);
                case "--connect-timeout" -> get.network.connectTimeout = new DurationConverter().convert(value);
                case "--read-timeout" -> get.network.readTimeout = new DurationConverter().convert(value);
                case "--proxy" -> get.network.proxy = value;
                case "--no-proxy" -> get.network.noProxy = value;
                case "--cacert" -> get.network.caCerts = List.of(Path.of(value)); // a repeat goes to picocli
                case "-H", "--header" -> get.credentials.headers.add(value);
                case "--netrc-file" -> get.credentials.netrcFile = Path.of(value);
                case "--shared" -> get.sharedTier.shared = value;
                case "--s3-endpoint" -> get.sharedTier.endpoint = value;
                default -> {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            return false; // InvalidPathException, NumberFormatException, DurationConverter's TypeConversionException
        }
    }
}
