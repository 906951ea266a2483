package dev.hoard.cli;

import dev.hoard.Credentials;
import dev.hoard.Digest;
import dev.hoard.FetchRequest;
import dev.hoard.FetchResult;
import dev.hoard.Hoard;
import dev.hoard.cli.progress.Progress;
import dev.hoard.cli.progress.Tracker;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hoard get}: fetch one file through the cache. */
@Command(name = "get", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = HoardCommand.Version.class,
        description = {
            "Download URL into the cache (once, however many processes ask at the same time) and print the "
                    + "cached file's path, or copy it to PATH with -o.",
            "",
            "Without --digest a cached file is revalidated with a conditional request; if the server cannot be "
                    + "reached, the cached copy is used with a warning. With --digest, a cached file with that "
                    + "digest is used without any network request, whatever URL brought it. URL may also be a "
                    + "file: URL or a local path (copied and checked, never cached).",
            "",
            "--checksums reads the expected digest from the publisher's SHA256SUMS/SHA512SUMS file instead; "
                    + "--decompress writes the decompressed content to PATH while the cache keeps the compressed "
                    + "file.",
            "",
            "Credentials: user:password@ in a URL (percent-encoded), a machine in ~/.netrc ($NETRC, --netrc-file), "
                    + "or --header 'Authorization: Bearer TOKEN'. They are sent at once (Basic for a login), only to "
                    + "the host they are for, and never written to the cache or printed; the cache entry is the "
                    + "URL without them.",
            "",
        },
        footer = {"", "Prints the file's path (or, with --json, a JSON object) on stdout; progress and messages go "
                + "to stderr. Exit codes: 0 ok, 1 I/O, 2 usage, 3 integrity (digest mismatch, not listed in the "
                + "checksum file, corrupt compressed data), 4 network/HTTP, 5 lock timeout, 6 offline and not "
                + "cached, 130 interrupted."})
final class GetCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "http, https or file URL, or a local path.")
    String url;

    @Parameters(index = "1..*", paramLabel = "MIRROR-URL", arity = "0..*",
            description = "Further URLs with the same content (tried in order when URL fails; needs --digest "
                    + "to be safe).")
    List<String> mirrors = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "PATH",
            description = "Place the file at PATH (a copy out of the cache). If PATH exists: with --digest it is "
                    + "verified (skipped on a match, exit 3 on a mismatch, untouched); without, it is skipped.")
    Path output;

    @Option(names = {"-d", "--digest"}, paramLabel = "ALGO:HEX",
            description = "Expected digest, sha256:HEX or sha512:HEX.")
    String digest;

    @Option(names = "--checksums", paramLabel = "URL",
            description = "Read the expected digest from a checksum file such as SHA256SUMS or SHA512SUMS "
                    + "(GNU 'HEX  NAME' / 'HEX *NAME' lines or BSD 'SHA256 (NAME) = HEX' lines), by URL's file "
                    + "name. It may be http(s), file: or a local path; it is cached and revalidated like any "
                    + "download, so --offline works once it was fetched. A file it does not list: exit 3. With "
                    + "--digest, both must agree (else exit 2).")
    String checksums;

    @Option(names = "--decompress",
            description = "Write the decompressed content of a .gz, .bz2, .xz or .zst file to PATH (needs -o); "
                    + "the format comes from URL's extension, else from the file's magic number. Done in-process, "
                    + "no external tools. The cache keeps the compressed file, and --digest and --checksums apply "
                    + "to the compressed bytes. An existing PATH is skipped without a check (it cannot match the "
                    + "compressed digest). Corrupt data: exit 3, PATH not written.")
    boolean decompress;

    @Mixin
    CacheDirOption cache;

    @Option(names = "--no-cache", description = "Download straight to PATH, bypassing the cache.")
    boolean noCache;

    @Option(names = "--offline", description = "Never use the network; exit 6 if the cache cannot answer.")
    boolean offline;

    @Option(names = "--lock-timeout", paramLabel = "D", converter = DurationConverter.class,
            description = "Stop waiting for another process that is downloading the same URL after D "
                    + "(e.g. 30s, 5m); exit 5. Default: wait as long as it takes.")
    Duration lockTimeout;

    @Mixin
    NetworkOptions network;

    @Mixin
    SharedTierOptions sharedTier;

    @Mixin
    CredentialOptions credentials;

    @Option(names = "--json", description = "Print one JSON object describing the result on stdout; on failure "
            + "its status is 'failed' and 'error' holds the message.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress output; errors only.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        return call(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * Runs the command, printing the result to {@code out} and progress to {@code err} ({@link QuickGet} too);
     * with --json a failure is printed to {@code out} as well before it propagates.
     */
    Integer call(PrintWriter out, PrintWriter err) throws Exception {
        try {
            return fetch(out, err);
        } catch (Exception e) {
            if (json) { // as prefetch --json reports a failed item; the message goes to stderr as well
                out.println(JsonOutput.object(JsonOutput.failure(url, output, e)));
            }
            throw e;
        }
    }

    private int fetch(PrintWriter out, PrintWriter err) throws Exception {
        FetchRequest request = credentials.apply(FetchRequest.of(parseSource(url))
                .mirrors(mirrors.stream().map(GetCommand::parseSource).toList())
                .digest(digest == null ? null : Digest.parse(digest))
                .output(output)
                .noCache(noCache)
                .offline(offline)
                .lockTimeout(lockTimeout)
                .checksums(checksums == null ? null : parseSource(checksums))
                .decompress(decompress));
        if (noCache && output == null) {
            throw new IllegalArgumentException("--no-cache needs -o PATH: without the cache there is no file to "
                    + "print");
        }
        if (decompress && output == null) {
            throw new IllegalArgumentException("--decompress needs -o PATH for the decompressed file (the cache "
                    + "keeps the compressed one)");
        }
        FetchResult result;
        try (Hoard hoard = Hoard.open(sharedTier.apply(network.apply(cache.resolve())));
                Progress progress = Progress.to(err, quiet);
                Tracker tracker = progress.track()) {
            result = InterruptNotice.around(progress, () -> hoard.fetch(request, tracker));
        }
        if (json) {
            out.println(JsonOutput.of(result));
        } else if (output == null) {
            out.println(result.path());
        }
        return ExitCodes.OK;
    }

    /** An http(s) or file URL as given, or a local path made into a file URL. */
    static URI parseSource(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("empty URL");
        }
        if (!text.contains("://") && !text.startsWith("file:")) {
            return Path.of(text).toAbsolutePath().normalize().toUri();
        }
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed URL '" + Credentials.redact(text) + "': " + e.getReason()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
        }
    }

    /** A URL as the cache knows it, for rm and verify: as {@link #parseSource} reads it, without user:password@. */
    static URI parseCachedUrl(String text) {
        return FetchRequest.of(parseSource(text)).uri();
    }
}
