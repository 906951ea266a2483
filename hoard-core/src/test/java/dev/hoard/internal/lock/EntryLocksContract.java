package dev.hoard.internal.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.LockingProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link EntryLocks} promises, run against each implementation by a subclass (in the manner of Maven
 * Resolver's named-lock tests). After each test, nothing of its lock file may be left in the JVM's table: every
 * acquisition, failed or not, gave back what it took.
 */
@SuppressWarnings("try") // a lock or process held for the length of a block is the point of its try-with-resources
abstract class EntryLocksContract {
    /** A bound on every wait for another thread: generous, since a test fails at it only when something is wrong. */
    static final long BOUND_SECONDS = 30;
    static final EntryLocks.WaitObserver IGNORE = waited -> { };

    @TempDir
    Path tmp;

    Path lockFile;
    private ExecutorService threads;

    /** The implementation under test. */
    abstract EntryLocks locks();

    /** The other implementation, which a second cache opened in this JVM might use. */
    abstract EntryLocks otherMode();

    @BeforeEach
    void createEntryDirectory() throws Exception {
        lockFile = Files.createDirectories(tmp.resolve("entries").resolve("key")).resolve("lock");
        threads = Executors.newCachedThreadPool();
    }

    @AfterEach
    void nothingIsLeftInTheTable() throws Exception {
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(BOUND_SECONDS, TimeUnit.SECONDS), "a test thread did not end");
        assertEquals(0, LockTable.JVM_WIDE.users(lockFile), "a lock was still held or waited for in the table");
    }

    @Test
    void onlyOneThreadHoldsTheLockAtATime() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            workers.add(threads.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    try (EntryLock lock = locks().acquire(lockFile, null, IGNORE)) {
                        mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        Thread.yield();
                        inside.decrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get(BOUND_SECONDS, TimeUnit.SECONDS);
        }

        assertEquals(1, mostInside.get());
    }

    @Test
    void tryAcquireGivesNullWhileAnotherThreadHoldsTheLock() throws Exception {
        try (Holding holding = holdInAnotherThread(locks())) {
            assertNull(locks().tryAcquire(lockFile));
        }
        assertTrue(freeForAnotherThread());
    }

    @Test
    void aWaitThatTimesOutThrowsAndHoldsNothing() throws Exception {
        try (Holding holding = holdInAnotherThread(locks())) {
            assertThrows(TimeoutException.class, () -> locks().acquire(lockFile, Duration.ofMillis(200), IGNORE));
            assertEquals(1, LockTable.JVM_WIDE.users(lockFile), "only the holder is left");
        }
        assertTrue(freeForAnotherThread());
    }

    @Test
    void anInterruptEndsTheWaitAndHoldsNothing() throws Exception {
        try (Holding holding = holdInAnotherThread(locks())) {
            assertAnInterruptEndsAWait();
        }
        assertTrue(freeForAnotherThread());
    }

    @Test
    void aWaiterIsToldOfItsWaitAboutTwiceASecond() throws Exception {
        List<Duration> reports = new CopyOnWriteArrayList<>();
        CountDownLatch threeReports = new CountDownLatch(3);
        Future<?> waiter;
        try (Holding holding = holdInAnotherThread(locks())) {
            waiter = threads.submit(() -> {
                try (EntryLock lock = locks().acquire(lockFile, null, waited -> {
                    reports.add(waited);
                    threeReports.countDown();
                })) {
                    return null;
                }
            });
            assertTrue(threeReports.await(BOUND_SECONDS, TimeUnit.SECONDS), "reports: " + reports);
        }
        waiter.get(BOUND_SECONDS, TimeUnit.SECONDS);

        for (int i = 1; i < reports.size(); i++) {
            Duration gap = reports.get(i).minus(reports.get(i - 1));
            assertTrue(gap.toMillis() >= 450, "reports " + reports + " come more often than every 500 ms");
        }
    }

    @Test
    void releasingTheLockLetsTheNextWaiterIn() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch acquired = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> next;
        try (Holding holding = holdInAnotherThread(locks())) {
            next = threads.submit(() -> {
                try (EntryLock lock = locks().acquire(lockFile, null, waited -> waiting.countDown())) {
                    acquired.countDown();
                    release.await(BOUND_SECONDS, TimeUnit.SECONDS);
                }
                return null;
            });
            assertTrue(waiting.await(BOUND_SECONDS, TimeUnit.SECONDS), "the next one never waited");
            assertEquals(1, acquired.getCount(), "the next one got in while the lock was held");
        }

        assertTrue(acquired.await(BOUND_SECONDS, TimeUnit.SECONDS), "the next one never got in");
        assertFalse(freeForAnotherThread(), "the next one holds the lock");
        release.countDown();
        next.get(BOUND_SECONDS, TimeUnit.SECONDS);
        assertTrue(freeForAnotherThread());
    }

    @Test
    void aThreadHoldingTheLockInTheOtherModeKeepsThisOneOut() throws Exception {
        try (Holding holding = holdInAnotherThread(otherMode())) {
            assertNull(locks().tryAcquire(lockFile));
            assertThrows(TimeoutException.class, () -> locks().acquire(lockFile, Duration.ofMillis(200), IGNORE));
        }
        assertTrue(freeForAnotherThread());
    }

    /**
     * A lock file deleted while held (someone removed the cache) does not stop the next holder, and what it then
     * holds keeps other processes out exactly as far as {@link EntryLocks#excludesOtherProcesses()} says: with file
     * locks, it locked the file now at the path, not the unlinked one the JVM still had open.
     */
    @Test
    void aLockFileDeletedWhileHeldIsLockedAfreshByTheNextWaiter() throws Exception {
        NextHolder next = removeWhileHeld(() -> Files.deleteIfExists(lockFile));

        assertEquals(!locks().excludesOtherProcesses(), next.otherProcessCouldLock());
    }

    /**
     * A holder whose download left nothing removes the lock file and the entry directory before it lets go
     * (CacheEntry.removeTracesOfFailure): the next waiter makes both again and holds the entry as firmly as ever.
     */
    @Test
    void aLockFileRemovedWithItsDirectoryByTheHolderIsMadeAgainByTheNextWaiter() throws Exception {
        NextHolder next = removeWhileHeld(() -> {
            Files.deleteIfExists(lockFile);
            Files.delete(lockFile.getParent());
        });

        assertEquals(!locks().excludesOtherProcesses(), next.otherProcessCouldLock());
        assertEquals(locks().excludesOtherProcesses(), next.lockFileThere(), "made again only to be locked");
    }

    /** What the next holder found once it had the lock: whether the lock file was there, and another could lock. */
    record NextHolder(boolean lockFileThere, boolean otherProcessCouldLock) {
    }

    @FunctionalInterface
    interface Removal {
        void run() throws IOException;
    }

    /**
     * Holds the lock in one thread while another waits for it, runs {@code removal} as the holder would before it
     * lets go, and reports what the waiter finds once it holds the lock.
     */
    private NextHolder removeWhileHeld(Removal removal) throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<NextHolder> found = new CompletableFuture<>();
        Future<?> next;
        try (Holding holding = holdInAnotherThread(locks())) {
            next = threads.submit(() -> {
                try (EntryLock lock = locks().acquire(lockFile, Duration.ofSeconds(BOUND_SECONDS),
                        waited -> waiting.countDown())) {
                    boolean there = Files.exists(lockFile);
                    Files.createDirectories(lockFile.getParent()); // without file locks, for the other process
                    found.complete(new NextHolder(there, LockingProcess.canLock(lockFile)));
                    release.await(BOUND_SECONDS, TimeUnit.SECONDS);
                }
                return null;
            });
            assertTrue(waiting.await(BOUND_SECONDS, TimeUnit.SECONDS), "the next one never waited");
            removal.run();
        }
        NextHolder result = found.get(2 * BOUND_SECONDS, TimeUnit.SECONDS);
        release.countDown();
        next.get(BOUND_SECONDS, TimeUnit.SECONDS);
        return result;
    }

    @Test
    void anotherProcessIsKeptOutExactlyWhenTheLocksSaySo() throws Exception {
        try (EntryLock lock = locks().acquire(lockFile, null, IGNORE)) {
            assertEquals(!locks().excludesOtherProcesses(), LockingProcess.canLock(lockFile));
        }
        assertTrue(LockingProcess.canLock(lockFile), "released, the file is free for any process");
    }

    /** Starts a thread that waits for the lock, which is held, and interrupts it once it waits: the wait must end. */
    void assertAnInterruptEndsAWait() throws Exception {
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

    /** Whether a thread other than this one can take the lock right now (it lets go at once). */
    boolean freeForAnotherThread() throws Exception {
        return threads.submit(() -> {
            EntryLock lock = locks().tryAcquire(lockFile);
            if (lock == null) {
                return false;
            }
            lock.close();
            return true;
        }).get(BOUND_SECONDS, TimeUnit.SECONDS);
    }

    /** Takes the lock with {@code locks} on another thread, which holds it until closed. */
    Holding holdInAnotherThread(EntryLocks locks) throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = threads.submit(() -> {
            try (EntryLock lock = locks.acquire(lockFile, null, IGNORE)) {
                held.countDown();
                release.await();
            }
            return null;
        });
        if (!held.await(BOUND_SECONDS, TimeUnit.SECONDS)) {
            holder.cancel(true);
            throw new AssertionError("the holder never got the lock");
        }
        return new Holding(release, holder);
    }

    /** A lock held by another thread; closing it lets go and waits until that thread has released it. */
    @SuppressWarnings("try") // close() waits for the holder to let go, so it may be interrupted, as callers want
    record Holding(CountDownLatch release, Future<?> holder) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException, ExecutionException, TimeoutException {
            release.countDown();
            holder.get(BOUND_SECONDS, TimeUnit.SECONDS);
        }
    }
}
