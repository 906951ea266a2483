package dev.hoard.internal.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.TrustSettings;
import dev.hoard.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CA given by file or directory is trusted besides the JDK's and the system's CAs, never instead of them. */
class TrustedCertificatesTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void certificates() {
        TestCertificates.assumeAvailable();
    }

    @Test
    void anAddedCaJoinsTheJdksAndTheSystemsCas() throws Exception {
        X509Certificate ca = TrustedCertificates.read(TestCertificates.get().ca()).get(0);
        List<X509Certificate> jdk = TrustedCertificates.jdk();
        assertTrue(jdk.size() > 50, "the JDK's cacerts: " + jdk.size());
        Path bundle = TrustedCertificates.systemBundle().orElseThrow(() -> new AssertionError(
                "no system CA bundle in " + TrustedCertificates.SYSTEM_BUNDLES));
        List<X509Certificate> system = TrustedCertificates.parse(Files.readAllBytes(bundle), true);
        assertTrue(system.size() > 50, bundle + ": " + system.size());

        List<X509Certificate> trusted = TrustedCertificates.collect(TrustSettings.defaults()
                .withCaFile(TestCertificates.get().ca()));

        // On Debian the two lists hold the same roots, so only the count shows that both were read.
        Set<X509Certificate> all = new HashSet<>(trusted);
        assertTrue(all.containsAll(jdk), "every JDK CA is still trusted");
        assertTrue(all.containsAll(system), "every CA of " + bundle + " is still trusted");
        assertTrue(all.contains(ca), "and the added one");
        assertEquals(jdk.size() + system.size() + 1, trusted.size());
        KeyStore store = TrustedCertificates.keyStore(trusted);
        assertEquals(trusted.size(), store.size());
        assertTrue(store.getCertificateAlias(ca) != null);
        assertTrue(TrustedCertificates.collect(TrustSettings.defaults()).stream().noneMatch(ca::equals),
                "the test CA is not trusted by default");
    }

    @Test
    void pemBlocksAreFoundAmongTextAndADirectoryIsReadFileByFile() throws Exception {
        String pem = Files.readString(TestCertificates.get().ca());
        String server = Files.readString(TestCertificates.get().valid().certificateChain());
        Path bundle = Files.writeString(tmp.resolve("bundle.crt"),
                "# a comment, as RHEL's bundle has\nhoard test CA\n" + pem + "\nsome text\n" + server);
        assertEquals(2, TrustedCertificates.read(bundle).size());

        Path dir = Files.createDirectories(tmp.resolve("certs"));
        Files.writeString(dir.resolve("0a1b2c3d.0"), pem);
        Files.writeString(dir.resolve("README"), "not a certificate");
        List<X509Certificate> base = TrustedCertificates.collect(TrustSettings.defaults());
        assertEquals(base.size() + 1, TrustedCertificates.collect(TrustSettings.defaults().withCaDirectory(dir))
                .size());
    }

    @Test
    void aFileWithoutCertificatesIsRefusedByName() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty.pem"), "no certificate here\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrustedCertificates.read(empty));
        assertEquals(empty + " holds no certificate (expected PEM '-----BEGIN CERTIFICATE-----' blocks or one DER "
                + "certificate)", e.getMessage());
        Path missing = tmp.resolve("missing.pem");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrustedCertificates.read(missing))
                .getMessage().startsWith("cannot read CA certificates from " + missing));
    }
}
