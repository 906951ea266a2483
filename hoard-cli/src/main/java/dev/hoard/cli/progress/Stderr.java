package dev.hoard.cli.progress;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What stderr is: a terminal that understands the few VT100 controls the live display uses, or anything else (a
 * file, a pipe, a log). Stderr specifically, because that is where progress goes: {@code hoard get URL > list}
 * still shows progress, and {@code hoard get URL 2> log} writes a clean log.
 *
 * <p>No terminal library: see docs/progress.md for the measurements (JLine's system terminal costs 190-360 ms and
 * ~750 classes to learn one number, the width, which {@code stty size} gives in 5-45 ms).
 */
public final class Stderr {
    private static final int DEFAULT_COLUMNS = 80;

    private final PrintWriter out;
    private final boolean terminal;
    private final Path device;

    private Stderr(PrintWriter out, boolean terminal, Path device) {
        this.out = out;
        this.terminal = terminal;
        this.device = device;
    }

    /**
     * A writer on this process's stderr, in {@code System.err}'s charset and flushed at each line as
     * {@code System.err} is. Only such a writer can be a terminal: any other (a buffer, a log an embedding program
     * passes in) gets plain lines, whatever fd 2 is.
     */
    public static PrintWriter processWriter() {
        return new ProcessWriter();
    }

    /** What {@code out} writes to: a terminal only if it is {@link #processWriter()} and fd 2 is one. */
    static Stderr detect(PrintWriter out) {
        if (!(out instanceof ProcessWriter)) {
            return new Stderr(out, false, null);
        }
        try {
            Path target = Files.readSymbolicLink(Path.of("/proc/self/fd/2"));
            String name = target.toString();
            boolean tty = name.startsWith("/dev/pts/") || name.startsWith("/dev/tty");
            return new Stderr(out, tty, tty ? target : null);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return new Stderr(out, System.console() != null, null); // not Linux: stdin and stdout decide, a guess
        }
    }

    PrintWriter out() {
        return out;
    }

    /**
     * True if stderr is a terminal that can redraw lines in place: a tty whose TERM is set and not {@code dumb}
     * (every other terminal in use understands CR, erase-line, cursor-up and erase-below).
     */
    boolean redrawable() {
        String term = System.getenv("TERM");
        return terminal && term != null && !term.isBlank() && !term.equals("dumb");
    }

    /**
     * The terminal's width: {@code COLUMNS} if set, else what {@code stty size} says of the tty stderr is on, else
     * 80. Runs a process, so it is called only once a live display starts, never on a cache hit.
     */
    int columns() {
        Integer fromEnv = positive(System.getenv("COLUMNS"));
        if (fromEnv != null) {
            return fromEnv;
        }
        Integer fromStty = device == null ? null : sttyColumns(device);
        return fromStty != null ? fromStty : DEFAULT_COLUMNS;
    }

    private static Integer sttyColumns(Path device) {
        try {
            Process stty = new ProcessBuilder("stty", "size")
                    .redirectInput(device.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String answer = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!stty.waitFor(2, TimeUnit.SECONDS)) {
                stty.destroyForcibly();
                return null;
            }
            String[] rowsAndColumns = answer.split("\\s+");
            return rowsAndColumns.length == 2 ? positive(rowsAndColumns[1]) : null;
        } catch (IOException e) {
            return null; // no stty (not a Unix), or the device went away: fall back to 80
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static Integer positive(String text) {
        if (text == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(text.trim());
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static final class ProcessWriter extends PrintWriter {
        ProcessWriter() {
            super(new OutputStreamWriter(System.err, System.err.charset()), true);
        }
    }
}
