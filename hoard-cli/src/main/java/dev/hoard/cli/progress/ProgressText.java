package dev.hoard.cli.progress;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** The words and numbers of progress lines: sizes in binary units, rates, ETAs, the waiting line. */
public final class ProgressText {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB"};

    private ProgressText() {
    }

    /** {@code 512 B}, {@code 1.5 KiB}, {@code 587.0 MiB}. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double value = n;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }

    /** {@code 42s}, {@code 3m07s}, {@code 2h05m}. */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + String.format(Locale.ROOT, "%02d", seconds % 60) + "s";
        }
        return seconds / 3600 + "h" + String.format(Locale.ROOT, "%02d", seconds % 3600 / 60) + "m";
    }

    /**
     * {@code   12.0 MiB / 100.0 MiB   12%    5.0 MiB/s  ETA 17s}, or without the total when it is unknown. Numbers
     * are right-aligned in fixed widths, so the lines of several fetches line up.
     */
    static String transfer(long bytes, long total, double rate) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%10s", bytes(bytes)));
        if (total > 0) {
            line.append(String.format(Locale.ROOT, " / %-10s %4s", bytes(total), percent(bytes, total)));
        }
        line.append(String.format(Locale.ROOT, "  %12s", bytes((long) rate) + "/s"));
        if (total > 0 && rate >= 1 && bytes < total) {
            line.append("  ETA ").append(duration((long) Math.ceil((total - bytes) / rate)));
        }
        return line.toString();
    }

    /**
     * A transfer's line. Once every byte of a download has arrived, hoard is still hashing the rest (SHA-256 can be
     * slower than the network) and syncing the file: {@code 512.0 MiB / 512.0 MiB 100%  verifying}, not a rate that
     * sinks to nothing.
     */
    static String transfer(Task task, long now) {
        if (!task.decompressing && task.total > 0 && task.bytes >= task.total) {
            return String.format(Locale.ROOT, "%10s / %-10s %4s  verifying", bytes(task.bytes), bytes(task.total),
                    percent(task.bytes, task.total));
        }
        return transfer(task.bytes, task.total, task.rate.rate(now, task.bytes));
    }

    /**
     * {@code waiting for pid 6527 on build-07 (since 3s ago): 15.0 MiB of 587.0 MiB (2%)}, with {@code , verifying}
     * once the owner has every byte.
     */
    static String waiting(Task task) {
        StringBuilder line = new StringBuilder("waiting for ");
        if (task.owner == null) {
            line.append("another process");
        } else {
            line.append("pid ").append(task.owner.pid()).append(" on ").append(task.owner.host())
                    .append(" (since ").append(age(task.owner.since())).append(')');
        }
        if (task.ownerBytes >= 0) {
            line.append(": ").append(bytes(task.ownerBytes));
            if (task.ownerTotal > 0) {
                line.append(" of ").append(bytes(task.ownerTotal))
                        .append(" (").append(percent(task.ownerBytes, task.ownerTotal).trim()).append(')');
                if (task.ownerBytes >= task.ownerTotal) {
                    line.append(", verifying"); // every byte is there; the owner is hashing and syncing it
                }
            } else {
                line.append(" so far");
            }
        }
        return line.toString();
    }

    static String percent(long part, long whole) {
        return String.format(Locale.ROOT, "%3d%%", Math.min(100, part * 100 / whole));
    }

    private static String age(Instant since) {
        return duration(Math.max(0, Duration.between(since, Instant.now()).toSeconds())) + " ago";
    }
}
