package dev.hoard.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hoard.testing.Poll;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The background fsync of a file being written, and what it says is durable. */
class FlusherTest {
    private static final int EVERY = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void forcesEachTimeAnIntervalIsWrittenAndSaysHowMuchIsOnDisk() throws Exception {
        try (FileChannel channel = FileChannel.open(tmp.resolve("file"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            Flusher flusher = new Flusher(channel, 0, EVERY);
            write(channel, EVERY - 1);
            flusher.written(EVERY - 1);
            assertEquals(0, flusher.durable(), "less than an interval is not forced");

            write(channel, 1);
            flusher.written(EVERY);
            awaitDurable(flusher, EVERY);

            write(channel, 3 * EVERY);
            flusher.written(4 * EVERY);
            awaitDurable(flusher, 4 * EVERY);
            flusher.written(EVERY); // the count only grows
            flusher.close();
            flusher.close();
            assertEquals(4 * EVERY, flusher.durable());
        }
    }

    @Test
    void closingWaitsForNothingWhenNothingIsDue() throws Exception {
        try (FileChannel channel = FileChannel.open(tmp.resolve("file"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            Flusher flusher = new Flusher(channel, 5, EVERY);
            flusher.close();
            assertEquals(0, flusher.durable(), "bytes written before were never forced by it");
        }
    }

    @Test
    void aForceThatCameDueJustBeforeCloseIsStillMade() throws Exception {
        try (FileChannel channel = FileChannel.open(tmp.resolve("file"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            for (int round = 1; round <= 50; round++) { // the thread rarely runs between the two calls
                Flusher flusher = new Flusher(channel, 0, EVERY);
                write(channel, EVERY);
                flusher.written(EVERY * round);
                flusher.close();
                assertEquals(EVERY * round, flusher.durable(), "round " + round
                        + ": close() came before the due force began, and a failed attempt's checkpoint lost it");
            }
        }
    }

    private static void write(FileChannel channel, int bytes) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void awaitDurable(Flusher flusher, long expected) {
        Poll.until(Duration.ofSeconds(10), "the flusher has forced " + expected + " bytes", flusher::durable,
                durable -> durable >= expected);
        assertEquals(expected, flusher.durable());
    }
}
