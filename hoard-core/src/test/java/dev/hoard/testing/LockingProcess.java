package dev.hoard.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Another process that takes the OS file lock on a file, as another hoard process would: a small JVM forked with this
 * test's class path, which locks with {@link FileChannel#lock()} and says so on stdout.
 *
 * <pre>{@code
 * try (LockingProcess other = LockingProcess.hold(entryDir.resolve("lock"))) {
 *     // the lock is held by another process until other is closed (killed)
 * }
 * boolean free = LockingProcess.canLock(lockFile); // tries once, without waiting
 * }</pre>
 */
@SuppressWarnings("try") // close() waits for the process to let go, so it may be interrupted, as callers want
public final class LockingProcess implements AutoCloseable {
    private static final long START_SECONDS = 60;

    private final Process process;

    private LockingProcess(Process process) {
        this.process = process;
    }

    /** Starts a process that locks {@code file} (creating it) until it is killed; returns once it holds the lock. */
    public static LockingProcess hold(Path file) {
        Process process = start("hold", file);
        String said = firstLine(process);
        if (!"locked".equals(said)) {
            process.destroyForcibly();
            throw new IllegalStateException("the locking process said " + said + " instead of 'locked'");
        }
        return new LockingProcess(process);
    }

    /** Whether another process can take the OS lock on {@code file} right now (it tries once and lets go). */
    public static boolean canLock(Path file) {
        Process process = start("try", file);
        String said = firstLine(process);
        process.destroyForcibly();
        return switch (String.valueOf(said)) {
            case "locked" -> true;
            case "busy" -> false;
            default -> throw new IllegalStateException("the locking process said " + said);
        };
    }

    /** Kills the process, as kill -9 would: the kernel releases its lock. Returns once it is gone. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(START_SECONDS, TimeUnit.SECONDS);
    }

    /** In the forked JVM: {@code hold FILE} or {@code try FILE}. */
    public static void main(String[] args) throws IOException, InterruptedException {
        try (FileChannel channel = FileChannel.open(Path.of(args[1]), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            if (args[0].equals("try")) {
                FileLock lock = channel.tryLock();
                System.out.println(lock == null ? "busy" : "locked");
                return;
            }
            channel.lock();
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE); // until killed
        }
    }

    private static Process start(String mode, Path file) {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", TestJvm.classPath(),
                LockingProcess.class.getName(), mode, file.toString());
        try {
            return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The process's first line of output, waiting at most a minute (a JVM on a busy machine starts slowly). */
    private static String firstLine(Process process) {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            return line.get(START_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("the locking process did not answer within " + START_SECONDS + " s", e);
        }
    }
}
