package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.HttpsOrigins;
import dev.hoard.testing.TestBytes;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * hoard get against an https nginx whose certificate comes from a CA the test made: refused at once, in one line,
 * exit 4, naming the remedy; trusted with --cacert or SSL_CERT_FILE; and a cache hit that touches no TLS at all.
 */
@Timeout(120)
@ExtendWith(CacheInvariants.class)
class GetTlsTest {
    private static final byte[] BODY = TestBytes.random(300_000);
    /** Classes that only building a TLS context or reading certificates loads (hoard's TlsContext may be loaded). */
    private static final List<String> TLS_CLASSES = List.of("javax.net.ssl.", "sun.security.ssl.",
            "java.security.KeyStore", "sun.security.pkcs12.", "java.security.cert.CertificateFactory",
            "sun.security.provider.certpath.", "dev.hoard.internal.tls.TrustedCertificates");

    @RegisterExtension
    static final HttpsOrigins ORIGINS = HttpsOrigins.serving("disk.img", BODY);
    @TempDir
    Path tmp;
    @CacheDir
    Path cache;

    @BeforeEach
    void nameTheCache() {
        cache = tmp.resolve("cache");
    }

    @Test
    void anUntrustedServerIsRefusedAtOnceInOneLineWithExitCode4() {
        URI url = ORIGINS.valid().httpsUrl("/disk.img");
        long start = System.nanoTime();

        Cli.Run run = Cli.run("get", "--cache-dir", cache.toString(), url.toString());

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("GetTlsTest: an untrusted server was refused in " + took.toMillis() + " ms");
        assertEquals(4, run.exitCode(), run.toString());
        assertEquals("hoard: cannot verify 127.0.0.1:" + ORIGINS.valid().tlsPort() + " (for " + url + "): its "
                + "certificate "
                + "(CN=hoard test server) is issued by CN=hoard test CA,O=hoard tests, which is not a trusted "
                + "certificate authority; if you trust that CA, give its certificate (PEM) with --cacert FILE or "
                + "SSL_CERT_FILE\n", run.stderr());
        assertEquals("", run.stdout());
        // A retry would wait a second first (the default delay), and all five more than half a minute.
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "took " + took);
    }

    @Test
    void theSameServerIsTrustedWithCacert() throws Exception {
        Path out = tmp.resolve("disk.img");
        Cli.Run run = Cli.run("get", "-q", "--cacert", ORIGINS.ca().toString(), "-o", out.toString(), "--cache-dir",
                cache.toString(), ORIGINS.valid().httpsUrl("/disk.img").toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertArrayEquals(BODY, Files.readAllBytes(out));
    }

    @Test
    void sslCertFileTrustsItTooAndACacheHitLoadsNoTlsClass() throws Exception {
        Map<String, String> env = Map.of("SSL_CERT_FILE", ORIGINS.ca().toString(), "HOARD_CACHE_DIR",
                cache.toString());
        String url = ORIGINS.valid().httpsUrl("/disk.img").toString();
        Cli.Run download = Cli.await(Cli.fork(tmp, "download", env, "get", "--json", "-q", url), tmp, "download", 60);
        assertEquals(0, download.exitCode(), download.toString());
        String digest = download.stdout().replaceAll(".*\"digest\":\"(sha256:[0-9a-f]+)\".*\\s*", "$1");

        Path log = tmp.resolve("classes.log");
        Cli.Run hit = Cli.await(Cli.fork(tmp, "hit", env, List.of("-Xlog:class+load=info:file=" + log),
                "get", "-d", digest, "--cacert", ORIGINS.ca().toString(), url), tmp, "hit", 60);

        assertEquals(0, hit.exitCode(), hit.toString());
        assertEquals(cache.resolve("blobs").resolve(digest.substring("sha256:".length())) + "\n",
                hit.stdout());
        List<String> loaded = Files.readAllLines(log);
        assertTrue(loaded.stream().anyMatch(line -> line.contains("dev.hoard.cli.QuickGet")), "the log lists classes");
        for (String prefix : TLS_CLASSES) {
            assertFalse(loaded.stream().anyMatch(line -> line.contains(" " + prefix)),
                    "a hit loads no " + prefix + "*: " + loaded.stream().filter(l -> l.contains(prefix)).toList());
        }
    }

    @Test
    void anExpiredCertificateAndOneForAnotherNameAreNamedWithoutTheCacertHint() {
        URI old = ORIGINS.expired().httpsUrl("/disk.img");
        Cli.Run run = Cli.run("get", "--cacert", ORIGINS.ca().toString(), "--cache-dir", cache.toString(),
                old.toString());
        assertEquals(4, run.exitCode(), run.toString());
        assertEquals("hoard: cannot verify 127.0.0.1:" + ORIGINS.expired().tlsPort() + " (for " + old + "): its "
                + "certificate "
                + "(CN=hoard test server) expired on 2020-01-02 00:00 UTC\n", run.stderr());

        URI named = ORIGINS.valid().httpsUrl("localhost", "/disk.img");
        run = Cli.run("get", "--cacert", ORIGINS.ca().toString(), "--cache-dir", cache.toString(), named.toString());
        assertEquals(4, run.exitCode(), run.toString());
        assertEquals("hoard: cannot verify localhost:" + ORIGINS.valid().tlsPort() + " (for " + named + "): its "
                + "certificate "
                + "is for 127.0.0.1, not localhost\n", run.stderr());
    }

    @Test
    void aCacertThatIsMissingOrHoldsNoCertificateIsAUsageError() throws Exception {
        String url = ORIGINS.valid().httpsUrl("/disk.img").toString();
        Path missing = tmp.resolve("missing.pem");
        Cli.Run run = Cli.run("get", "--cacert", missing.toString(), "--cache-dir", cache.toString(), url);
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals("hoard: --cacert " + missing + ": no such readable file\n", run.stderr());

        Path empty = Files.writeString(tmp.resolve("empty.pem"), "nothing\n");
        run = Cli.run("get", "--cacert", empty.toString(), "--cache-dir", cache.toString(), url);
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals("hoard: " + empty + " holds no certificate (expected PEM '-----BEGIN CERTIFICATE-----' blocks "
                + "or one DER certificate)\n", run.stderr());
    }
}
