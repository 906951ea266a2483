package dev.hoard.internal.lock;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.LockingProcess;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The contract with OS file locks, and what they add: another process's lock keeps this one out until it dies. */
@SuppressWarnings("try") // a lock or process held for the length of a block is the point of its try-with-resources
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
            assertAnInterruptEndsAWait(); // while it waits for the file lock, holding the thread lock
        }
        assertTrue(freeForAnotherThread());
    }
}
