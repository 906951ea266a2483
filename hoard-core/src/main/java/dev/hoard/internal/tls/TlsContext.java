package dev.hoard.internal.tls;

import dev.hoard.TrustSettings;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS client setup of one {@code Hoard}: an {@link SSLContext} that trusts what its {@link TrustSettings} say,
 * built on the first https request and then shared by every connection (which also lets the JDK reuse kept-alive
 * connections, whose pool is keyed by socket factory). Nothing here runs before that request: a cache hit loads no
 * TLS or key-store class, and reading some 300 certificates (20-80 ms) is paid only by downloads over https.
 */
public final class TlsContext {
    private final TrustSettings settings;
    /** Guarded by {@code this}; null until the first https request. */
    private SSLSocketFactory socketFactory;

    public TlsContext(TrustSettings settings) {
        this.settings = settings;
    }

    /**
     * The socket factory for https connections, built on the first call.
     *
     * @throws IllegalArgumentException if a CA file of the settings cannot be read or holds no certificate
     */
    public synchronized SSLSocketFactory socketFactory() {
        if (socketFactory == null) {
            socketFactory = build(settings).getSocketFactory();
        }
        return socketFactory;
    }

    /** A context that trusts the certificates {@link TrustedCertificates#collect} gathers, and only those. */
    static SSLContext build(TrustSettings settings) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(TrustedCertificates.keyStore(TrustedCertificates.collect(settings)));
            X509ExtendedTrustManager pkix = null;
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager extended) {
                    pkix = extended;
                }
            }
            if (pkix == null) {
                throw new IllegalStateException("the JDK's PKIX trust manager is missing");
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new RecordingTrustManager(pkix)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }
}
