package dev.hoard.testing;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * "Machines" for tests and benchmarks of a fleet: Linux network namespaces, each with its own loopback and a veth
 * pair to the host, so that processes forked into them ({@link Machine#command}) have their own network stack and
 * reach the host only through their veth. Needs root and iproute2's {@code ip}; skips visibly otherwise, and
 * HOARD_REQUIRE_NETNS=1 (as on CI) turns that skip into a failure.
 *
 * <p>Machine {@code i} of a set has the namespace {@code hoard-B-i}, the host side {@code hvBxI} with
 * {@code 10.(230+B/256).(B%256).(4i+1)/30} and the namespace side {@code nvBxI} with {@code .(4i+2)/30}, a default route
 * to the host side, {@code lo} up. B, the set's block, is claimed by creating the file /run/hoard-netns/B (atomic, so
 * two sets made at once by two JVMs never share addresses or names), starting at this JVM's pid. What is reachable,
 * as {@code NetworkNamespacesTest} checks:
 * <ul>
 *   <li>from every machine, a server on <em>any</em> machine's {@link Machine#hostAddress()} (the host owns them
 *       all and the default route leads there): one origin or store on {@code machine(0).hostAddress()} serves the
 *       whole fleet. {@code Nginx.Setup.address(...)} and {@code CephRgw.Setup.address(...)} take it;
 *   <li>from the host, every machine's {@link Machine#address()};
 *   <li>not the host's 127.0.0.1 from a machine (its loopback is its own), and not one machine from another: the
 *       host side of each veth has forwarding off, also where {@code net.ipv4.ip_forward} is 1 (until something
 *       writes that again: it sets every interface's).
 * </ul>
 *
 * <p>{@link #close()} kills what still runs in the namespaces, deletes them and their veths, and drops the claim; a
 * shutdown hook does it when the JVM exits. A JVM killed with SIGKILL leaves its set behind: the next
 * {@link #create} anywhere on the machine deletes every set whose claim names a process that is gone.
 */
public final class NetworkNamespaces implements AutoCloseable {
    static final String PREFIX = "hoard-";
    private static final String PROBE_PREFIX = PREFIX + "probe-";
    static final Path CLAIMS = Path.of("/run/hoard-netns");
    private static final int BLOCKS = 2560;
    private static final int MAX_MACHINES = 63;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    private static final List<Path> WELL_KNOWN = List.of(Path.of("/usr/sbin/ip"), Path.of("/sbin/ip"),
            Path.of("/usr/bin/ip"), Path.of("/bin/ip"));

    /**
     * One machine: a namespace and the two ends of its veth.
     *
     * @param namespace   the namespace's name, for {@code ip netns exec}
     * @param hostAddress the host's address on this machine's veth: servers listen here to be reachable from it
     * @param address     the machine's own address, as servers on the host see its connections come from
     */
    public record Machine(String namespace, String hostAddress, String address) {

        /** {@code ip netns exec NAMESPACE}: put it before a command to run that command on this machine. */
        public List<String> commandPrefix() {
            return List.of(ip().toString(), "netns", "exec", namespace);
        }

        /** {@code command} run on this machine, for a {@link ProcessBuilder}. */
        public List<String> command(List<String> command) {
            List<String> full = new ArrayList<>(commandPrefix());
            full.addAll(command);
            return full;
        }

        /** As {@link #command(List)}. */
        public List<String> command(String... command) {
            return command(List.of(command));
        }

        String hostLink() {
            return hostLinkOf(namespace);
        }

        String machineLink() {
            return "nv" + namespace.substring(PREFIX.length()).replace('-', 'x');
        }
    }

    private final int block;
    private final List<Machine> machines = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread shutdownHook = new Thread(this::delete, "netns-shutdown");

    private NetworkNamespaces(int block) {
        this.block = block;
    }

    /**
     * Skips the calling test, saying why on stderr, unless this JVM runs as root, {@code ip} is installed and can
     * make a namespace; fails it instead when HOARD_REQUIRE_NETNS=1 says a skip would hide a gap in coverage.
     */
    public static void assumeAvailable() {
        assumeAvailable(unavailability(), System.getenv("HOARD_REQUIRE_NETNS"), System.err);
    }

    static void assumeAvailable(Optional<String> unavailability, String requireNetns, PrintStream log) {
        unavailability.ifPresent(reason -> ServerProcess.skipOrFail("network namespaces: " + reason,
                "HOARD_REQUIRE_NETNS", requireNetns, log));
    }

    /**
     * Makes {@code count} machines (1 to {@value #MAX_MACHINES}), after deleting the sets that killed JVMs left
     * behind. Skips the calling test where namespaces cannot be made ({@link #assumeAvailable()}).
     */
    public static NetworkNamespaces create(int count) {
        if (count < 1 || count > MAX_MACHINES) {
            throw new IllegalArgumentException("machines: " + count + ", not 1 to " + MAX_MACHINES);
        }
        assumeAvailable();
        sweepStale();
        NetworkNamespaces set = new NetworkNamespaces(claimBlock());
        Runtime.getRuntime().addShutdownHook(set.shutdownHook);
        try {
            for (int i = 0; i < count; i++) {
                set.machines.add(set.addMachine(i));
            }
            return set;
        } catch (RuntimeException | Error e) {
            set.close();
            throw e;
        }
    }

    public List<Machine> machines() {
        return List.copyOf(machines);
    }

    public Machine machine(int i) {
        return machines.get(i);
    }

    /** Kills what still runs on the machines, deletes their namespaces and veths, and drops the claim. */
    @Override
    public void close() {
        delete();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down and the hook is running or ran
        }
    }

    @Override
    public String toString() {
        return "NetworkNamespaces" + machines;
    }

    /**
     * Deletes every set whose claim names a process that is gone (or another process under a reused pid), and
     * namespaces of ours that no claim covers: a set is claimed before its first namespace is made.
     */
    static void sweepStale() {
        Set<Integer> live = new HashSet<>();
        for (Path claim : claims()) {
            int block = Integer.parseInt(claim.getFileName().toString());
            if (claimIsLive(claim)) {
                live.add(block);
            } else {
                deleteBlock(block);
                deleteQuietly(claim);
            }
        }
        for (String namespace : namespaces()) {
            if (!live.contains(blockOf(namespace))) {
                deleteMachine(namespace);
            }
        }
        for (String probe : probes()) {
            if (ProcessHandle.of(Long.parseLong(probe.substring(PROBE_PREFIX.length()))).isEmpty()) {
                runQuietly(List.of(ip().toString(), "netns", "del", probe));
            }
        }
    }

    /** The namespaces {@code ip netns list} shows whose names are ours ({@code hoard-B-I}). */
    static List<String> namespaces() {
        return namespacesMatching(PREFIX + "\\d+-\\d+");
    }

    /** The namespaces that {@link #unavailability()} makes and deletes at once, left by a JVM that died between. */
    private static List<String> probes() {
        return namespacesMatching(PROBE_PREFIX + "\\d+");
    }

    private static List<String> namespacesMatching(String regex) {
        return run(List.of(ip().toString(), "netns", "list")).lines().map(line -> line.split(" ")[0])
                .filter(name -> name.matches(regex)).toList();
    }

    /** The file that claims a block for this JVM: its pid and start instant, so a reused pid does not keep it. */
    static String claimContent(ProcessHandle process) {
        return process.pid() + " " + process.info().startInstant().map(Object::toString).orElse("?");
    }

    private Machine addMachine(int i) {
        String base = "10." + (230 + block / 256) + "." + (block % 256) + ".";
        Machine machine = new Machine(PREFIX + block + "-" + i, base + (4 * i + 1), base + (4 * i + 2));
        String ip = ip().toString();
        String ns = machine.namespace();
        run(List.of(ip, "netns", "add", ns));
        run(List.of(ip, "link", "add", machine.hostLink(), "type", "veth", "peer", "name", machine.machineLink(),
                "netns", ns));
        writeSysctl("net/ipv4/conf/" + machine.hostLink() + "/forwarding", "0");
        run(List.of(ip, "addr", "add", machine.hostAddress() + "/30", "dev", machine.hostLink()));
        run(List.of(ip, "link", "set", machine.hostLink(), "up"));
        run(List.of(ip, "-n", ns, "addr", "add", machine.address() + "/30", "dev", machine.machineLink()));
        run(List.of(ip, "-n", ns, "link", "set", machine.machineLink(), "up"));
        run(List.of(ip, "-n", ns, "link", "set", "lo", "up"));
        run(List.of(ip, "-n", ns, "route", "add", "default", "via", machine.hostAddress()));
        return machine;
    }

    private void delete() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        deleteBlock(block);
        deleteQuietly(CLAIMS.resolve(Integer.toString(block)));
    }

    /** Deletes every namespace of {@code block}, and every veth whose host side is named for it. */
    private static void deleteBlock(int block) {
        for (String namespace : namespaces()) {
            if (blockOf(namespace) == block) {
                deleteMachine(namespace);
            }
        }
        for (String link : hostLinks()) {
            if (link.startsWith("hv" + block + "x")) {
                runQuietly(List.of(ip().toString(), "link", "del", link));
            }
        }
    }

    /**
     * Kills the processes in {@code namespace} (they would keep it, and with it the veth and its address, alive
     * after its name is gone), deletes the host side of its veth (which takes the other side along) and the name.
     */
    private static void deleteMachine(String namespace) {
        String ip = ip().toString();
        runQuietly(List.of(ip, "netns", "pids", namespace)).lines().map(String::trim).filter(s -> s.matches("\\d+"))
                .forEach(pid -> ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly));
        runQuietly(List.of(ip, "link", "del", hostLinkOf(namespace)));
        runQuietly(List.of(ip, "netns", "del", namespace));
    }

    /**
     * Claims the first free block from this JVM's pid on, by creating its claim file; skips blocks whose addresses
     * the host already has on an interface that is not ours.
     */
    private static int claimBlock() {
        try {
            Files.createDirectories(CLAIMS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + CLAIMS, e);
        }
        Set<String> taken = foreignPrefixes();
        int first = (int) (ProcessHandle.current().pid() % BLOCKS);
        for (int n = 0; n < BLOCKS; n++) {
            int block = (first + n) % BLOCKS;
            if (taken.contains("10." + (230 + block / 256) + "." + (block % 256) + ".")) {
                continue;
            }
            try {
                Files.writeString(CLAIMS.resolve(Integer.toString(block)), claimContent(ProcessHandle.current()),
                        StandardCharsets.US_ASCII, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return block;
            } catch (FileAlreadyExistsException e) {
                // another set has it
            } catch (IOException e) {
                throw new UncheckedIOException("cannot claim a block in " + CLAIMS, e);
            }
        }
        throw new IllegalStateException("all " + BLOCKS + " address blocks of 10.230-239/16 are claimed in " + CLAIMS);
    }

    /** The /24 prefixes ("10.230.7.") of the IPv4 addresses the host has on interfaces that are not our veths. */
    private static Set<String> foreignPrefixes() {
        Set<String> prefixes = new HashSet<>();
        run(List.of(ip().toString(), "-4", "-o", "addr", "show")).lines().forEach(line -> {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && !f[1].startsWith("hv")) {
                String address = f[3].split("/")[0];
                prefixes.add(address.substring(0, address.lastIndexOf('.') + 1));
            }
        });
        return prefixes;
    }

    private static List<String> hostLinks() {
        return run(List.of(ip().toString(), "-o", "link", "show")).lines().map(line -> line.split(":\\s+"))
                .filter(f -> f.length > 1).map(f -> f[1].split("@")[0]).filter(name -> name.startsWith("hv"))
                .toList();
    }

    private static List<Path> claims() {
        if (!Files.isDirectory(CLAIMS)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(CLAIMS)) {
            return files.filter(file -> file.getFileName().toString().matches("\\d+")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean claimIsLive(Path claim) {
        String[] pidAndStart = ServerProcess.read(claim).trim().split(" ");
        if (pidAndStart.length != 2 || !pidAndStart[0].matches("\\d+")) {
            return false; // half written by a JVM that died at that moment
        }
        return ProcessHandle.of(Long.parseLong(pidAndStart[0])).map(NetworkNamespaces::claimContent)
                .filter(content -> content.equals(pidAndStart[0] + " " + pidAndStart[1])).isPresent();
    }

    /** The host side of a namespace's veth: {@code hoard-12-3} has {@code hv12x3}, 15 characters at most. */
    private static String hostLinkOf(String namespace) {
        return "hv" + namespace.substring(PREFIX.length()).replace('-', 'x');
    }

    private static int blockOf(String namespace) {
        return Integer.parseInt(namespace.substring(PREFIX.length(), namespace.lastIndexOf('-')));
    }

    /** Why namespaces cannot be made here, if they cannot. */
    private static Optional<String> unavailability() {
        if (!isRoot()) {
            return Optional.of("not root, so no namespaces can be made (run the tests as root, as CI does)");
        }
        if (ServerProcess.binary("ip", WELL_KNOWN).isEmpty()) {
            return Optional.of("ip not found on PATH or /usr/sbin; install it with apt-get install iproute2");
        }
        String probe = PROBE_PREFIX + ProcessHandle.current().pid();
        try {
            run(List.of(ip().toString(), "netns", "add", probe));
            return Optional.empty();
        } catch (IllegalStateException e) {
            return Optional.of("ip netns add fails here: " + e.getMessage());
        } finally {
            runQuietly(List.of(ip().toString(), "netns", "del", probe));
        }
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static Path ip() {
        return ServerProcess.binary("ip", WELL_KNOWN).orElseThrow(
                () -> new IllegalStateException("ip not found; apt-get install iproute2"));
    }

    private static void writeSysctl(String key, String value) {
        try {
            Files.writeString(Path.of("/proc/sys", key), value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set " + key, e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // the next sweep finds it
        }
    }

    /** Runs {@code command}, returning its output; fails with that output if it does not exit 0. */
    private static String run(List<String> command) {
        Result result = execute(command);
        if (result.status() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + result.status() + ": "
                    + result.output().trim());
        }
        return result.output();
    }

    /** Runs {@code command}, returning its output whatever its exit code: for deleting what may not be there. */
    private static String runQuietly(List<String> command) {
        return execute(command).output();
    }

    private record Result(int status, String output) {
    }

    /** Runs {@code command} with its output in a file, so that a command that hangs cannot hang the reader. */
    private static Result execute(List<String> command) {
        Path output = null;
        try {
            output = Files.createTempFile("hoard-netns-", ".out");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                            "/dev/null"))).start();
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out after " + COMMAND_TIMEOUT.toSeconds() + " s: "
                        + ServerProcess.read(output));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (output != null) {
                deleteQuietly(output);
            }
        }
    }
}
