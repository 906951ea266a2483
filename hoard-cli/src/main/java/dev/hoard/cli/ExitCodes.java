package dev.hoard.cli;

import dev.hoard.ChecksumFileException;
import dev.hoard.DecompressionException;
import dev.hoard.DownloadException;
import dev.hoard.EntryBusyException;
import dev.hoard.IntegrityException;
import dev.hoard.LockTimeoutException;
import dev.hoard.NotCachedException;
import dev.hoard.OfflineException;
import dev.hoard.TlsException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Collection;
import java.util.List;
import picocli.CommandLine;

/** The one place where failures become messages and exit codes (see the README's table). */
final class ExitCodes implements CommandLine.IExecutionExceptionHandler {
    static final int OK = 0;
    static final int IO_FAILURE = 1;
    static final int USAGE = 2;
    static final int INTEGRITY = 3;
    static final int NETWORK = 4;
    static final int LOCK_TIMEOUT = 5;
    static final int OFFLINE = 6;
    static final int INTERRUPTED = 130;

    /**
     * When several items fail for different reasons (prefetch), the exit code is the first of these that occurred:
     * an interrupt ends everything; a digest mismatch may be tampering and must not hide behind anything; a usage
     * error needs the manifest fixed; network failures are the common case; offline and lock timeouts are the
     * caller's choice; a local I/O failure is last.
     */
    static final List<Integer> SEVERITY = List.of(INTERRUPTED, INTEGRITY, USAGE, NETWORK, OFFLINE, LOCK_TIMEOUT,
            IO_FAILURE);

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        return report(e, commandLine.getErr());
    }

    /**
     * Prints what failed as one line on {@code err} (the stack trace only with HOARD_DEBUG set, whatever failed: an
     * internal failure says so and how to get it) and returns the exit code, whether picocli ran the command or
     * {@link QuickGet} did.
     */
    static int report(Exception e, PrintWriter err) {
        boolean debug = System.getenv("HOARD_DEBUG") != null;
        boolean internal = code(e) == IO_FAILURE && !(e instanceof IOException);
        err.println("hoard: " + (internal ? "internal error: " + e + (debug ? "" : " (HOARD_DEBUG=1 shows where)")
                : message(e)));
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return code(e);
    }

    static int usageError(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("hoard: " + UsageMessages.of(e, args));
        err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return USAGE;
    }

    static int code(Throwable e) {
        return switch (e) {
            case IllegalArgumentException ignored -> USAGE;
            case IntegrityException ignored -> INTEGRITY;
            case ChecksumFileException ignored -> INTEGRITY;
            case DecompressionException ignored -> INTEGRITY;
            case DownloadException ignored -> NETWORK;
            case LockTimeoutException ignored -> LOCK_TIMEOUT;
            case EntryBusyException ignored -> LOCK_TIMEOUT; // rm: the lock was held and not waited for
            case NotCachedException ignored -> IO_FAILURE;
            case OfflineException ignored -> OFFLINE;
            case InterruptedException ignored -> INTERRUPTED;
            default -> IO_FAILURE;
        };
    }

    /** The most severe of {@code codes} by {@link #SEVERITY}; {@link #OK} when there are none. */
    static int mostSevere(Collection<Integer> codes) {
        return SEVERITY.stream().filter(codes::contains).findFirst()
                .orElse(codes.isEmpty() ? OK : codes.iterator().next());
    }

    /**
     * One line that says what failed, on what, and what to do; file-system errors name the path and the reason. The
     * library's messages speak of its own terms, so the advice that names an option of hoard's is added here.
     */
    static String message(Throwable e) {
        return switch (e) {
            case NoSuchFileException f -> f.getFile() + ": " + (f.getReason() == null ? "no such file" : f.getReason());
            case AccessDeniedException f -> f.getFile() + ": permission denied";
            case FileSystemException f when f.getReason() == null && f.getFile() != null -> f.getFile() + ": "
                    + FileProblems.describe(f);
            case FileSystemException f -> f.getMessage();
            case InterruptedException ignored -> "interrupted";
            default -> (e.getMessage() == null ? e.toString() : e.getMessage()) + optionHint(e);
        };
    }

    /** The option that would have avoided a library failure, as advice to append to its message; else "". */
    private static String optionHint(Throwable e) {
        return switch (e) {
            case LockTimeoutException ignored -> "; retry later or raise --lock-timeout";
            case DownloadException d when d.insecureRedirect() != null -> " (allow it with --allow-insecure-redirects)";
            case TlsException t when t.problem() == TlsException.Problem.UNTRUSTED ->
                    "; if you trust that CA, give its certificate (PEM) with --cacert FILE or SSL_CERT_FILE";
            case DownloadException d when d.httpStatus() == 407 -> " (the proxy's URL goes in --proxy, or in "
                    + "http_proxy, HTTPS_PROXY or ALL_PROXY)";
            case DownloadException d when d.httpStatus() == 401 || d.httpStatus() == 403 -> "; credentials go in "
                    + "the URL as user:password@, in ~/.netrc (or --netrc-file FILE) for its host, or in --header "
                    + "'Authorization: Bearer TOKEN'";
            default -> "";
        };
    }
}
