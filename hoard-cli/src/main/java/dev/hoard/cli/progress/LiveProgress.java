package dev.hoard.cli.progress;

import java.util.List;

/**
 * Progress on a terminal: a block of lines at the bottom, redrawn in place by a thread of its own five times a
 * second, with permanent lines (finished downloads, warnings, errors) printed above it.
 *
 * <p>The block uses four controls every terminal emulator in use understands (VT100): CR, cursor up
 * ({@code ESC[nA}), erase line ({@code ESC[2K}) and erase below ({@code ESC[J}). Lines are cut to the terminal's
 * width minus one, so none wraps and "up n lines" is always right. The cursor rests at the end of the block's last
 * line; to redraw, it goes back to the block's first line and overwrites it.
 *
 * <p>Nothing starts until a fetch waits or transfers: a cache hit runs no thread and no {@code stty}.
 */
final class LiveProgress extends Progress {
    private static final long REDRAW_MILLIS = 200;
    private static final int WIDTH_REFRESH_TICKS = 10; // re-read the width every 2 s, to follow a resized window
    private static final String ERASE_LINE = "\033[2K";
    private static final String ERASE_BELOW = "\033[J";

    private final Stderr stderr;
    // Guarded by this:
    private int drawnLines;
    private int columns;
    private Thread redrawer;
    private boolean closed;

    LiveProgress(Stderr stderr) {
        super(stderr.out(), false);
        this.stderr = stderr;
    }

    @Override
    void onWaiting(Task task, boolean news) {
        startRedrawing();
    }

    @Override
    void onStarted(Task task) {
        startRedrawing();
    }

    @Override
    void onProgress(Task task, long now) {
        // the redraw thread shows it
    }

    @Override
    synchronized void line(String text) {
        erase();
        err.print(text + "\n");
        draw();
        err.flush(); // a permanent line shows at once, also before the first redraw
    }

    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            closed = true;
            notifyAll();
            erase();
            err.flush();
            thread = redrawer;
        }
        if (thread != null) {
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void startRedrawing() {
        if (redrawer == null && !closed) {
            redrawer = Thread.ofPlatform().daemon().name("hoard-progress").start(this::redrawUntilClosed);
        }
    }

    private void redrawUntilClosed() {
        for (int tick = 0; ; tick++) {
            // stty runs outside the lock: fetching threads never wait for it.
            int width = tick % WIDTH_REFRESH_TICKS == 0 ? stderr.columns() : 0;
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (width > 0) {
                    columns = width;
                }
                draw();
                try {
                    wait(REDRAW_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Replaces the block with the current board. Caller holds the lock. */
    private void draw() {
        if (columns == 0) {
            return; // the redraw thread has not read the width yet; it draws first thing when it has
        }
        List<String> lines = board(columns, System.nanoTime());
        if (lines.isEmpty() && drawnLines == 0) {
            return;
        }
        StringBuilder out = new StringBuilder(toBlockStart());
        for (int i = 0; i < lines.size(); i++) {
            out.append(i == 0 ? "" : "\n").append(ERASE_LINE).append(cut(lines.get(i), columns - 1));
        }
        out.append(ERASE_BELOW);
        err.print(out);
        err.flush();
        drawnLines = lines.size();
    }

    /** Erases the block, leaving the cursor at the start of its first line. Caller holds the lock. */
    private void erase() {
        if (drawnLines > 0) {
            err.print(toBlockStart() + ERASE_BELOW);
            drawnLines = 0;
        }
    }

    private String toBlockStart() {
        if (drawnLines == 0) {
            return "";
        }
        return drawnLines > 1 ? "\r\033[" + (drawnLines - 1) + "A" : "\r";
    }

    private static String cut(String line, int width) {
        return line.length() <= width ? line : line.substring(0, Math.max(0, width));
    }
}
