package dev.hoard.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Two nginx instances serving one file over http and https, with certificates from {@link TestCertificates}: one
 * valid for 127.0.0.1, one expired. A TLS test class starts them once:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final HttpsOrigins origins = HttpsOrigins.serving("disk.img", BODY);
 * }</pre>
 *
 * Before the class's tests they start (or the class is skipped, visibly, if nginx or openssl is missing), after
 * them they stop and their directory is deleted.
 */
public final class HttpsOrigins implements BeforeAllCallback, AfterAllCallback {
    private final String name;
    private final byte[] content;
    private Path root;
    private Nginx valid;
    private Nginx expired;

    private HttpsOrigins(String name, byte[] content) {
        this.name = name;
        this.content = content.clone();
    }

    /** Origins that serve {@code content} as {@code /name}. */
    public static HttpsOrigins serving(String name, byte[] content) {
        return new HttpsOrigins(name, content);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Nginx.assumeAvailable();
        TestCertificates.assumeAvailable();
        root = Files.createTempDirectory("hoard-origins-");
        Files.write(root.resolve(name), content);
        valid = Nginx.startTls(root, TestCertificates.get().valid());
        expired = Nginx.startTls(root, TestCertificates.get().expired());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (Nginx nginx : new Nginx[] {valid, expired}) {
            if (nginx != null) {
                nginx.close();
            }
        }
        if (root != null) {
            ServerProcess.deleteRecursively(root);
        }
    }

    /** The server whose certificate is valid for 127.0.0.1 (and nothing else). */
    public Nginx valid() {
        return valid;
    }

    /** The server whose certificate expired in 2020. */
    public Nginx expired() {
        return expired;
    }

    /** The test CA's certificate, which both servers' certificates are signed by. */
    public Path ca() {
        return TestCertificates.get().ca();
    }
}
