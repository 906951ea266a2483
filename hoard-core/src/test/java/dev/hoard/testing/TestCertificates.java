package dev.hoard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A private certificate authority and server certificates signed by it, made with openssl in a temp directory once
 * per JVM (about 0.1 s): what an https test needs to be refused without trust and accepted with it.
 *
 * <p>The server certificates are for {@code IP:127.0.0.1} only, so a URL naming {@code localhost} meets a wrong name.
 * {@link #expired()} expired in 2020 ({@code openssl ca} can date a certificate in the past; {@code x509 -req}
 * cannot). Keys are P-256, fast to make.
 *
 * @param ca      the CA's certificate (PEM), what {@code --cacert} takes
 * @param valid   an https listener with a certificate valid for ten years
 * @param expired an https listener whose certificate has expired
 */
public record TestCertificates(Path ca, Nginx.Tls valid, Nginx.Tls expired) {
    private static TestCertificates made;

    /** A minimal {@code openssl ca} setup: any subject, server extensions for 127.0.0.1. */
    private static final String CA_CONFIG = """
        [ca]
        default_ca = test_ca
        [test_ca]
        database = DIR/index.txt
        new_certs_dir = DIR
        serial = DIR/serial
        default_md = sha256
        policy = any_subject
        unique_subject = no
        x509_extensions = server
        [any_subject]
        commonName = supplied
        [server]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = serverAuth
        subjectAltName = IP:127.0.0.1
        """;

    /** Skips (or with HOARD_REQUIRE_NGINX=1 fails) the calling test if openssl is missing: TLS tests need both. */
    public static void assumeAvailable() {
        ServerProcess.assumeAvailable(Openssl.binary(), "openssl", "HOARD_REQUIRE_NGINX",
                System.getenv("HOARD_REQUIRE_NGINX"), System.err);
    }

    /** The certificates of this JVM, made on the first call. */
    public static synchronized TestCertificates get() {
        if (made == null) {
            try {
                Path dir = Files.createTempDirectory("hoard-certificates-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> ServerProcess.deleteRecursively(dir)));
                made = make(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return made;
    }

    /** Reads {@code file} as the text of a PEM file, e.g. to write it into a bundle. */
    public static String pem(Path file) {
        return ServerProcess.read(file);
    }

    private static TestCertificates make(Path dir) throws IOException {
        Files.writeString(dir.resolve("ca.cnf"), CA_CONFIG.replace("DIR", dir.toString()));
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("serial"), "1000\n");
        Openssl.run(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", "/O=hoard tests/CN=hoard test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Openssl.run(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=hoard test server");
        sign(dir, "server.pem", "-days", "3650");
        sign(dir, "expired.pem", "-startdate", "20200101000000Z", "-enddate", "20200102000000Z");
        Path key = dir.resolve("server.key");
        return new TestCertificates(dir.resolve("ca.pem"), new Nginx.Tls(dir.resolve("server.pem"), key),
                new Nginx.Tls(dir.resolve("expired.pem"), key));
    }

    private static void sign(Path dir, String out, String... validity) {
        List<String> args = new ArrayList<>(List.of("ca", "-batch", "-notext", "-config", "ca.cnf", "-cert", "ca.pem",
                "-keyfile", "ca.key", "-in", "server.csr", "-out", out));
        args.addAll(List.of(validity));
        Openssl.run(dir, args.toArray(String[]::new));
    }
}
