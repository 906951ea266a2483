package dev.hoard.cli;

import dev.hoard.ChecksumFileException;
import dev.hoard.DecompressionException;
import dev.hoard.DownloadException;
import dev.hoard.IntegrityException;
import dev.hoard.LockTimeoutException;
import dev.hoard.OfflineException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
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

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        err.println("hoard: " + message(e));
        if (code(e) == IO_FAILURE && !(e instanceof IOException) || System.getenv("HOARD_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return code(e);
    }

    static int usageError(CommandLine.ParameterException e, String[] args) {
        PrintWriter err = e.getCommandLine().getErr();
        err.println("hoard: " + e.getMessage());
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
            case OfflineException ignored -> OFFLINE;
            case InterruptedException ignored -> INTERRUPTED;
            default -> IO_FAILURE;
        };
    }

    /** One line that says what failed and on what; file-system errors name the path and the reason. */
    static String message(Throwable e) {
        return switch (e) {
            case NoSuchFileException f -> f.getFile() + ": " + (f.getReason() == null ? "no such file" : f.getReason());
            case AccessDeniedException f -> f.getFile() + ": permission denied";
            case FileSystemException f -> f.getMessage();
            case InterruptedException ignored -> "interrupted";
            default -> e.getMessage() == null ? e.toString() : e.getMessage();
        };
    }
}
