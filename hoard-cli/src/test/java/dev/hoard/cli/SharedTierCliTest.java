package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.AccessLogEntry;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.CephRgw;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.NetworkNamespaces;
import dev.hoard.testing.Nginx;
import dev.hoard.testing.Poll;
import dev.hoard.testing.S3Objects;
import dev.hoard.testing.S3Server;
import dev.hoard.testing.S3Stores;
import dev.hoard.testing.SilentServer;
import dev.hoard.testing.TestBytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared tier across real processes: each "machine" is a cache directory of its own, each process a forked
 * {@code hoard} JVM that finds the tier the way users configure it (HOARD_SHARED and the AWS variables). The origin
 * is a rate-limited nginx, whose access log says how many bytes it sent.
 */
@ExtendWith(CacheInvariants.class)
class SharedTierCliTest {
    private static final Pattern STATUS = Pattern.compile("\"status\":\"([a-z-]+)\"");
    private static final Pattern DIGEST = Pattern.compile("\"digest\":\"(sha256:[0-9a-f]{64})\"");

    @TempDir
    Path tmp;

    @CacheDir
    Path machine0;

    @CacheDir
    Path machine1;

    @CacheDir
    Path machine2;

    private String prefix;

    @BeforeEach
    void setUp(TestInfo test) {
        machine0 = tmp.resolve("machine-0");
        machine1 = tmp.resolve("machine-1");
        machine2 = tmp.resolve("machine-2");
        prefix = test.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime();
    }

    private Map<String, String> environment(S3Server store) {
        Map<String, String> env = new HashMap<>(store.awsEnvironment());
        env.put("HOARD_SHARED", "s3://" + store.bucket() + "/" + prefix);
        env.put("HOARD_RETRY_DELAY", "100ms");
        return env;
    }

    private Path machine(int i) {
        return List.of(machine0, machine1, machine2).get(i);
    }

    private Process get(String name, Map<String, String> env, List<String> jvm, Path cache, String url,
            String sha256) {
        return get(name, env, List.of(), jvm, cache, url, sha256);
    }

    /** {@code hoard get} started by {@code prefix} (on a machine of a {@link NetworkNamespaces} set). */
    private Process get(String name, Map<String, String> env, List<String> prefix, List<String> jvm, Path cache,
            String url, String sha256) {
        List<String> args = new ArrayList<>(List.of("get", "--json", "--cache-dir", cache.toString()));
        if (sha256 != null) {
            args.addAll(List.of("-d", "sha256:" + sha256));
        }
        args.addAll(List.of("-o", tmp.resolve(name + ".img").toString(), url));
        return Cli.fork(tmp, name, env, prefix, jvm, args.toArray(String[]::new));
    }

    /**
     * Every store with the request's digest given; S3Proxy without one too, where the taker-over's resume rests on
     * the dead holder's validators (the store plays no part in that).
     */
    static Stream<Arguments> storesWithAndWithoutDigest() {
        List<S3Server> stores = S3Stores.all().toList();
        return Stream.concat(stores.stream().map(s -> Arguments.of(s, true)),
                S3Stores.s3proxyOnly().map(s -> Arguments.of(s, false)));
    }

    /** On S3Proxy; on Ceph, the test below runs the same in network namespaces. */
    @ParameterizedTest(autoCloseArguments = false) // the store serves the whole class
    @MethodSource("dev.hoard.testing.S3Stores#s3proxyOnly")
    void threeMachinesOfThreeProcessesMakeTheOriginSendTheFileOnce(S3Server store) throws Exception {
        Nginx.assumeAvailable();
        threeMachinesOfThreeProcesses(store, Nginx.Setup.DEFAULT.address(), machine -> List.of(),
                List.of(Nginx.Setup.DEFAULT.address()));
    }

    /**
     * The cross-machine must-show on the store a fleet would run: each machine a network namespace of its
     * own (its own network stack, reaching the host only through its veth), Ceph RGW and nginx on the first
     * machine's host-side address, where every machine reaches them.
     */
    @Test
    void threeMachinesInNetworkNamespacesOfThreeProcessesMakeTheOriginSendTheFileOnceThroughCeph() throws Exception {
        Nginx.assumeAvailable();
        NetworkNamespaces.assumeAvailable();
        try (NetworkNamespaces fleet = NetworkNamespaces.create(3);
                CephRgw ceph = CephRgw.start(CephRgw.Setup.DEFAULT.address(fleet.machine(0).hostAddress()))) {
            threeMachinesOfThreeProcesses(ceph, fleet.machine(0).hostAddress(),
                    machine -> fleet.machine(machine).commandPrefix(),
                    fleet.machines().stream().map(NetworkNamespaces.Machine::address).toList());
        }
    }

