package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.hoard.internal.store.PartialRecord;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Fault;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.Poll;
import dev.hoard.testing.RecordedRequest;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Processes killed with SIGKILL or interrupted with SIGINT in the middle of a download, and what the next finds. */
@ExtendWith(CacheInvariants.class)
class CrashTest {
    private static final int SIZE = 4 * 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private TestHttpServer server;
    private byte[] body;
    private String url;
    @CacheDir
    Path cache;

    @BeforeEach
    void start() {
        body = TestBytes.random(SIZE);
        server = TestHttpServer.start();
        server.put("/vm.img", body);
        server.throttle(1_000_000); // 4 s for the whole body: room to kill at 30-70%
        url = server.url("/vm.img").toString();
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aDownloadKilledMidwayIsResumedByTheNextRun() throws Exception {
        Process owner = fork("owner");
        long atKill = killAtThirtyToSeventyPercent(owner);

        server.throttle(0);
        Cli.Run next = Cli.run("get", "--json", "--cache-dir", cache.toString(), url);
        assertEquals(0, next.exitCode(), next.toString());
        assertTrue(next.stderr().contains("resuming vm.img at "), next.stderr());
        assertTrue(next.stdout().contains("\"digest\":\"sha256:" + Hashes.sha256Hex(body) + "\""),
                next.stdout());
        RecordedRequest resume = server.requests().get(1);
        assertEquals("bytes=" + atKill + "-", resume.header("Range"));
        assertEquals(SIZE - atKill, resume.bodyBytesSent(), "only the missing bytes were sent again");
        long inFlight = server.requests().get(0).bodyBytesSent() - atKill;
        assertTrue(server.bodyBytesSent("/vm.img") <= SIZE + inFlight);
    }

    @Test
    void whenTheOwnerDiesOneWaiterTakesOverAndResumesForAll() throws Exception {
        Process owner = fork("owner");
        Cli.awaitPartial(cache, SIZE / 4, WAIT);
        server.throttle(20_000); // crawl while the waiters' JVMs start, however busy the machine is
        List<Process> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(fork("waiter" + i));
        }
        for (int i = 0; i < 3; i++) {
            Cli.awaitContains(tmp.resolve("waiter" + i + ".err"), "waiting for pid " + owner.pid(), WAIT);
        }
        server.throttle(1_000_000);
        killAtThirtyToSeventyPercent(owner);
        server.throttle(0);

        int resumed = 0;
        List<String> statuses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Cli.Run run = Cli.await(waiters.get(i), tmp, "waiter" + i, 60);
            assertEquals(0, run.exitCode(), run.toString());
            assertArrayEquals(body, Files.readAllBytes(tmp.resolve("waiter" + i + ".img")));
            resumed += run.stderr().contains("resuming vm.img") ? 1 : 0;
            statuses.add(run.stdout().replaceAll(".*\"status\":\"([a-z-]+)\".*\\s*", "$1"));
        }
        assertEquals(1, resumed, "exactly one waiter took over");
        assertEquals(List.of("downloaded", "used-cache", "used-cache"), statuses.stream().sorted().toList());
        assertTrue(server.bodyBytesSent("/vm.img") <= SIZE * 1.05,
                "sent " + server.bodyBytesSent("/vm.img") + " for " + SIZE);
    }

    @Test
    void aRemoteReplacedBetweenTheKillAndTheResumeGivesTheNewFile() throws Exception {
        killAtThirtyToSeventyPercent(fork("owner"));
        byte[] replaced = TestBytes.random(SIZE - 12345);
        server.put("/vm.img", replaced);
        server.throttle(0);

        Cli.Run next = Cli.run("get", "-o", tmp.resolve("new.img").toString(), "--cache-dir", cache.toString(), url);
        assertEquals(0, next.exitCode(), next.toString());
        assertArrayEquals(replaced, Files.readAllBytes(tmp.resolve("new.img")));
        assertFalse(next.stderr().contains("resuming"), next.stderr());
        assertEquals(200, server.requests().get(1).status(), "If-Range did not match, so the whole new body came");
    }

    @Test
    void aWaiterNamesTheOwnerAndItsProgressAndGivesUpAfterTheLockTimeout() throws Exception {
        Process owner = fork("owner");
        Cli.awaitPartial(cache, 1, WAIT);
        server.throttle(100_000); // the owner must outlive both waiters' checks
        Process patient = fork("patient");
        Process impatient = Cli.fork(tmp, "impatient", Map.of(), "get", "--lock-timeout", "1s", "--cache-dir",
                cache.toString(), url);

        Cli.Run gaveUp = Cli.await(impatient, tmp, "impatient", 30);
        assertEquals(5, gaveUp.exitCode(), gaveUp.toString());
        assertTrue(gaveUp.stderr().contains("held by pid " + owner.pid() + " on "), gaveUp.stderr());
        assertTrue(gaveUp.stderr().contains("--lock-timeout"), gaveUp.stderr());
        String waiting = Cli.awaitContains(tmp.resolve("patient.err"), " of 4.0 MiB (", WAIT);
        assertTrue(waiting.contains("waiting for pid " + owner.pid() + " on "), waiting);

        server.throttle(0);
        assertEquals(0, Cli.await(owner, tmp, "owner", 30).exitCode());
        assertEquals(0, Cli.await(patient, tmp, "patient", 30).exitCode());
    }

    @Test
    void ctrlCExitsWith130KeepsThePartialAndReleasesTheLock() throws Exception {
        // A JVM started with SIGINT ignored (a background job of a non-interactive shell) keeps ignoring it, and so
        // would the hoard this test forks: nothing to test then.
        if (sigintIgnored()) {
            String reason = "CrashTest.ctrlC...: SIGINT is ignored in this process (started in the background?), so "
                    + "a forked hoard would ignore Ctrl-C too";
            System.err.println("SKIPPED " + reason);
            assumeFalse(true, reason);
        }
        Process owner = fork("owner");
        Cli.awaitPartial(cache, SIZE / 5, WAIT);
        new ProcessBuilder("kill", "-INT", Long.toString(owner.pid())).start().waitFor(10, TimeUnit.SECONDS);

        Cli.Run interrupted = Cli.await(owner, tmp, "owner", 30);
        assertEquals(130, interrupted.exitCode(), interrupted.toString());
        assertTrue(interrupted.stderr().contains("hoard: interrupted; the partial download of vm.img ("),
                interrupted.toString());
        assertTrue(interrupted.stderr().contains(") was kept: the next 'hoard get " + url + "' resumes it"),
                interrupted.toString());
        assertTrue(Cli.largestPartial(cache) != null, "the partial is kept for the next run");
        server.throttle(0);
        Cli.Run next = Cli.run("get", "--lock-timeout", "5s", "--cache-dir", cache.toString(), url);
        assertEquals(0, next.exitCode(), next.toString());
        assertTrue(next.stderr().contains("resuming"), next.stderr());
    }

    @Test
    void ctrlCEndsASegmentedDownloadAtOnceWhileAWorkerWaitsOutALongRetryAfter() throws Exception {
        if (sigintIgnored()) {
            String reason = "CrashTest.ctrlCEnds...: SIGINT is ignored in this process (started in the background?), "
                    + "so a forked hoard would ignore Ctrl-C too";
            System.err.println("SKIPPED " + reason);
            assumeFalse(true, reason);
        }
        server.throttle(0);
        server.enqueue("/vm.img", Fault.delay(Duration.ofMillis(1))); // the first range, answered
        server.enqueue("/vm.img", Fault.status(503, "Retry-After", "300")); // a segment: come back in 5 minutes
        Process owner = Cli.fork(tmp, "owner", Map.of(), "get", "--connections", "2", "--cache-dir",
                cache.toString(), url);
        Cli.awaitContains(tmp.resolve("owner.err"), "retry 1 in 300.0s", WAIT);
        long start = System.nanoTime();
        new ProcessBuilder("kill", "-INT", Long.toString(owner.pid())).start().waitFor(10, TimeUnit.SECONDS);

        Cli.Run run = Cli.await(owner, tmp, "owner", 30);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(130, run.exitCode(), run.toString());
        System.err.println("CrashTest: Ctrl-C ended the waiting segmented download in " + millis + " ms");
        assertTrue(millis < 10_000, "Ctrl-C ended it in " + millis + " ms, not after the Retry-After");
    }

    @Test
    void aSegmentedDownloadKilledMidwayResumesEverySegmentWhereItsProgressSaysItStopped() throws Exception {
        server.throttle(400_000); // per connection: four segments side by side, ~2.6 s in all
        Process owner = Cli.fork(tmp, "owner", Map.of(), "get", "--connections", "4", "--cache-dir",
                cache.toString(), url);
        long recorded = awaitRecordedSegments(SIZE * 3L / 10);
        owner.destroyForcibly();
        assertTrue(owner.waitFor(10, TimeUnit.SECONDS));
        recorded = recordedSegmentBytes(); // the last record before the kill
        server.throttle(0);

        Cli.Run next = Cli.run("get", "--json", "--cache-dir", cache.toString(), url);
        assertEquals(0, next.exitCode(), next.toString());
        assertTrue(next.stdout().contains("\"digest\":\"sha256:" + Hashes.sha256Hex(body) + "\""),
                next.stdout());
        // (the server's own counts still include the killed process's connections, so count what hoard received)
        assertTrue(next.stdout().contains("\"bytesTransferred\":" + (SIZE - recorded) + "}"),
                "only what the record did not vouch for was fetched again: " + next.stdout());
        assertTrue(next.stderr().contains("resuming vm.img"), next.stderr());
    }

    private long awaitRecordedSegments(long bytes) {
        return Poll.until(WAIT, "the segments record " + bytes + " bytes", this::recordedSegmentBytes,
                recorded -> recorded >= bytes);
    }

    /** The segments' progress as the next holder will read it: partial.json with its progress file. */
    private long recordedSegmentBytes() throws Exception {
        Path entries = cache.resolve("entries");
        if (!Files.isDirectory(entries)) {
            return 0;
        }
        try (var dirs = Files.list(entries)) {
            for (Path dir : dirs.toList()) {
                String json = Cli.readIfExists(dir.resolve("partial.json"));
                if (!json.contains("segments")) {
                    continue;
                }
                long sum = PartialRecord.parse(json).currentSegments(dir.resolve("segments")).stream()
                        .mapToLong(PartialRecord.Segment::written).sum();
                if (sum > 0) {
                    return sum;
                }
            }
        }
        return 0;
    }

    private Process fork(String name) {
        return Cli.fork(tmp, name, Map.of(), "get", "--json", "--cache-dir", cache.toString(), "-o",
                tmp.resolve(name + ".img").toString(), url);
    }

    /** Kills {@code process} with SIGKILL once its partial holds 30% of the file; returns the partial's size. */
    private long killAtThirtyToSeventyPercent(Process process) throws Exception {
        Path partial = Cli.awaitPartial(cache, SIZE * 3L / 10, WAIT);
        process.destroyForcibly(); // SIGKILL on Unix
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        long size = Files.size(partial);
        assertTrue(size >= SIZE * 3L / 10 && size <= SIZE * 7L / 10, "killed at " + size + " of " + SIZE);
        return size;
    }

    /** Whether SIGINT is ignored here (Linux: the SigIgn mask of /proc/self/status); false where unknown. */
    private static boolean sigintIgnored() throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (2 - 1))) != 0; // SIGINT is 2
            }
        }
        return false;
    }
}
