package dev.hoard.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link Poll}: it returns as soon as the state is reached, and a timeout says what was awaited and what was seen. */
class PollTest {

    @Test
    void returnsTheFirstValueThatPasses() {
        AtomicInteger looks = new AtomicInteger();

        int seen = Poll.until(Duration.ofSeconds(5), "three looks", looks::incrementAndGet, n -> n >= 3);

        assertEquals(3, seen);
    }

    @Test
    void aTimeoutNamesWhatWasAwaitedAndTheLastValueSeen() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Poll.until(Duration.ofMillis(50), "the partial holds 10 bytes", () -> 7L, n -> n >= 10));

        assertEquals("timed out after 50 ms waiting until the partial holds 10 bytes; last seen: 7", e.getMessage());
        AssertionError never = assertThrows(AssertionError.class,
                () -> Poll.until(Duration.ofSeconds(0), "never", () -> false));
        assertEquals("timed out after 0 s waiting until never", never.getMessage());
    }

    @Test
    void aProbeThatFailsFailsTheWaitWithItsCause() {
        IOException cause = new IOException("no such file");

        AssertionError e = assertThrows(AssertionError.class, () -> Poll.until(Duration.ofSeconds(5), "a file appears",
                () -> {
                    throw cause;
                }));

        assertSame(cause, e.getCause());
        assertTrue(e.getMessage().startsWith("could not check whether a file appears: "), e.getMessage());
    }

    @Test
    void aLatchIsAwaitedWithoutPollingAndItsTimeoutNamesIt() {
        CountDownLatch open = new CountDownLatch(0);
        Poll.await(open, Duration.ofSeconds(5), "it opens");

        AssertionError e = assertThrows(AssertionError.class,
                () -> Poll.await(new CountDownLatch(1), Duration.ofMillis(20), "the owner receives a byte"));
        assertEquals("timed out after 20 ms waiting until the owner receives a byte", e.getMessage());
    }

    @Test
    void anInterruptEndsTheWaitAndStaysSet() {
        Thread.currentThread().interrupt();
        try {
            AssertionError e = assertThrows(AssertionError.class,
                    () -> Poll.until(Duration.ofSeconds(5), "never", () -> false));
            assertTrue(e.getMessage().startsWith("interrupted while waiting until never"), e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
    }
}
