package dev.hoard.cli;

import dev.hoard.cli.progress.Progress;
import java.util.concurrent.Callable;

/**
 * Says, when the process is stopped while fetches run, that their partial downloads were kept. On Ctrl-C (or
 * SIGTERM) the JVM runs its shutdown hooks and exits with 130 without unwinding the fetching threads, so no finally
 * block could say it: a hook does, for the time of the work only.
 */
final class InterruptNotice {
    private InterruptNotice() {
    }

    static <T> T around(Progress progress, Callable<T> work) throws Exception {
        Thread notice = new Thread(progress::interrupted, "hoard-interrupted");
        Runtime.getRuntime().addShutdownHook(notice);
        try {
            return work.call();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(notice);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs, or ran, and says what was kept
            }
        }
    }
}
