package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A waiter learns from the owner's owner.json who downloads, how far it is and how large the file is. */
@ExtendWith(CacheInvariants.class)
class WaiterProgressTest {
    private static final byte[] BODY = TestBytes.random(3 * 1024 * 1024, 7);

    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    @BeforeEach
    void setUp() {
        cache = tmp.resolve("cache");
    }

    @Test
    void aWaiterSeesTheOwnersBytesAndTheExpectedSize() throws Exception {
        try (TestHttpServer server = TestHttpServer.start(); Hoard hoard = Hoard.open(cache)) {
            server.put("/big.img", BODY);
            URI url = server.url("/big.img");
            CountDownLatch ownerReceiving = new CountDownLatch(1);
            CountDownLatch waiterSawSize = new CountDownLatch(1);
            AtomicReference<LockHolder> seenOwner = new AtomicReference<>();
            FetchListener owner = new FetchListener() {
                @Override
                public void progress(URI u, long bytes, long totalBytes) {
                    if (ownerReceiving.getCount() > 0) {
                        ownerReceiving.countDown();
                        awaitQuietly(waiterSawSize); // hold the lock, mid-body, until the waiter has looked
                    }
                }
            };
            FetchListener waiter = new FetchListener() {
                @Override
                public void waiting(URI u, LockHolder lockOwner, long ownerBytes, long totalBytes) {
                    if (totalBytes == BODY.length && ownerBytes > 0) {
                        seenOwner.set(lockOwner);
                        waiterSawSize.countDown();
                    }
                }
            };

            CompletableFuture<FetchResult> first = CompletableFuture.supplyAsync(() -> fetch(hoard, url, owner));
            assertTrue(ownerReceiving.await(30, TimeUnit.SECONDS), "the owner never received a byte");
            FetchResult second = fetch(hoard, url, waiter);

            assertTrue(waiterSawSize.await(0, TimeUnit.SECONDS), "the waiter never saw the owner's size");
            assertEquals(ProcessHandle.current().pid(), seenOwner.get().pid());
            assertEquals(FetchStatus.DOWNLOADED, first.get(30, TimeUnit.SECONDS).status());
            assertEquals(FetchStatus.USED_CACHE, second.status());
            assertEquals(1, server.fullBodyCount("/big.img"));
        }
    }

    private static FetchResult fetch(Hoard hoard, URI url, FetchListener listener) {
        try {
            return hoard.fetch(FetchRequest.of(url), listener);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
