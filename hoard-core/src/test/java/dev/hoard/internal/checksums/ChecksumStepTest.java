package dev.hoard.internal.checksums;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.hoard.ChecksumFileException;
import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The size cap on checksum files, against a fake next step that streams a body without a Content-Length (which the
 * test servers always send; the CLI test covers the declared-length case against a real server).
 */
class ChecksumStepTest {
    private static final URI IMAGE = URI.create("https://example.org/disk.img");
    private static final URI SUMS = URI.create("https://example.org/SHA256SUMS");

    @Test
    void aBodyWithoutALengthIsAbandonedOnceItPassesTheCap() {
        List<Long> delivered = new ArrayList<>();
        ChecksumStep step = new ChecksumStep((request, listener) -> {
            listener.started(request.uri(), -1);
            for (long bytes = 256 << 10; ; bytes += 256 << 10) {
                delivered.add(bytes);
                listener.progress(request.uri(), bytes, -1); // an endless body, as far as the step can tell
            }
        });

        ChecksumFileException e = assertThrows(ChecksumFileException.class,
                () -> step.fetch(FetchRequest.of(IMAGE).checksums(SUMS), FetchListener.NONE));

        assertEquals(SUMS + " is more than 1048576 bytes, too large for a checksum file (at most 1048576); is it "
                + "really one, or are the two URLs swapped?", e.getMessage());
        assertEquals(5, delivered.size(), "stopped at the first progress past 1 MiB");
    }
}
