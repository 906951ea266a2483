package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SSL_CERT_FILE and SSL_CERT_DIR as OpenSSL reads them, added to the defaults. */
class TrustSettingsTest {

    @Test
    void theEnvironmentAddsAFileAndDirectoriesSeparatedByThePathSeparator() {
        TrustSettings trust = TrustSettings.fromEnvironment(Map.of("SSL_CERT_FILE", "/etc/corp/ca.pem",
                "SSL_CERT_DIR", "/etc/corp/certs" + java.io.File.pathSeparator + java.io.File.pathSeparator
                        + "/opt/certs"));
        assertEquals(List.of(Path.of("/etc/corp/ca.pem")), trust.caFiles());
        assertEquals(List.of(Path.of("/etc/corp/certs"), Path.of("/opt/certs")), trust.caDirectories());
    }

    @Test
    void emptyOrMissingVariablesAddNothing() {
        assertEquals(TrustSettings.defaults(), TrustSettings.fromEnvironment(Map.of("SSL_CERT_FILE", " ",
                "SSL_CERT_DIR", "")));
        assertEquals(TrustSettings.defaults(), TrustSettings.fromEnvironment(Map.of()));
    }

    @Test
    void caFilesAccumulate() {
        TrustSettings trust = TrustSettings.defaults().withCaFile(Path.of("a.pem")).withCaFile(Path.of("b.pem"));
        assertEquals(List.of(Path.of("a.pem"), Path.of("b.pem")), trust.caFiles());
    }
}
