package dev.hoard.internal.lock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.hoard.testing.LockingProcess;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The contract with thread locks alone, and what they leave out on purpose: on a mount whose OS locks lie, they
 * would mean nothing, so they are neither taken nor heeded.
 */
@SuppressWarnings("try") // a lock or process held for the length of a block is the point of its try-with-resources
class ThreadEntryLocksTest extends EntryLocksContract {

    @Override
    EntryLocks locks() {
        return EntryLocks.threadsOnly();
    }

    @Override
    EntryLocks otherMode() {
        return EntryLocks.withFileLocks();
    }

    @Test
    void anotherProcessHoldingTheFileLockDoesNotKeepThisOneOut() throws Exception {
        try (LockingProcess other = LockingProcess.hold(lockFile); EntryLock lock = locks().tryAcquire(lockFile)) {
            assertNotNull(lock);
        }
    }

    @Test
    void theLockFileIsNeverOpened() throws Exception {
        try (EntryLock lock = locks().acquire(lockFile, null, IGNORE)) {
            assertFalse(Files.exists(lockFile));
        }
    }
}
