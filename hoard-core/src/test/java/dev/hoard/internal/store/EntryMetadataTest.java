package dev.hoard.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Metadata timestamps read by hand give what {@link Instant#parse} gives, and reject what it rejects. */
class EntryMetadataTest {

    @Test
    void readsEveryInstantThatToStringWritesAsInstantParseDoes() {
        Random random = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(-2_000_000_000L, 250_000_000_000L); // 1906 to 9892
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            String text = Instant.ofEpochSecond(seconds, nanos).toString();
            assertEquals(Instant.parse(text), EntryMetadata.instant(text), text);
        }
    }

    @Test
    void leavesOtherSpellingsToInstantParse() {
        for (String text : new String[] {"2026-11-22T08:03:02.1Z", "+12026-11-22T08:03:02Z", "2026-11-22T08:03:02+01:00",
                "2026-11-22T08:03:02.Z"}) {
            assertEquals(Instant.parse(text), EntryMetadata.instant(text), text);
        }
        for (String text : new String[] {"2026-13-22T08:03:02Z", "2026-11-22T24:03:02Z", "2026-02-29T08:03:02Z", "2024-02-30T00:00:00Z",
                "2026-11-22 08:03:02Z", "2026-11-22T08:0a:02Z", "yesterday"}) {
            assertThrows(DateTimeException.class, () -> EntryMetadata.instant(text), text);
        }
    }
}
