package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.CutsEachChunkOnce;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.IfNoneMatchIgnored;
import dev.hoard.testing.S3Objects;
import dev.hoard.testing.S3Proxy;
import dev.hoard.testing.S3Server;
import dev.hoard.testing.SilentServer;
import dev.hoard.testing.SlowDownNowAndThen;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared tier in one JVM: each "machine" is a cache directory with its own {@link Hoard} (its own tier state,
 * as a process has), all sharing one store and one origin. Tests that must hold on every S3 store take an
 * {@link S3Server} from {@link dev.hoard.testing.S3Stores#all()}.
 */
@ExtendWith(CacheInvariants.class)
class SharedTierTest {
    private static final byte[] BODY = TestBytes.random(3 << 20, 12);
    private static final Digest BODY_SHA256 = Hashes.sha256(BODY);
    /** Twelve chunks of the body: enough to follow a download chunk by chunk. */
    private static final int CHUNK = 256 << 10;

    @TempDir
    Path tmp;

    @CacheDir
    Path machineA;

    @CacheDir
    Path machineB;

    @CacheDir
    Path machineC;

    private TestHttpServer origin;
    private URI url;
    private String prefix;

    @BeforeEach
    void start(TestInfo test) {
        origin = TestHttpServer.start();
        origin.put("/disk.img", BODY);
        url = origin.url("/disk.img");
        machineA = tmp.resolve("machine-a");
        machineB = tmp.resolve("machine-b");
        machineC = tmp.resolve("machine-c");
        // one prefix per test, so no test sees another's objects
        prefix = test.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime();
    }

    @AfterEach
    void stop() {
        origin.close();
    }

    private SharedTierSettings tier(S3Server store) {
        return SharedTierSettings.of("s3://" + store.bucket() + "/" + prefix, store.endpoint(), store.region(),
                store.accessKey(), store.secretKey()).timeouts(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .chunkSize(CHUNK);
    }

    private static Hoard open(Path cache, SharedTierSettings tier) throws IOException {
        return Hoard.open(HoardOptions.of(cache).shared(tier).retryDelay(Duration.ofMillis(50)));
    }

    /** Collects warnings, as the CLI would print them. */
    private static final class Warnings implements FetchListener {
        final List<String> messages = new CopyOnWriteArrayList<>();

        @Override
        public void warning(URI url, String message) {
            messages.add(message);
        }
    }

    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void aSecondMachineGetsTheFileFromTheTierWithoutAskingTheOrigin(S3Server store) throws Exception {
        SharedTierSettings tier = tier(store);
        try (Hoard a = open(machineA, tier); Hoard b = open(machineB, tier)) {
            Warnings warnings = new Warnings();
            FetchResult first = a.fetch(FetchRequest.of(url).digest(BODY_SHA256), warnings);
            assertFalse(first.fromSharedTier());
            assertEquals(1, origin.requestCount("/disk.img"));

            FetchResult second = b.fetch(FetchRequest.of(url).digest(BODY_SHA256), warnings);

            assertTrue(second.fromSharedTier(), "machine B did not use the tier: " + warnings.messages);
            assertEquals(List.of(), warnings.messages);
            assertEquals(FetchStatus.DOWNLOADED, second.status());
            assertEquals(BODY_SHA256, second.digest());
            assertArrayEquals(BODY, Files.readAllBytes(second.path()));
            assertEquals(1, origin.requestCount("/disk.img"), "the origin was asked again");
        }
    }

    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void withoutADigestTheOriginConfirmsTheTiersVersionAndSendsNoBody(S3Server store) throws Exception {
        SharedTierSettings tier = tier(store);
        try (Hoard a = open(machineA, tier); Hoard b = open(machineB, tier)) {
            a.fetch(FetchRequest.of(url));
            FetchResult second = b.fetch(FetchRequest.of(url));

            assertTrue(second.fromSharedTier());
            assertArrayEquals(BODY, Files.readAllBytes(second.path()));
            assertEquals(2, origin.requestCount("/disk.img"), "one download, one revalidation");
            assertEquals(1, origin.fullBodyCount("/disk.img"));
        }
    }

    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void withoutADigestAnOriginThatCannotBeReachedLeavesTheTiersCopyInUseWithAWarning(S3Server store)
            throws Exception {
        SharedTierSettings tier = tier(store);
        try (Hoard a = open(machineA, tier); Hoard b = open(machineB, tier)) {
            a.fetch(FetchRequest.of(url));
            origin.close(); // connection refused from now on, as for a local copy whose server is down

            Warnings warnings = new Warnings();
            FetchResult second = b.fetch(FetchRequest.of(url), warnings);

            assertTrue(second.fromSharedTier());
            assertArrayEquals(BODY, Files.readAllBytes(second.path()));
            assertEquals(1, warnings.messages.size(), warnings.messages.toString());
            assertTrue(warnings.messages.get(0).startsWith("could not revalidate " + url + " ("),
                    warnings.messages.get(0));
            assertTrue(warnings.messages.get(0).endsWith("); using the shared tier's copy"),
                    warnings.messages.get(0));
        }
    }

    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void aTamperedTierObjectIsReportedAndTheOriginUsed(S3Server store) throws Exception {
        SharedTierSettings tier = tier(store);
        try (Hoard a = open(machineA, tier); Hoard b = open(machineB, tier)) {
            a.fetch(FetchRequest.of(url).digest(BODY_SHA256));
            String chunk = S3Objects.of(store).keys(prefix + "/v2/chunks/").stream().filter(k -> k.endsWith("/5"))
                    .findFirst().orElseThrow();
            byte[] other = java.util.Arrays.copyOfRange(BODY, 5 * CHUNK, 6 * CHUNK);
            other[12345] ^= 1;
            S3Objects.of(store).put(chunk, other);
            String set = chunk.substring(0, chunk.lastIndexOf('/') + 1);

            Warnings warnings = new Warnings();
            FetchResult second = b.fetch(FetchRequest.of(url).digest(BODY_SHA256), warnings);

            assertFalse(second.fromSharedTier());
            assertArrayEquals(BODY, Files.readAllBytes(second.path()));
            assertEquals(2, origin.requestCount("/disk.img"));
            assertEquals(1, warnings.messages.size(), warnings.messages.toString());
            assertTrue(warnings.messages.get(0).contains("s3://" + store.bucket() + "/" + set + " holds other bytes"),
                    warnings.messages.get(0));
        }
    }

    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void twoMachinesAtOnceMakeTheOriginSendTheFileOnce(S3Server store) throws Exception {
        origin.throttle(3 << 20); // about a second for the file: the second machine finds the lease taken
        assertTheOriginSentOnceAndTheTierTheOther(bothAtOnce(tier(store), new Warnings()), store);
    }

    private void assertTheOriginSentOnceAndTheTierTheOther(List<FetchResult> results, S3Server store) {
        assertEquals(1, origin.fullBodyCount("/disk.img"), "the origin sent the file twice");
        assertEquals(1, results.stream().filter(FetchResult::fromSharedTier).count(), results.toString());
        assertEquals(List.of(), S3Objects.of(store).keys(prefix + "/v2/leases/"), "a lease outlived its download");
    }

    /**
     * The second machine reads the holder's chunks while the holder still downloads: its first tier bytes arrive
     * while the tier has no record of the URL yet (checked against the store at that moment, not by timing).
     */
    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void aWaitingMachineFollowsTheHoldersChunksBeforeItsDownloadEnds(S3Server store) throws Exception {
        origin.throttle(1 << 20); // three seconds for the file
        SharedTierSettings tier = tier(store);
        S3Objects objects = S3Objects.of(store);
        List<Long> recordlessProgress = new CopyOnWriteArrayList<>();
        List<Long> progress = new CopyOnWriteArrayList<>();
        FetchListener follower = new FetchListener() {
            @Override
            public void progress(URI u, long bytes, long total) {
                progress.add(bytes);
                if (recordlessProgress.isEmpty() && objects.keys(prefix + "/v2/urls/").isEmpty()) {
                    recordlessProgress.add(bytes);
                }
            }
        };
        try (Hoard a = open(machineA, tier); Hoard b = open(machineB, tier)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<FetchResult> ra = pool.submit(() -> a.fetch(FetchRequest.of(url).digest(BODY_SHA256)));
                dev.hoard.testing.Poll.until(Duration.ofSeconds(10), "the holder's first chunk",
                        () -> !objects.keys(prefix + "/v2/chunks/").isEmpty());
                Future<FetchResult> rb = pool.submit(() -> b.fetch(FetchRequest.of(url).digest(BODY_SHA256),
                        follower));
                FetchResult holder = ra.get();
                FetchResult waiter = rb.get();

                assertFalse(holder.fromSharedTier());
                assertTrue(waiter.fromSharedTier());
                assertArrayEquals(BODY, Files.readAllBytes(waiter.path()));
                assertEquals(1, origin.fullBodyCount("/disk.img"), "the origin sent the file twice");
                assertFalse(recordlessProgress.isEmpty(), "machine B read nothing before the record existed: "
                        + progress);
                assertTrue(recordlessProgress.get(0) < BODY.length, recordlessProgress.toString());
            } finally {
                pool.shutdownNow();
            }
        }
        List<String> sets = objects.keys(prefix + "/v2/chunks/").stream()
                .map(k -> k.substring(0, k.lastIndexOf('/'))).distinct().toList();
        assertEquals(1, sets.size(), "one chunk set for one upload: " + sets);
        assertEquals(BODY.length / CHUNK, objects.keys(prefix + "/v2/chunks/").size());
    }

    /** prune --shared --all takes stored content but never the chunks a live lease is uploading. */
    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void pruneTakesStoredContentButNeverAnUploadInProgress(S3Server store) throws Exception {
        byte[] small = TestBytes.random(100_000, 3);
        origin.put("/small.img", small);
        SharedTierSettings tier = tier(store);
        S3Objects objects = S3Objects.of(store);
        try (Hoard a = open(machineA, tier); Hoard b = open(machineB, tier);
                Hoard c = open(machineC, tier)) {
            b.fetch(FetchRequest.of(origin.url("/small.img")));
            origin.throttle(1 << 20);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<FetchResult> ra = pool.submit(() -> a.fetch(FetchRequest.of(url).digest(BODY_SHA256)));
                dev.hoard.testing.Poll.until(Duration.ofSeconds(10), "the holder's second chunk",
                        () -> objects.keys(prefix + "/v2/chunks/").size() >= 3);

                assertTrue(b.sharedEntries().stream().anyMatch(e -> e.state().equals("downloading")
                        && e.size() >= CHUNK && e.url().equals(url.toString())), b.sharedEntries().toString());
                SharedPruneReport report = b.pruneShared(null, null, false);

                assertEquals(List.of(origin.url("/small.img").toString()),
                        report.removed().stream().map(SharedTierEntry::url).toList(), report.toString());
                assertEquals(1, report.skipped().size(), report.toString());
                FetchResult holder = ra.get();
                assertFalse(holder.fromSharedTier());
            } finally {
                pool.shutdownNow();
            }
            FetchResult later = c.fetch(FetchRequest.of(url).digest(BODY_SHA256));
            assertTrue(later.fromSharedTier(), "the upload that prune skipped is not whole");
            assertArrayEquals(BODY, Files.readAllBytes(later.path()));
        }
    }

    @Test
    void aTierThatNeverAnswersCostsOneTimeoutAndOneWarning() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            origin.put("/other.img", BODY);
            SharedTierSettings tier = SharedTierSettings.of("s3://bucket/p", silent.url(), "us-east-1", "AKIDSILENT",
                    "secret-silent")
                    .timeouts(Duration.ofSeconds(1), Duration.ofSeconds(2));
            Warnings warnings = new Warnings();
            long start = System.nanoTime();
            try (Hoard a = open(machineA, tier)) {
                FetchResult r = a.fetch(FetchRequest.of(url).digest(BODY_SHA256), warnings);
                FetchResult other = a.fetch(FetchRequest.of(origin.url("/other.img")), warnings);

                assertArrayEquals(BODY, Files.readAllBytes(r.path()));
                assertArrayEquals(BODY, Files.readAllBytes(other.path()));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(1, warnings.messages.size(), warnings.messages.toString());
            assertTrue(warnings.messages.get(0).startsWith("shared tier s3://bucket/p unreachable ("),
                    warnings.messages.get(0));
            assertEquals(1, silent.connections(), "the tier was asked again after it failed");
            assertTrue(took.compareTo(Duration.ofSeconds(2 + 5)) < 0, "took " + took); // the timeout plus a few s
        }
    }

    @Test
    void aTierKilledWhileTheLeaseHolderDownloadsCostsOneWarning() throws Exception {
        origin.throttle(1 << 20); // three seconds
        try (S3Proxy dying = S3Proxy.start()) {
            SharedTierSettings tier = tier(dying);
            Warnings warnings = new Warnings();
            try (Hoard a = open(machineA, tier)) {
                ExecutorService pool = Executors.newSingleThreadExecutor();
                try {
                    Future<FetchResult> r = pool.submit(() -> a.fetch(FetchRequest.of(url).digest(BODY_SHA256),
                            warnings));
                    dev.hoard.testing.Poll.until(Duration.ofSeconds(10), "the origin to start sending",
                            () -> origin.bodyBytesSent("/disk.img") > 0);
                    dying.kill();
                    FetchResult result = r.get();

                    assertArrayEquals(BODY, Files.readAllBytes(result.path()));
                    assertFalse(result.fromSharedTier());
                } finally {
                    pool.shutdownNow();
                }
            }
            assertEquals(1, warnings.messages.size(), warnings.messages.toString());
            assertTrue(warnings.messages.get(0).contains("unreachable"), warnings.messages.get(0));
        }
    }

    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void aStoreThatIgnoresIfNoneMatchIsReportedAndGetsStayCorrect(S3Server store) throws Exception {
        try (IfNoneMatchIgnored careless = new IfNoneMatchIgnored(store)) {
            SharedTierSettings tier = tier(careless);
            Warnings warnings = new Warnings();
            try (Hoard a = open(machineA, tier); Hoard b = open(machineB, tier)) {
                FetchResult first = a.fetch(FetchRequest.of(url).digest(BODY_SHA256), warnings);
                FetchResult second = b.fetch(FetchRequest.of(url).digest(BODY_SHA256), warnings);

                assertArrayEquals(BODY, Files.readAllBytes(first.path()));
                assertTrue(second.fromSharedTier(), "content is still shared");
                assertArrayEquals(BODY, Files.readAllBytes(second.path()));
            }
            assertEquals(1, warnings.messages.size(), warnings.messages.toString());
            assertTrue(warnings.messages.get(0).contains("ignores If-None-Match"), warnings.messages.get(0));
            assertEquals(List.of(), S3Objects.of(store).keys(prefix + "/v2/leases/"), "no lease without the check");
        }
    }

    /**
     * A store that answers 503 SlowDown the first time it carries out each request, as S3 does under load: every
     * request is sent again, and two machines at once still share one origin download, without a warning.
     */
    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void aStoreThatSaysSlowDownNowAndThenIsAskedAgainAndStillShared(S3Server store) throws Exception {
        origin.throttle(3 << 20); // about a second for the file: the second machine finds the lease taken
        try (SlowDownNowAndThen busy = new SlowDownNowAndThen(store)) {
            SharedTierSettings tier = tier(busy);
            Warnings warnings = new Warnings();
            List<FetchResult> results = bothAtOnce(tier, warnings);

            assertEquals(List.of(), warnings.messages, "the tier was given up");
            assertTrue(busy.injected() > 5, "too few 503s to test anything: " + busy.injected());
            assertTheOriginSentOnceAndTheTierTheOther(results, store);
        }
    }

    /** The same store with retries off ({@code AWS_MAX_ATTEMPTS=1}): given up with one warning, and gets succeed. */
    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void withOneAttemptPerRequestABusyStoreIsGivenUpWithOneWarningEach(S3Server store) throws Exception {
        origin.throttle(3 << 20);
        try (SlowDownNowAndThen busy = new SlowDownNowAndThen(store)) {
            SharedTierSettings tier = tier(busy).maxAttempts(1);
            Warnings warnings = new Warnings();
            bothAtOnce(tier, warnings);

            assertFalse(warnings.messages.isEmpty(), "a 503 passed unnoticed");
            assertTrue(warnings.messages.stream().allMatch(m -> m.contains("unreachable") && m.contains("503")),
                    warnings.messages.toString());
            assertTrue(warnings.messages.size() <= 2, "one warning per machine: " + warnings.messages);
        }
    }

    /**
     * Every chunk's first GET breaks off 100 000 bytes in (its connection closed mid-body): each is read again from
     * its start, and the second machine still gets the file from the tier, without a warning.
     */
    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void aChunkCutOffMidBodyIsReadAgainAndTheFileStillComesFromTheTier(S3Server store) throws Exception {
        try (CutsEachChunkOnce cutting = new CutsEachChunkOnce(store, 100_000)) {
            Warnings warnings = new Warnings();
            try (Hoard a = open(machineA, tier(store)); Hoard b = open(machineB, tier(cutting))) {
                a.fetch(FetchRequest.of(url).digest(BODY_SHA256), warnings);
                FetchResult r = b.fetch(FetchRequest.of(url).digest(BODY_SHA256), warnings);

                assertTrue(r.fromSharedTier(), "machine B went to the origin");
                assertArrayEquals(BODY, Files.readAllBytes(r.path()));
            }
            assertEquals(List.of(), warnings.messages, "the tier was given up");
            assertEquals(BODY.length / CHUNK, cutting.cuts(), "every chunk was cut once");
            assertEquals(1, origin.fullBodyCount("/disk.img"));
        }
    }

    /** The same cuts with one attempt per request: one warning, and the file from the origin. */
    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void withOneAttemptPerRequestAChunkCutOffIsOneWarningAndTheOrigin(S3Server store) throws Exception {
        try (CutsEachChunkOnce cutting = new CutsEachChunkOnce(store, 100_000)) {
            Warnings warnings = new Warnings();
            try (Hoard a = open(machineA, tier(store)); Hoard b = open(machineB, tier(cutting).maxAttempts(1))) {
                a.fetch(FetchRequest.of(url).digest(BODY_SHA256), warnings);
                FetchResult r = b.fetch(FetchRequest.of(url).digest(BODY_SHA256), warnings);

                assertFalse(r.fromSharedTier());
                assertArrayEquals(BODY, Files.readAllBytes(r.path()));
            }
            assertEquals(1, warnings.messages.size(), warnings.messages.toString());
            assertTrue(warnings.messages.get(0).contains("unreachable"), warnings.messages.get(0));
            assertEquals(2, origin.fullBodyCount("/disk.img"));
        }
    }

    /** Machines A and B fetch the file at once; both get the right bytes. */
    private List<FetchResult> bothAtOnce(SharedTierSettings tier, Warnings warnings) throws Exception {
        try (Hoard a = open(machineA, tier); Hoard b = open(machineB, tier)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<FetchResult> ra = pool.submit(() -> a.fetch(FetchRequest.of(url).digest(BODY_SHA256),
                        warnings));
                Future<FetchResult> rb = pool.submit(() -> b.fetch(FetchRequest.of(url).digest(BODY_SHA256),
                        warnings));
                List<FetchResult> results = List.of(ra.get(), rb.get());
                for (FetchResult r : results) {
                    assertArrayEquals(BODY, Files.readAllBytes(r.path()));
                }
                return results;
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void noSecretReachesTheCacheOrAMessage(S3Server store) throws Exception {
        SharedTierSettings tier = tier(store);
        Warnings warnings = new Warnings();
        try (Hoard a = open(machineA, tier); Hoard b = open(machineB, tier)) {
            a.fetch(FetchRequest.of(url).digest(BODY_SHA256), warnings);
            b.fetch(FetchRequest.of(url).digest(BODY_SHA256), warnings);
        }
        List<String> found = new ArrayList<>();
        for (Path cache : List.of(machineA, machineB)) {
            try (Stream<Path> files = Files.walk(cache)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String text = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                    if (text.contains(store.secretKey()) || text.contains(store.accessKey())) {
                        found.add(f.toString());
                    }
                }
            }
        }
        assertEquals(List.of(), found);
        assertTrue(warnings.messages.stream().noneMatch(m -> m.contains(store.accessKey())),
                warnings.messages.toString());
    }
}
