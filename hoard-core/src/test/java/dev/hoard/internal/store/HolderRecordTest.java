package dev.hoard.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hoard.LockHolder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** owner.json keeps the format of format version 1, and reads the files older hoards wrote. */
class HolderRecordTest {
    private static final LockHolder HOLDER = new LockHolder(4242, "build-7", Instant.parse("2025-03-01T10:15:30Z"));

    @Test
    void itIsWrittenAsDocumented() {
        HolderRecord record = new HolderRecord(HOLDER, ".partial-abc.4242-1", "https://example.com/disk.img");

        assertEquals("""
                {
                  "pid": 4242,
                  "host": "build-7",
                  "since": "2025-03-01T10:15:30Z",
                  "partial": ".partial-abc.4242-1",
                  "url": "https://example.com/disk.img"
                }
                """, record.toJson());
        assertEquals(record, HolderRecord.parse(record.toJson()));
    }

    @Test
    void aFileWithoutTheUrlReadsWithNoUrl() {
        HolderRecord record = HolderRecord.parse("""
                {"pid": 4242, "host": "build-7", "since": "2025-03-01T10:15:30Z", "partial": ".partial-abc.4242-1"}
                """);

        assertEquals(HOLDER, record.holder());
        assertNull(record.url());
    }

    @Test
    void aTornOrForeignFileIsNoRecord() {
        assertThrows(IllegalArgumentException.class, () -> HolderRecord.parse("{\"pid\": 4242, \"host\": "));
        assertThrows(IllegalArgumentException.class, () -> HolderRecord.parse(
                "{\"pid\": \"4242\", \"host\": \"h\", \"since\": \"2025-03-01T10:15:30Z\", \"partial\": \"p\"}"));
        assertThrows(IllegalArgumentException.class, () -> HolderRecord.parse(
                "{\"pid\": 4242, \"host\": \"h\", \"since\": \"yesterday\", \"partial\": \"p\"}"));
    }
}
