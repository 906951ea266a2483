package dev.hoard.testing;

import java.nio.file.Path;
import java.util.List;

/**
 * The fish shell, for tests of hoard's fish completion script. Like nginx, a missing fish skips the test with the
 * reason printed, and HOARD_REQUIRE_FISH=1 (CI) makes it a failure instead.
 */
public final class Fish {
    private Fish() {
    }

    /** The fish binary; skips (or with HOARD_REQUIRE_FISH=1 fails) the calling test if there is none. */
    public static Path binary() {
        var fish = ServerProcess.binary("fish", List.of(Path.of("/usr/bin/fish")));
        ServerProcess.assumeAvailable(fish, "fish", "HOARD_REQUIRE_FISH", System.getenv("HOARD_REQUIRE_FISH"),
                System.err);
        return fish.orElseThrow();
    }
}
