package dev.hoard.internal.tls;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A server's certificate chain that the trust manager refused, with the refusal as the cause: the JDK's handshake
 * exception says only "PKIX path building failed", while a useful message names the certificate and its issuer.
 */
final class RejectedChain extends CertificateException {
    private final transient List<X509Certificate> chain;

    RejectedChain(X509Certificate[] chain, CertificateException cause) {
        super(cause.getMessage(), cause);
        this.chain = List.of(chain);
    }

    /** The chain as the server sent it, its own certificate first. */
    List<X509Certificate> chain() {
        return chain;
    }
}
