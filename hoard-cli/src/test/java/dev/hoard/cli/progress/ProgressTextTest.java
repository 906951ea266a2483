package dev.hoard.cli.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The progress lines' wording at the end of a download, for its owner and for a waiter. */
class ProgressTextTest {
    private static final long MIB = 1 << 20;

    @Test
    void aDownloadWhoseBytesHaveAllArrivedIsVerifyingNotSlowingDown() {
        Task task = task(512 * MIB, 512 * MIB);
        assertEquals(" 512.0 MiB / 512.0 MiB  100%  verifying", ProgressText.transfer(task, System.nanoTime()));
    }

    @Test
    void beforeTheEndAndWhileDecompressingTheLineShowsTheRate() {
        long now = System.nanoTime();
        String midway = ProgressText.transfer(task(100 * MIB, 512 * MIB), now);
        assertTrue(midway.contains("/s") && !midway.contains("verifying"), midway);

        Task decompressing = task(512 * MIB, 512 * MIB);
        decompressing.decompressing = true;
        String line = ProgressText.transfer(decompressing, now);
        assertTrue(line.contains("/s") && !line.contains("verifying"), line);
    }

    @Test
    void aWaiterSaysTheOwnerIsVerifyingOnceTheOwnerHasEveryByte() {
        Task task = task(0, -1);
        task.phase = Task.Phase.WAITING;
        task.ownerTotal = 512 * MIB;
        task.ownerBytes = 100 * MIB;
        assertEquals("waiting for another process: 100.0 MiB of 512.0 MiB (19%)", ProgressText.waiting(task));
        task.ownerBytes = 512 * MIB;
        assertEquals("waiting for another process: 512.0 MiB of 512.0 MiB (100%), verifying",
                ProgressText.waiting(task));
    }

    private static Task task(long bytes, long total) {
        Task task = new Task();
        task.url = URI.create("http://example.com/disk.img");
        task.phase = Task.Phase.TRANSFERRING;
        task.bytes = bytes;
        task.total = total;
        return task;
    }
}
