package dev.hoard.testing;

import java.util.Random;

/** Test content: pseudo-random bytes that are the same on every run, so a failure can be replayed. */
public final class TestBytes {
    private TestBytes() {
    }

    /**
     * {@code n} bytes from {@code new Random(seed)}. The same seed gives the same bytes, and a shorter run of them is
     * a prefix of a longer one: give two bodies that must differ (two versions of a file) different seeds.
     */
    public static byte[] random(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** {@code n} bytes seeded by {@code n} itself: bodies of different sizes differ, and any test can recompute one. */
    public static byte[] random(int n) {
        return random(n, n);
    }
}
