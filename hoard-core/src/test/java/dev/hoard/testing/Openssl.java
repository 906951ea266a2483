package dev.hoard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The openssl command, for what tests make with it: certificates ({@link TestCertificates}) and password hashes. */
final class Openssl {
    private static final List<Path> WELL_KNOWN = List.of(Path.of("/usr/bin/openssl"),
            Path.of("/usr/local/bin/openssl"));

    private Openssl() {
    }

    static Optional<Path> binary() {
        return ServerProcess.binary("openssl", WELL_KNOWN);
    }

    /** Runs {@code openssl args} in {@code dir} and returns what it printed; fails if it fails. */
    static String run(Path dir, String... args) {
        Path binary = binary().orElseThrow(() -> new IllegalStateException("openssl not found; apt-get install "
                + "openssl"));
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("openssl " + String.join(" ", args) + " failed:\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An Apache MD5 ({@code $apr1$}) hash of {@code password}, as htpasswd files hold them. */
    static String apr1(String password) {
        return run(Path.of(System.getProperty("java.io.tmpdir")), "passwd", "-apr1", password).trim();
    }
}
