package dev.hoard.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * Checks what {@link NetworkNamespaces} promises, with real processes forked into the namespaces (small JVMs, as a
 * forked hoard would be): who reaches whom, and that nothing is left behind, even by a JVM killed with SIGKILL.
 */
@Timeout(120)
class NetworkNamespacesTest {
    private static final byte[] BODY = TestBytes.random(100_000, 23);

    @TempDir
    static Path root;
    private static NetworkNamespaces machines;
    private static Nginx nginx;

    @BeforeAll
    static void start() throws IOException {
        Nginx.assumeAvailable();
        machines = NetworkNamespaces.create(2);
        Files.write(root.resolve("file.bin"), BODY);
        nginx = Nginx.start(root, Nginx.Setup.DEFAULT.address(machines.machine(0).hostAddress()));
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (machines != null) {
            machines.close();
        }
    }

    @Test
    void everyMachineReachesAServerOnTheFirstMachinesHostAddressFromItsOwnAddress() throws Exception {
        for (NetworkNamespaces.Machine machine : machines.machines()) {
            assertEquals(List.of("200 " + Hashes.sha256Hex(BODY)), probe(machine, "get " + nginx.url("/file.bin")),
                    machine.toString());
        }

        List<String> clients = nginx.awaitAccessLog(2, Duration.ofSeconds(10)).stream()
                .filter(entry -> entry.uri().equals("/file.bin")).map(AccessLogEntry::remoteAddress).toList();
        assertEquals(machines.machines().stream().map(NetworkNamespaces.Machine::address).toList(), clients);
    }

    @Test
    void aMachineReachesNeitherTheHostsLoopbackNorAnotherMachine() throws Exception {
        NetworkNamespaces.Machine first = machines.machine(0);
        NetworkNamespaces.Machine second = machines.machine(1);
        try (HostLoopbackListener hostOnly = new HostLoopbackListener();
             Listener onSecond = Listener.start(second)) {
            connect(second.address(), onSecond.port()); // the host reaches the second machine

            List<String> seen = probe(first, "connect " + second.address() + " " + onSecond.port(),
                    "connect 127.0.0.1 " + hostOnly.port(), "connect " + first.hostAddress() + " " + nginx.port());

            assertTrue(seen.get(0).startsWith("failed"), "the first machine reaches the second: " + seen);
            assertTrue(seen.get(1).startsWith("failed"), "the first machine reaches the host's 127.0.0.1: " + seen);
            assertEquals("connected", seen.get(2), "the probe itself can connect: " + seen);
        }
    }

