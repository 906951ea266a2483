package dev.hoard.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.davidmoten.aws.lw.client.HttpMethod;
import com.github.davidmoten.aws.lw.client.Response;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.TestAbortedException;

/**
 * Checks {@link CephRgw} against the real Ceph it starts, and pins down the facts the shared tier relies on:
 * create-if-absent is atomic, presigned URLs serve ranges to any client, a killed store refuses connections.
 */
@Timeout(180)
class CephRgwTest {
    private static final int RACERS = 8;
    private static final int RACE_ROUNDS = 5;

    private static CephRgw ceph;

    @BeforeAll
    static void start() {
        ceph = CephRgw.start();
    }

    @AfterAll
    static void stop() {
        if (ceph != null) {
            ceph.close();
        }
    }

    @Test
    void aSixtyFourMebibyteObjectComesBackAsItWasPut() {
        byte[] body = TestBytes.random(64 << 20, 12);

        assertEquals(200, put("big.bin", body).statusCode(), ceph::logTails);
        byte[] got = ceph.client().path(ceph.bucket(), "big.bin").responseAsBytes();

        assertEquals(Hashes.sha256Hex(body), Hashes.sha256Hex(got));
    }

    @Test
    void aPutIfNoneMatchOnAnExistingKeyIsRefusedAndChangesNothing() {
        byte[] first = "first".getBytes(StandardCharsets.UTF_8);
        assertEquals(200, put("exists", first).statusCode());

        Response second = put("exists", "second".getBytes(StandardCharsets.UTF_8), "If-None-Match", "*");

        assertEquals(412, second.statusCode(), second::contentUtf8);
        assertArrayEquals(first, ceph.client().path(ceph.bucket(), "exists").responseAsBytes());
    }

    @Test
    void ofEightRacersCreatingOneKeyExactlyOneWins() throws Exception {
        String bucket = ceph.createBucket("races");
        ExecutorService racers = Executors.newFixedThreadPool(RACERS);
        try {
            for (int round = 0; round < RACE_ROUNDS; round++) {
                String key = "lease-" + round;
                CyclicBarrier go = new CyclicBarrier(RACERS);
                List<Future<Integer>> statuses = new ArrayList<>();
                for (int racer = 0; racer < RACERS; racer++) {
                    byte[] token = ("owner " + racer).getBytes(StandardCharsets.UTF_8);
                    statuses.add(racers.submit(() -> {
                        go.await(10, TimeUnit.SECONDS);
                        return put(bucket, key, token, "If-None-Match", "*").statusCode();
                    }));
                }
                List<Integer> seen = new ArrayList<>();
                for (Future<Integer> status : statuses) {
                    seen.add(status.get(60, TimeUnit.SECONDS));
                }
                assertEquals(1, seen.stream().filter(status -> status == 200).count(), "round " + round + ": " + seen);
                String winner = "owner " + seen.indexOf(200);
                assertEquals(winner, ceph.client().path(bucket, key).responseAsUtf8(), "round " + round);
                assertEquals(List.of(412), seen.stream().filter(status -> status != 200).distinct().toList(),
                        "round " + round + ": the losers are told why");
            }
        } finally {
            racers.shutdownNow();
        }
    }

    @Test
    void aPresignedUrlServesTheObjectAndItsRangesToAPlainHttpClient() throws Exception {
        byte[] body = TestBytes.random(10_000, 7);
        assertEquals(200, put("presigned.bin", body).statusCode());
        URI url = PresignedUrls.get(ceph, "presigned.bin", Duration.ofMinutes(5));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                .header("Range", "bytes=1000-1999").build(), HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> unsigned = http.send(HttpRequest.newBuilder(URI.create(url.toString().split("\\?")[0]))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, whole.statusCode());
        assertArrayEquals(body, whole.body());
        assertEquals(206, range.statusCode());
        assertEquals("bytes 1000-1999/10000", range.headers().firstValue("Content-Range").orElse(null));
        assertArrayEquals(Arrays.copyOfRange(body, 1000, 2000), range.body());
        assertEquals(403, unsigned.statusCode(), "the bucket is private: without the signature, no object");
    }

    @Test
    void theLightweightClientsPresignedUrlsAreRefusedBecauseTheySignAHeaderNoPlainClientSends() throws Exception {
        assertEquals(200, put("lw-presigned", new byte[] {1}).statusCode());
        String url = ceph.client().path(ceph.bucket(), "lw-presigned").presignedUrl(5, TimeUnit.MINUTES);

        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());

