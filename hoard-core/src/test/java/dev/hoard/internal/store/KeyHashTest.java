package dev.hoard.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hoard.testing.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The entry-key SHA-256 gives the JDK's bytes, at every length around the 64-byte block and padding edges. */
class KeyHashTest {

    @Test
    void equalsMessageDigestForEveryLengthUpToFiveBlocks() throws Exception {
        Random random = new Random(7);
        StringBuilder text = new StringBuilder();
        for (int length = 0; length <= 320; length++) {
            assertEquals(jdk(text.toString()), KeyHash.sha256Hex(text.toString()), "length " + length);
            text.append((char) ('!' + random.nextInt(94)));
        }
    }

    @Test
    void hashesTheUtf8BytesOfNonAsciiUrls() throws Exception {
        for (String url : new String[] {"", "https://example.org/images/disk.qcow2", "https://例え.jp/ファイル.img",
                "file:///tmp/caf\u00e9/\uD83D\uDCBE.iso"}) {
            assertEquals(jdk(url), KeyHash.sha256Hex(url), url);
        }
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", KeyHash.sha256Hex(""));
    }

    private static String jdk(String text) {
        return Hashes.sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }
}
