package dev.hoard.cli.progress;

import dev.hoard.LockHolder;
import java.net.URI;

/** One fetch as the display knows it. Its {@link Progress} guards every field. */
final class Task {
    enum Phase {
        /** Nothing reported yet: a hit, or a fetch not yet begun. Not shown. */
        QUIET,
        /** Another process or thread holds the entry. */
        WAITING,
        /** This process receives the body. */
        TRANSFERRING,
        /** Over: finished, failed or abandoned. */
        OVER
    }

    URI url;
    Phase phase = Phase.QUIET;
    long bytes;
    long total = -1;
    long startNanos;
    LockHolder owner;
    long ownerBytes = -1;
    long ownerTotal = -1;
    long lastLoggedNanos;
    /** Set once the download's own "downloaded" line was printed (before a decompression began). */
    boolean downloadReported;
    /** Decompressing into the output: bytes and total then count compressed bytes read. */
    boolean decompressing;
    long decompressedBytes;
    final RateMeter rate = new RateMeter();

    boolean active() {
        return phase == Phase.WAITING || phase == Phase.TRANSFERRING;
    }

    /** The last path segment of the URL: what a person calls the file. */
    String name() {
        String path = url == null ? null : url.getPath();
        if (path == null || path.isEmpty() || path.endsWith("/")) {
            return String.valueOf(url);
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
