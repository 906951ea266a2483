package dev.hoard.cli;

import java.time.Duration;
import java.time.Instant;

/** How long ago something happened, in the one unit a human reads at a glance: 45s, 12m, 5h, 3d. */
final class Ages {
    private Ages() {
    }

    static String since(Instant then, Instant now) {
        long seconds = Math.max(0, Duration.between(then, now).toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 48 * 3600) {
            return seconds / 3600 + "h";
        }
        return seconds / 86400 + "d";
    }
}
