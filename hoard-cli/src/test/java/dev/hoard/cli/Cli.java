package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.Poll;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs hoard as a user would: in this JVM for speed, or in a forked JVM where processes matter. */
final class Cli {
    private Cli() {
    }

    /** What one run printed and returned. */
    record Run(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** Runs {@code hoard args} in this JVM, printing to writers of its own: runs may go on at the same time. */
    static Run run(String... args) {
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int code = HoardCommand.run(new PrintWriter(stdout, true), new PrintWriter(stderr, true), args);
        return new Run(code, stdout.toString(), stderr.toString());
    }

    /** Starts {@code hoard args} in a new JVM with this test's class path; stdout and stderr go to files. */
    static Process fork(Path workDir, String name, Map<String, String> env, String... args) {
        return fork(workDir, name, env, List.of(), args);
    }

    /** Like {@link #fork(Path, String, Map, String...)}, with options for the new JVM (e.g. class-load logging). */
    static Process fork(Path workDir, String name, Map<String, String> env, List<String> jvmOptions,
            String... args) {
        return fork(workDir, name, env, List.of(), jvmOptions, args);
    }

    /**
     * Like {@link #fork(Path, String, Map, List, String...)}, the JVM started by {@code prefix} (e.g.
     * {@code NetworkNamespaces.Machine#commandPrefix()}, {@code ip netns exec NS}, which execs it in place).
     */
    static Process fork(Path workDir, String name, Map<String, String> env, List<String> prefix,
            List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(javaBinary());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), HoardCommand.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(workDir.resolve(name + ".out").toFile())
                .redirectError(workDir.resolve(name + ".err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for a forked run, bounded, and returns what it printed. */
    static Run await(Process process, Path workDir, String name, long timeoutSeconds) {
        try {
            boolean done = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                process.destroyForcibly();
            }
            assertTrue(done, name + " did not finish within " + timeoutSeconds + " s");
            return new Run(process.exitValue(),
                    java.nio.file.Files.readString(workDir.resolve(name + ".out")),
                    java.nio.file.Files.readString(workDir.resolve(name + ".err")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code file} contains {@code text} (a forked process's stderr, say); returns what it holds. */
    static String awaitContains(Path file, String text, Duration timeout) {
        return Poll.until(timeout, "'" + text + "' appears in " + file, () -> readIfExists(file),
                content -> content.contains(text));
    }

    /** Waits until some partial download in the cache holds at least {@code bytes}; returns its path. */
    static Path awaitPartial(Path cacheDir, long bytes, Duration timeout) {
        return Poll.until(timeout, "a partial of " + bytes + " bytes is in " + cacheDir, () -> largestPartial(cacheDir),
                largest -> largest != null && largest.toFile().length() >= bytes);
    }

    /** The largest {@code blobs/.partial-*} file, or null. */
    static Path largestPartial(Path cacheDir) throws IOException {
        Path blobs = cacheDir.resolve("blobs");
        if (!java.nio.file.Files.isDirectory(blobs)) {
            return null;
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(blobs)) {
            return files.filter(f -> f.getFileName().toString().startsWith(".partial-"))
                    .max(java.util.Comparator.comparingLong(f -> f.toFile().length())).orElse(null);
        }
    }

    static String readIfExists(Path file) {
        try {
            return java.nio.file.Files.exists(file) ? java.nio.file.Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code hoard args} in a new JVM whose stdin, stdout and stderr are a pseudo-terminal, as at a person's
     * terminal: util-linux {@code script} makes the pty, with TERM=xterm and COLUMNS=120. The transcript (stdout and
     * stderr together, as the terminal showed them) is the run's stdout; the exit code is hoard's.
     */
    static Run terminal(Path workDir, String name, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-cp", System.getProperty("java.class.path"),
                HoardCommand.class.getName()));
        command.addAll(List.of(args));
        String shellCommand = String.join(" ", command.stream().map(Cli::shellQuote).toList());
        ProcessBuilder builder = new ProcessBuilder("script", "-qfec", shellCommand, "/dev/null")
                .redirectOutput(workDir.resolve(name + ".out").toFile())
                .redirectError(workDir.resolve(name + ".err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("TERM", "xterm");
        builder.environment().put("COLUMNS", "120");
        builder.environment().putAll(env);
        try {
            return await(builder.start(), workDir, name, 120);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run script(1) from util-linux", e);
        }
    }

    private static String shellQuote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