    /**
     * 3 machines x 3 processes, each a forked {@code hoard get} started by {@code onMachine.apply(m)}, of one
     * uncached 64 MiB file from a rate-limited nginx on {@code originAddress}: the origin sends it once, every
     * process gets the right digest, and the statuses say that two machines had it from the tier. Every request the
     * origin saw came from one address, one of {@code machineAddresses}.
     */
    private void threeMachinesOfThreeProcesses(S3Server store, String originAddress,
            IntFunction<List<String>> onMachine, List<String> machineAddresses) throws Exception {
        byte[] body = TestBytes.random(64 << 20, 9);
        String sha256 = Hashes.sha256Hex(body);
        Path www = Files.createDirectories(tmp.resolve("www"));
        Files.write(www.resolve("vm.img"), body);
        // a few seconds for the file, on up to 4 connections
        try (Nginx nginx = Nginx.start(www, new Nginx.Setup(originAddress, 16 << 20, ""))) {
            Map<String, String> env = environment(store);
            String url = nginx.url("/vm.img").toString();
            List<Process> processes = new ArrayList<>();
            for (int m = 0; m < 3; m++) {
                for (int p = 0; p < 3; p++) {
                    processes.add(get("m" + m + "p" + p, env, onMachine.apply(m), List.of(), machine(m), url,
                            sha256));
                }
            }
            Map<String, Integer> outcomes = new TreeMap<>();
            for (int i = 0; i < processes.size(); i++) {
                String name = "m" + i / 3 + "p" + i % 3;
                Cli.Run run = Cli.await(processes.get(i), tmp, name, 180);
                assertEquals(0, run.exitCode(), run.toString());
                assertEquals("sha256:" + sha256, field(DIGEST, run));
                assertEquals(sha256, Hashes.sha256Hex(tmp.resolve(name + ".img")));
                String outcome = field(STATUS, run) + (run.stdout().contains("\"source\":\"shared\"") ? "+shared" : "");
                outcomes.merge(outcome, 1, Integer::sum);
            }
            List<AccessLogEntry> log = nginx.awaitAccessLog(1, Duration.ofSeconds(5));
            // One whole-file request, the rest ranges of the same download; beyond the file only what was in flight
            // when its first response was cut to make room for the segments (docs/benchmarks.md), never a second copy.
            assertEquals(1, log.stream().filter(e -> e.status() == 200).count(), log.toString());
            long sent = log.stream().mapToLong(AccessLogEntry::bodyBytesSent).sum();
            assertTrue(sent >= body.length && sent < body.length * 21L / 20, "nginx sent " + sent + ": " + log);
            List<String> clients = log.stream().map(AccessLogEntry::remoteAddress).distinct().toList();
            assertTrue(clients.size() == 1 && machineAddresses.containsAll(clients),
                    "the origin was asked from " + clients + ", not from one of " + machineAddresses);
            // one machine downloaded it, the other two took it from the tier, the rest of each machine from its cache
            assertEquals(Map.of("downloaded", 1, "downloaded+shared", 2, "used-cache", 6), outcomes, store.name());
        }
    }