    @Test
    void closingKillsWhatRunsInsideAndDeletesNamespacesVethsAndTheClaim() throws Exception {
        NetworkNamespaces set = NetworkNamespaces.create(1);
        NetworkNamespaces.Machine machine = set.machine(0);
        Process sleeper = new ProcessBuilder(machine.command("sleep", "60")).start();
        assertNotEquals(machines.machine(0).address(), machine.address(), "two sets never share addresses");
        assertTrue(NetworkNamespaces.namespaces().contains(machine.namespace()));

        set.close();

        assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "the process inside is killed");
        assertLeftNothing(machine);
    }

    /** No shutdown hook runs when a JVM is SIGKILLed; the next set made on the machine deletes what it left. */
    @Test
    void theNextSetDeletesWhatAKilledJvmLeftBehind() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process jvm = new ProcessBuilder(java, "-cp", TestJvm.classPath(),
                CreateAndHang.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        NetworkNamespaces.Machine left;
        try {
            String line = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertNotNull(line, "the child JVM made no machine");
            String[] fields = line.split(" ");
            left = new NetworkNamespaces.Machine(fields[0], fields[1], fields[2]);
        } finally {
            jvm.destroyForcibly();
        }
        assertTrue(jvm.waitFor(10, TimeUnit.SECONDS));
        assertTrue(NetworkNamespaces.namespaces().contains(left.namespace()), "a SIGKILLed JVM leaves its set");
        String probe = "hoard-probe-" + jvm.pid(); // as if it had died while it looked whether namespaces work
        assertEquals(0, new ProcessBuilder(left.commandPrefix().get(0), "netns", "add", probe).start().waitFor());

        NetworkNamespaces.create(1).close();

        assertLeftNothing(left);
        assertFalse(namespaceExists(probe), probe + " is gone");
    }

    /** Run in a child JVM by {@link #theNextSetDeletesWhatAKilledJvmLeftBehind}: makes a set and waits to be killed. */
    static final class CreateAndHang {
        public static void main(String[] args) throws InterruptedException {
            NetworkNamespaces.Machine machine = NetworkNamespaces.create(1).machine(0);
            System.out.println(machine.namespace() + " " + machine.hostAddress() + " " + machine.address());
            System.out.flush();
            Thread.sleep(Duration.ofSeconds(60)); // bounded: the parent kills this JVM long before
        }
    }

    @Test
    void namespacesThatCannotBeMadeSkipWithAReasonUnlessRequired() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream log = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            NetworkNamespaces.assumeAvailable(Optional.empty(), "1", log);
            assertThrows(TestAbortedException.class,
                    () -> NetworkNamespaces.assumeAvailable(Optional.of("not root"), null, log));
            assertEquals("SKIPPED network namespaces: not root\n", printed.toString(StandardCharsets.UTF_8));
            AssertionError required = assertThrows(AssertionError.class,
                    () -> NetworkNamespaces.assumeAvailable(Optional.of("not root"), "1", log));
            assertTrue(required.getMessage().contains("HOARD_REQUIRE_NETNS=1"), required.getMessage());
        }
    }

    private static boolean namespaceExists(String name) {
        return Files.exists(Path.of("/run/netns", name));
    }

    private static void assertLeftNothing(NetworkNamespaces.Machine machine) {
        assertFalse(NetworkNamespaces.namespaces().contains(machine.namespace()), machine.namespace() + " is gone");
        assertFalse(Files.exists(Path.of("/sys/class/net", machine.hostLink())), machine.hostLink() + " is gone");
        String block = machine.namespace().split("-")[1];
        assertFalse(Files.exists(NetworkNamespaces.CLAIMS.resolve(block)), "the claim on block " + block + " is gone");
    }

    /** Runs {@link Probe} on {@code machine} with {@code operations}; returns one line per operation. */
    private static List<String> probe(NetworkNamespaces.Machine machine, String... operations) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-cp", TestJvm.classPath(),
                Probe.class.getName()));
        command.addAll(List.of(operations));
        Process process = new ProcessBuilder(machine.command(command))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the probe on " + machine + " ends");
        assertEquals(0, process.exitValue(), "the probe on " + machine + " says: " + output);
        return output.lines().toList();
    }

    /**
     * Run on a machine: for each argument {@code "get URL"} prints the status and the body's SHA-256, for
     * {@code "connect HOST PORT"} prints "connected" or "failed: why".
     */
    static final class Probe {
        public static void main(String[] args) {
            for (String operation : args) {
                String[] f = operation.split(" ");
                System.out.println(f[0].equals("get") ? get(URI.create(f[1])) : connectOrSay(f[1], Integer.parseInt(f[2])));
            }
        }

        private static String get(URI url) {
            try {
                HttpResponse<byte[]> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build()
                        .send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                return response.statusCode() + " " + Hashes.sha256Hex(response.body());
            } catch (IOException | InterruptedException e) {
                return "failed: " + e;
            }
        }

        private static String connectOrSay(String host, int port) {
            try {
                connect(host, port);
                return "connected";
            } catch (IOException e) {
                return "failed: " + e;
            }
        }
    }

    private static void connect(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2_000);
        }
    }

    /** A listening socket on the host's 127.0.0.1, which a machine must not reach. */
    private static final class HostLoopbackListener implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        HostLoopbackListener() throws IOException {
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A JVM listening on a machine's own address, run with {@link Listen} in its namespace. */
    private record Listener(Process process, int port) implements AutoCloseable {
        static Listener start(NetworkNamespaces.Machine machine) throws IOException {
            Process process = new ProcessBuilder(machine.command(Path.of(System.getProperty("java.home"), "bin",
                    "java").toString(), "-XX:TieredStopAtLevel=1", "-cp", TestJvm.classPath(),
                    Listen.class.getName(), machine.address())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String port = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            if (port == null) {
                process.destroyForcibly();
                throw new IllegalStateException("the listener on " + machine + " did not start");
            }
            return new Listener(process, Integer.parseInt(port.trim()));
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Run on a machine: listens on the address given, prints the port, accepts for at most a minute. */
    static final class Listen {
        public static void main(String[] args) throws IOException {
            try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName(args[0]))) {
                server.setSoTimeout(60_000);
                PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.US_ASCII);
                out.println(server.getLocalPort());
                while (true) {
                    server.accept().close(); // a timeout ends the loop, and the JVM
                }
            }
        }
    }
}
