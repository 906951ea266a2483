package dev.hoard.internal.lock;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.LockingProcess;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The contract with OS file locks, and what they add: another process's lock keeps this one out until it dies. */
class FileEntryLocksTest extends EntryLocksContract {

    @Override
    EntryLocks locks() {
        return EntryLocks.withFileLocks();
    }

    @Override
    EntryLocks otherMode() {
        return EntryLocks.threadsOnly();
    }

    @Test
    void aLockAnotherProcessHoldsIsBusyUntilThatProcessDies() throws Exception {
        try (LockingProcess other = LockingProcess.hold(lockFile)) {
            assertNull(locks().tryAcquire(lockFile));
            assertThrows(TimeoutException.class, () -> locks().acquire(lockFile, Duration.ofMillis(300), IGNORE));
        }

        try (EntryLock lock = locks().acquire(lockFile, Duration.ofSeconds(BOUND_SECONDS), IGNORE)) {
            assertNotNull(lock); // the kernel released the killed process's lock
        }
    }

    @Test
    void anInterruptEndsAWaitForAnotherProcess() throws Exception {
        try (LockingProcess other = LockingProcess.hold(lockFile)) {
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread waiter = Thread.ofPlatform().start(() -> {
                try (EntryLock lock = locks().acquire(lockFile, null, waited -> waiting.countDown())) {
                    outcome.complete(null);
                } catch (Exception e) {
                    outcome.complete(e);
                }
            });
            assertTrue(waiting.await(BOUND_SECONDS, TimeUnit.SECONDS), "the waiter never waited");

            waiter.interrupt();

            assertInstanceOf(InterruptedException.class, outcome.get(BOUND_SECONDS, TimeUnit.SECONDS));
        }
        assertTrue(freeForAnotherThread());
    }
}
