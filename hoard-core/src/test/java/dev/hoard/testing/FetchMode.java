package dev.hoard.testing;

import dev.hoard.HoardOptions;
import java.util.stream.Stream;

/**
 * One way a {@link dev.hoard.Hoard} can be set up to fetch: with or without OS file locks, on one connection, on as
 * many as it chooses (0), or on four. {@link InEveryFetchMode} runs a test in each.
 *
 * <p>Without file locks threads still exclude each other, so an in-JVM test sees the same outcome; what changes is
 * the code path (no adoption or cleaning of partials). Four connections split only a file of at least 1 MiB per
 * connection, and the automatic choice only one of 32 MiB or more, so a test of small files sees one connection in
 * every mode: a test that means to exercise the split must serve a file large enough and check for Range requests.
 *
 * @param fileLocks   whether OS file locks are taken ({@link HoardOptions#fileLocks})
 * @param connections connections per download, 0 for automatic ({@link HoardOptions#connections})
 */
public record FetchMode(boolean fileLocks, int connections) {

    /** File locks on and off, each with 1, automatic and 4 connections. */
    public static Stream<FetchMode> all() {
        return Stream.of(true, false).flatMap(locks -> Stream.of(1, 0, 4).map(n -> new FetchMode(locks, n)));
    }

    /** {@code options} in this mode. */
    public HoardOptions applyTo(HoardOptions options) {
        return options.fileLocks(fileLocks).connections(connections);
    }

    @Override
    public String toString() {
        return (fileLocks ? "file locks" : "no file locks") + ", "
                + (connections == 0 ? "automatic connections" : connections + " connection" + (connections == 1 ? ""
                        : "s"));
    }
}