    @ParameterizedTest(name = "{0}, digest given: {1}", autoCloseArguments = false)
    @MethodSource("storesWithAndWithoutDigest")
    void aLeaseHolderKilledMidDownloadIsTakenOverAndEveryoneFinishes(S3Server store, boolean digest)
            throws Exception {
        Nginx.assumeAvailable();
        byte[] body = TestBytes.random(6 << 20, 10);
        String sha256 = Hashes.sha256Hex(body);
        String asked = digest ? sha256 : null;
        Path www = Files.createDirectories(tmp.resolve("www"));
        Files.write(www.resolve("vm.img"), body);
        try (Nginx nginx = Nginx.start(www, 1 << 20)) { // six seconds for the file
            Map<String, String> env = environment(store);
            env.put("HOARD_SHARED_CHUNK_SIZE", "512K"); // so that the holder dies with chunks stored
            String url = nginx.url("/vm.img").toString();
            S3Objects objects = S3Objects.of(store);
            String chunks = prefix + "/v2/chunks/";
            Process holder = get("holder", env, List.of(), machine0, url, asked);
            Cli.awaitPartial(machine0, 256 << 10, Duration.ofSeconds(30));
            Process waiter = get("waiter", env, List.of(), machine1, url, asked);
            Cli.awaitContains(tmp.resolve("waiter.err"), "waiting for pid " + holder.pid(), Duration.ofSeconds(30));
            // the holder's heartbeat counts two chunks stored (with their hash): what a taker-over can keep
            Poll.until(Duration.ofSeconds(30), "a heartbeat counting two chunks", () -> heartbeatChunks(objects) >= 2);
            holder.destroyForcibly().waitFor();
            // what nginx sent the dead holder (its partial file may lag that by a write buffer, and the socket held
            // more): logged when nginx sees the connection go, seconds before the lease is stale and taken over
            Poll.until(Duration.ofSeconds(10), "nginx to log the dead holder's request",
                    () -> !nginx.accessLog().isEmpty());
            long toTheDead = nginx.accessLog().stream().mapToLong(AccessLogEntry::bodyBytesSent).sum();

            Cli.Run taken = Cli.await(waiter, tmp, "waiter", 60);
            assertEquals(0, taken.exitCode(), taken.toString());
            assertEquals(sha256, Hashes.sha256Hex(tmp.resolve("waiter.img")));
            // the killed machine comes back: the tier now has the file, which replaces its partial
            Cli.Run back = Cli.await(get("back", env, List.of(), machine0, url, asked), tmp, "back", 60);
            assertEquals(0, back.exitCode(), back.toString());
            assertTrue(back.stdout().contains("\"source\":\"shared\""), back + "\nthe waiter: " + taken);
            assertEquals(sha256, Hashes.sha256Hex(tmp.resolve("back.img")));

            List<AccessLogEntry> log = nginx.awaitAccessLog(2, Duration.ofSeconds(5));
            long sent = log.stream().mapToLong(AccessLogEntry::bodyBytesSent).sum();
            // the taker-over kept the dead holder's chunks it had read (checked against the holder's hash) and asked
            // the origin for the rest only: a range from a chunk boundary past the three chunks seen stored
            AccessLogEntry rest = log.stream().filter(e -> e.range() != null && e.range().matches("bytes=[1-9][0-9]*-"))
                    .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no resumed request: " + log));
            long kept = Long.parseLong(rest.range().substring("bytes=".length(), rest.range().length() - 1));
            assertTrue(kept >= 2 * (512 << 10) && kept % (512 << 10) == 0, rest.range());
            assertEquals(206, rest.status(), rest.toString());
            if (!digest) { // nothing but the dead holder's validator vouches that the rest is the same file
                assertTrue(rest.ifRange() != null && rest.ifRange().startsWith("\""), rest.toString());
            }
            assertTrue(taken.stderr().contains("resuming vm.img at "), taken.toString());
            // after the holder died the origin sent the rest of the file and nothing more: about one file in all
            assertEquals(body.length - kept, sent - toTheDead, "the origin sent " + sent + " bytes for a file of "
                    + body.length + ", " + toTheDead + " of them to the dead holder, and " + kept
                    + " were kept from the tier: " + log);
            assertTrue(taken.stderr().contains("waiting for pid " + holder.pid()), taken.toString());
            // the taker-over deleted the dead holder's chunks: one set is left, the one the record names
            List<String> sets = objects.keys(chunks).stream().map(k -> k.substring(0, k.lastIndexOf('/')))
                    .distinct().toList();
            assertEquals(1, sets.size(), sets.toString());
            assertEquals(12, objects.keys(chunks).size());
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void aLocalHitWithATierLoadsNoneOfItsClassesAndAsksItNothing(S3Server store) throws Exception {
        byte[] body = TestBytes.random(100_000, 11);
        Path file = Files.write(tmp.resolve("origin.img"), body);
        String sha256 = Hashes.sha256Hex(body);
        try (dev.hoard.testing.TestHttpServer origin = dev.hoard.testing.TestHttpServer.start();
                SilentServer silent = new SilentServer()) {
            origin.put("/img", Files.readAllBytes(file));
            String url = origin.url("/img").toString();
            Cli.Run first = Cli.await(get("first", environment(store), List.of(), machine0, url, sha256), tmp,
                    "first", 60);
            assertEquals(0, first.exitCode(), first.toString());

            Map<String, String> env = environment(store);
            env.put("AWS_ENDPOINT_URL_S3", silent.url().toString());
            Path classes = tmp.resolve("classes.log");
            Cli.Run hit = Cli.await(get("hit", env, List.of("-Xlog:class+load:file=" + classes), machine0, url,
                    sha256), tmp, "hit", 60);

            assertEquals(0, hit.exitCode(), hit.toString());
            assertEquals("used-cache", field(STATUS, hit));
            List<String> loaded = Files.readAllLines(classes).stream()
                    .filter(l -> l.contains("com.github.davidmoten") || l.contains("dev.hoard.internal.shared.s3"))
                    .toList();
            assertEquals(List.of(), loaded, "a cache hit loaded the S3 client's classes");
            assertTrue(Files.readString(classes).contains("dev.hoard.cli.HoardCommand"), "the log is of hoard");
            assertEquals(0, silent.connections(), "a cache hit connected to the tier");
        }
    }

    @Test
    void aTierThatNeverAnswersWarnsOnceAndTheGetSucceedsFromTheOrigin() throws Exception {
        byte[] body = TestBytes.random(200_000, 12);
        try (dev.hoard.testing.TestHttpServer origin = dev.hoard.testing.TestHttpServer.start();
                SilentServer silent = new SilentServer()) {
            origin.put("/img", body);
            Map<String, String> env = new HashMap<>(Map.of("HOARD_SHARED", "s3://silent/p",
                    "AWS_ACCESS_KEY_ID", "AKIDNEVERPRINTED", "AWS_SECRET_ACCESS_KEY", "never-printed-secret",
                    "AWS_ENDPOINT_URL_S3", silent.url().toString(),
                    "HOARD_SHARED_TIMEOUT", "1s"));
            long start = System.nanoTime();
            Cli.Run run = Cli.await(Cli.fork(tmp, "silent", env, "get", "--cache-dir", machine0.toString(),
                    origin.url("/img").toString()), tmp, "silent", 60);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertEquals(0, run.exitCode(), run.toString());
            assertEquals(1, run.stderr().split("shared tier s3://silent/p unreachable", -1).length - 1,
                    run.toString());
            assertTrue(took.compareTo(Duration.ofSeconds(1 + 8)) < 0, "took " + took);
            for (String secret : List.of("AKIDNEVERPRINTED", "never-printed-secret")) {
                assertTrue(!run.stdout().contains(secret) && !run.stderr().contains(secret), run.toString());
                try (Stream<Path> files = Files.walk(machine0)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        assertTrue(!new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1)
                                .contains(secret), f + " holds a secret");
                    }
                }
            }
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("dev.hoard.testing.S3Stores#all")
    void aPushedFileIsListedServedAndPrunedFromTheTier(S3Server store) throws Exception {
        byte[] body = TestBytes.random(300_000, 13);
        String sha256 = Hashes.sha256Hex(body);
        try (dev.hoard.testing.TestHttpServer origin = dev.hoard.testing.TestHttpServer.start()) {
            origin.put("/seed.img", body);
            String url = origin.url("/seed.img").toString();
            Map<String, String> noTier = new HashMap<>(environment(store));
            noTier.remove("HOARD_SHARED");
            assertEquals(0, hoard("seed", noTier, "get", "--cache-dir", machine0.toString(), url).exitCode());
            Map<String, String> env = environment(store);

            Cli.Run push = hoard("push", env, "push", "--cache-dir", machine0.toString(), url);
            assertEquals(0, push.exitCode(), push.toString());
            Cli.Run ls = hoard("ls", env, "ls", "--shared", "--json", "--cache-dir", machine1.toString());
            assertTrue(ls.stdout().contains("\"url\":\"" + url + "\"") && ls.stdout().contains(sha256), ls.toString());
            Cli.Run got = Cli.await(get("got", env, List.of(), machine1, url, sha256), tmp, "got", 60);
            assertTrue(got.stdout().contains("\"source\":\"shared\""), got.toString());
            assertEquals(1, origin.requestCount("/seed.img"), "only the seeding machine asked the origin");

            Cli.Run prune = hoard("prune", env, "prune", "--shared", "--all", "--cache-dir", machine1.toString());
            assertTrue(prune.stdout().contains("removed " + url), prune.toString());
            Cli.Run empty = hoard("empty", env, "ls", "--shared", "--json", "--cache-dir", machine1.toString());
            assertEquals("", empty.stdout(), empty.toString());
        }
    }

    /** How many chunks the (one) lease's heartbeat says are stored, or -1 while there is none. */
    private int heartbeatChunks(S3Objects objects) {
        for (String key : objects.keys(prefix + "/v2/leases/")) {
            if (key.endsWith(".hb")) {
                String body;
                try {
                    body = new String(objects.get(key), java.nio.charset.StandardCharsets.UTF_8);
                } catch (RuntimeException e) {
                    return -1; // rewritten or ended between the listing and the read
                }
                Matcher m = Pattern.compile("\"chunks\": *([0-9]+)").matcher(body);
                return m.find() ? Integer.parseInt(m.group(1)) : -1;
            }
        }
        return -1;
    }

    private Cli.Run hoard(String name, Map<String, String> env, String... args) {
        return Cli.await(Cli.fork(tmp, name, env, args), tmp, name, 60);
    }

    private static String field(Pattern pattern, Cli.Run run) {
        Matcher m = pattern.matcher(run.stdout());
        assertTrue(m.find(), run.toString());
        return m.group(1);
    }
}
