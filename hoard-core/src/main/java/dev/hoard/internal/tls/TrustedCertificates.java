package dev.hoard.internal.tls;

import dev.hoard.TrustSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The CA certificates a {@link TrustSettings} trusts: the JDK's, the operating system's bundle, and the settings'
 * own files and directories, gathered into one key store for one PKIX trust manager (one store, so that a chain is
 * checked once and a failure names one reason).
 */
public final class TrustedCertificates {
    /** Where Linux distributions, the BSDs and macOS keep their CA bundle; the first that exists is used (as Go). */
    static final List<Path> SYSTEM_BUNDLES = List.of(
            Path.of("/etc/ssl/certs/ca-certificates.crt"),
            Path.of("/etc/pki/tls/certs/ca-bundle.crt"),
            Path.of("/etc/ssl/ca-bundle.pem"),
            Path.of("/etc/pki/tls/cacert.pem"),
            Path.of("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"),
            Path.of("/etc/ssl/cert.pem"));
    private static final Pattern PEM = Pattern.compile("-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----"
            + "([A-Za-z0-9+/=\\s]+?)-----END (?:TRUSTED |X509 )?CERTIFICATE-----");

    private TrustedCertificates() {
    }

    /** Every certificate {@code settings} trusts, the JDK's first. */
    public static List<X509Certificate> collect(TrustSettings settings) {
        List<X509Certificate> all = new ArrayList<>(jdk());
        systemBundle().ifPresent(bundle -> all.addAll(readLeniently(bundle)));
        for (Path file : settings.caFiles()) {
            all.addAll(read(file));
        }
        for (Path dir : settings.caDirectories()) {
            all.addAll(readDirectory(dir));
        }
        return all;
    }

    /** A key store holding {@code certificates} as trusted entries. */
    public static KeyStore keyStore(List<X509Certificate> certificates) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot create an empty key store", e);
        }
        for (int i = 0; i < certificates.size(); i++) {
            store.setCertificateEntry("ca-" + i, certificates.get(i));
        }
        return store;
    }

    /** The CAs the JDK trusts by default: its cacerts, or the javax.net.ssl.trustStore the JVM was started with. */
    static List<X509Certificate> jdk() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return List.of(x509.getAcceptedIssuers());
                }
            }
            return List.of();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's trusted certificates cannot be read: " + e.getMessage(), e);
        }
    }

    /** The operating system's CA bundle, if this is a system that has one where {@link #SYSTEM_BUNDLES} look. */
    static Optional<Path> systemBundle() {
        return SYSTEM_BUNDLES.stream().filter(Files::isReadable).findFirst();
    }

    /**
     * The certificates in a file the user named: PEM blocks (text around them ignored) or, without any, one DER
     * certificate.
     *
     * @throws IllegalArgumentException if the file cannot be read or holds no certificate
     */
    static List<X509Certificate> read(Path file) {
        try {
            List<X509Certificate> certificates = parse(Files.readAllBytes(file), false);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no certificate (expected PEM '-----BEGIN "
                        + "CERTIFICATE-----' blocks or one DER certificate)");
            }
            return certificates;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read CA certificates from " + file + ": " + e, e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " holds a malformed certificate: " + e.getMessage(), e);
        }
    }

    /** The certificates of a system file or a directory entry; one that cannot be read or parsed is skipped. */
    private static List<X509Certificate> readLeniently(Path file) {
        try {
            return parse(Files.readAllBytes(file), true);
        } catch (IOException | CertificateException e) {
            return List.of();
        }
    }

    private static List<X509Certificate> readDirectory(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).sorted().flatMap(f -> readLeniently(f).stream()).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list CA certificates in " + dir + ": " + e, e);
        }
    }

    /** @param skipBad skip a PEM block that does not parse, rather than fail */
    static List<X509Certificate> parse(byte[] content, boolean skipBad) throws CertificateException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        Matcher pem = PEM.matcher(new String(content, StandardCharsets.ISO_8859_1));
        List<X509Certificate> certificates = new ArrayList<>();
        while (pem.find()) {
            try {
                byte[] der = Base64.getMimeDecoder().decode(pem.group(1));
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException | IllegalArgumentException e) {
                if (!skipBad) {
                    throw e instanceof CertificateException c ? c : new CertificateException(e.getMessage(), e);
                }
            }
        }
        if (certificates.isEmpty() && content.length > 0 && content[0] == 0x30) { // a DER SEQUENCE
            certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(content)));
        }
        return certificates;
    }
}