        assertTrue(url.contains("X-Amz-SignedHeaders=host;x-amz-content-sha256"), url);
        assertEquals(403, response.statusCode(), "aws-lightweight-client-java got fixed? Then PresignedUrls can go");
        assertTrue(response.body().contains("SignatureDoesNotMatch"), response::body);
    }

    @Test
    void aKilledStoreRefusesConnectionsAndClosingItLeavesNothingBehind() throws IOException {
        CephRgw second = CephRgw.start(); // beside the first, on the same address: their ports differ
        Path dir = second.directory();
        try {
            assertEquals(200, second.client().path(second.bucket(), "k").method(HttpMethod.PUT)
                    .requestBody("v").response().statusCode());
            List<ProcessHandle> daemons = daemonsOf(dir);
            assertEquals(3, daemons.size(), "mon, osd and radosgw: " + daemons);

            second.kill();

            assertThrows(ConnectException.class, () -> connect(second.endpoint()));
            assertTrue(daemons.stream().noneMatch(ProcessHandle::isAlive), "every daemon is dead");
            assertEquals(200, put("still-there", new byte[] {1}).statusCode(), "the first cluster is untouched");
        } finally {
            second.close();
        }
        assertFalse(Files.exists(dir), dir + " is deleted");
    }

    /**
     * No shutdown hook runs when a JVM is SIGKILLed (a surefire fork timeout); the watchdog still stops every daemon
     * and deletes the directory. The cluster there keeps its objects in bluestore, so that both stores are tried.
     */
    @Test
    void everyDaemonDiesWithAKilledJvm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(java, "-cp", TestJvm.classPath(),
                StartAndHang.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertNotNull(line, "the child JVM did not start Ceph");
            String[] endpointAndDirectory = line.split(" ", 2);
            Path dir = Path.of(endpointAndDirectory[1]);
            List<ProcessHandle> daemons = daemonsOf(dir);
            assertEquals(3, daemons.size(), "mon, osd and radosgw: " + daemons);
            assertTrue(Files.exists(dir.resolve("bluestore-block")));

            jvm.destroyForcibly();

            assertTrue(jvm.waitFor(10, TimeUnit.SECONDS));
            for (ProcessHandle daemon : daemons) {
                daemon.onExit().get(20, TimeUnit.SECONDS);
            }
            Poll.until(Duration.ofSeconds(20), "the watchdog deletes " + dir, () -> !Files.exists(dir));
            assertThrows(ConnectException.class, () -> connect(URI.create(endpointAndDirectory[0])));
        } finally {
            jvm.destroyForcibly();
        }
    }

    /** Run in a child JVM by {@link #everyDaemonDiesWithAKilledJvm}: starts Ceph and waits to be killed. */
    static final class StartAndHang {
        public static void main(String[] args) throws InterruptedException {
            CephRgw ceph = CephRgw.start(CephRgw.Setup.DEFAULT.address("127.0.0.3").store(CephRgw.Store.BLUESTORE));
            System.out.println(ceph.endpoint() + " " + ceph.directory());
            System.out.flush();
            Thread.sleep(Duration.ofSeconds(60)); // bounded: the parent kills this JVM long before
        }
    }

    @Test
    void missingCephSkipsWithAReasonUnlessRequired() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream log = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            CephRgw.assumeAvailable(List.of(), "1", log);
            assertThrows(TestAbortedException.class, () -> CephRgw.assumeAvailable(List.of("radosgw"), null, log));
            assertTrue(printed.toString(StandardCharsets.UTF_8).startsWith("SKIPPED Ceph is not installed (no "
                    + "radosgw)"), printed::toString);
            assertThrows(AssertionError.class, () -> CephRgw.assumeAvailable(List.of("radosgw"), "1", log));
        }
    }

    private static Response put(String key, byte[] body, String... headers) {
        return put(ceph.bucket(), key, body, headers);
    }

    private static Response put(String bucket, String key, byte[] body, String... headers) {
        var request = ceph.client().path(bucket, key).method(HttpMethod.PUT).requestBody(body);
        for (int i = 0; i < headers.length; i += 2) {
            request = request.header(headers[i], headers[i + 1]);
        }
        return request.response();
    }

    /** The processes whose command line names the cluster's configuration: its daemons. */
    private static List<ProcessHandle> daemonsOf(Path dir) {
        String conf = dir.resolve("ceph.conf").toString();
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(args -> Arrays.asList(args).contains(conf)).orElse(false)).toList();
    }

    private static void connect(URI endpoint) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 2_000);
        }
    }
}
