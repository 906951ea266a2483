package dev.hoard;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which certificate authorities https servers may be vouched for by. Always trusted: the JDK's CAs (its
 * {@code cacerts}, or the {@code javax.net.ssl.trustStore} the JVM was started with) and the operating system's
 * bundle, the first of {@code /etc/ssl/certs/ca-certificates.crt} (Debian, Ubuntu, Alpine's package),
 * {@code /etc/pki/tls/certs/ca-bundle.crt} (Fedora, RHEL), {@code /etc/ssl/ca-bundle.pem} (openSUSE),
 * {@code /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem} (RHEL 7+), {@code /etc/ssl/cert.pem} (Alpine, macOS)
 * that exists. The files and directories here are added to those, never in their place. Nothing turns
 * certificate checks off.
 *
 * <p>The certificates are read when the first https request is made, not when the {@link Hoard} is opened, so a
 * cache hit reads none; an unreadable file, or one without a certificate, fails that request with an
 * {@link IllegalArgumentException}.
 *
 * @param caFiles       files of CA certificates, PEM (one or more, text around them ignored) or one DER
 * @param caDirectories directories whose every certificate file is a CA (OpenSSL's hashed {@code SSL_CERT_DIR}
 *                      layout, or plain {@code .pem}/{@code .crt} files); files that hold no certificate are skipped
 */
public record TrustSettings(List<Path> caFiles, List<Path> caDirectories) {

    public TrustSettings {
        caFiles = List.copyOf(caFiles);
        caDirectories = List.copyOf(caDirectories);
    }

    /** The JDK's and the operating system's CAs only. */
    public static TrustSettings defaults() {
        return new TrustSettings(List.of(), List.of());
    }

    /**
     * The defaults plus what {@code SSL_CERT_FILE} (a file) and {@code SSL_CERT_DIR} (directories separated by the
     * platform's path separator, ':' on Unix) name, as OpenSSL reads them; unlike OpenSSL, they add to the system's
     * CAs rather than replace them.
     */
    public static TrustSettings fromEnvironment(Map<String, String> env) {
        TrustSettings trust = defaults();
        String file = env.get("SSL_CERT_FILE");
        if (file != null && !file.isBlank()) {
            trust = trust.withCaFile(Path.of(file));
        }
        String dirs = env.get("SSL_CERT_DIR");
        if (dirs != null) {
            for (String dir : dirs.split(File.pathSeparator)) {
                if (!dir.isBlank()) {
                    trust = trust.withCaDirectory(Path.of(dir));
                }
            }
        }
        return trust;
    }

    /** These settings and the CA certificates in {@code file} too. */
    public TrustSettings withCaFile(Path file) {
        List<Path> files = new ArrayList<>(caFiles);
        files.add(file);
        return new TrustSettings(files, caDirectories);
    }

    /** These settings and the CA certificates in {@code directory} too. */
    public TrustSettings withCaDirectory(Path directory) {
        List<Path> directories = new ArrayList<>(caDirectories);
        directories.add(directory);
        return new TrustSettings(caFiles, directories);
    }
}
