package dev.hoard.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hoard.LockHolder;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What a waiter learns of the lock holder's progress from owner.json, partial.json and the partial file. */
@ExtendWith(CacheInvariants.class)
class HolderTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    @BeforeEach
    void setUp() {
        cache = tmp.resolve("cache");
    }

    @Test
    void aDownloadFrontToBackHasTheSizeOfItsFile() throws Exception {
        CacheEntry entry = entry();
        Path partial = entry.newPartialFile();
        Files.write(partial, new byte[1000]);
        entry.writeHolder(new LockHolder(42, "host", Instant.now()), partial);
        entry.writePartialRecord(new PartialRecord(partial.getFileName().toString(), "http://example.com/f", null,
                null, 5000, null, 0));

        CacheEntry.HolderProgress holder = entry.readHolderProgress().orElseThrow();
        assertEquals(1000, holder.bytesSoFar());
        assertEquals(5000, holder.totalBytes());
    }

    @Test
    void aSegmentedDownloadHasItsSegmentsProgressNotItsFurthestWrite() throws Exception {
        CacheEntry entry = entry();
        Path partial = entry.newPartialFile();
        try (RandomAccessFile file = new RandomAccessFile(partial.toFile(), "rw")) {
            file.setLength(8 * MIB); // the last segment's first write made the file this long
        }
        entry.writeHolder(new LockHolder(42, "host", Instant.now()), partial);
        PartialRecord record = new PartialRecord(partial.getFileName().toString(), "http://example.com/f", null,
                null, 8 * MIB, null, 0).withSegments(List.of(new PartialRecord.Segment(0, 4 * MIB, MIB),
                        new PartialRecord.Segment(4 * MIB, 8 * MIB, 0)));
        entry.writePartialRecord(record);
        try (SegmentProgress progress = SegmentProgress.create(entry.segmentProgressFile(), record)) {
            progress.record(0, 3 * MIB); // the workers' counts since partial.json was written
            progress.record(1, MIB);
        }

        assertEquals(4 * MIB, entry.readHolderProgress().orElseThrow().bytesSoFar());
    }

    private CacheEntry entry() throws Exception {
        CacheEntry entry = CacheStore.open(cache).entry(URI.create("http://example.com/f"));
        entry.create();
        return entry;
    }
}
