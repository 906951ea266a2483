package dev.hoard.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A tmpfs of a chosen size, for disk-full and read-only tests. Mounting needs root; elsewhere the test is skipped with
 * the reason printed.
 */
@SuppressWarnings("try") // close() waits for umount, so it may be interrupted, as callers want
final class TinyFilesystem implements AutoCloseable {
    private final Path mountPoint;

    private TinyFilesystem(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    static TinyFilesystem mount(Path mountPoint, String size) throws Exception {
        Files.createDirectories(mountPoint);
        String failure = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mountPoint.toString());
        if (failure != null) {
            String reason = "needs root to mount a tmpfs (" + failure.trim() + ")";
            System.err.println("SKIPPED " + reason);
            Assumptions.abort(reason);
        }
        return new TinyFilesystem(mountPoint);
    }

    Path path() {
        return mountPoint;
    }

    void remount(String options) throws Exception {
        String failure = run("mount", "-o", "remount," + options, mountPoint.toString());
        if (failure != null) {
            throw new IOException("remount " + options + " failed: " + failure);
        }
    }

    @Override
    public void close() throws Exception {
        run("umount", "-l", mountPoint.toString());
    }

    /** Runs a command; returns null on success, else what it printed. */
    private static String run(String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of(command));
        Process p;
        try {
            p = new ProcessBuilder(args).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : out + " (exit " + p.exitValue() + ")";
    }
}
