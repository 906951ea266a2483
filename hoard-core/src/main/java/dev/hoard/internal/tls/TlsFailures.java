package dev.hoard.internal.tls;

import dev.hoard.TlsException;
import dev.hoard.TlsException.Problem;
import java.io.EOFException;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.SocketException;
import java.net.URI;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Sorts a failed handshake: a connection that broke during it (end of stream, a reset) may work next time and stays
 * an ordinary I/O failure; everything else is a {@link TlsException} whose one-line message names the server and
 * what is wrong with its certificate, in terms a person can act on.
 */
public final class TlsFailures {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private TlsFailures() {
    }

    /**
     * {@code connection.getResponseCode()}, with a handshake that failed for good thrown as a {@link TlsException}.
     * The {@code catch} of {@link SSLException} is here rather than in the caller because the JVM loads a caught
     * exception's class when it verifies the method, and the caller's class is loaded by every cache hit.
     *
     * @param url     the request's URL
     * @param current the URL {@code connection} is for
     */
    public static int responseCode(HttpURLConnection connection, URI url, URI current) throws IOException {
        try {
            return connection.getResponseCode();
        } catch (SSLException e) {
            TlsException failure = classify(e, url, current);
            throw failure != null ? failure : e;
        }
    }

    /**
     * The permanent failure {@code e} is, or null if the connection merely broke and another attempt may succeed.
     *
     * @param url    the request's URL
     * @param server the URL whose handshake failed (the request's, or a redirect's)
     */
    public static TlsException classify(SSLException e, URI url, URI server) {
        RejectedChain rejected = find(e, RejectedChain.class);
        if (rejected == null && (find(e, EOFException.class) != null || find(e, SocketException.class) != null)) {
            return null;
        }
        String host = server.getHost() + ":" + (server.getPort() >= 0 ? server.getPort() : 443);
        String prefix = "cannot verify " + host + " (for " + url + "): ";
        if (rejected == null) {
            return new TlsException(url, host, Problem.HANDSHAKE, "TLS handshake with " + host + " failed (for "
                    + url + "): " + e.getMessage(), e);
        }
        List<X509Certificate> chain = rejected.chain();
        X509Certificate leaf = chain.get(0);
        Throwable cause = rejected.getCause();
        if (find(cause, CertificateExpiredException.class) != null || reason(cause, BasicReason.EXPIRED)) {
            X509Certificate expired = chain.stream().filter(c -> c.getNotAfter().before(new Date())).findFirst()
                    .orElse(leaf);
            return new TlsException(url, host, Problem.EXPIRED, prefix + "its certificate " + describe(expired, leaf)
                    + "expired on " + DATE.format(expired.getNotAfter().toInstant()), e);
        }
        if (find(cause, CertificateNotYetValidException.class) != null || reason(cause, BasicReason.NOT_YET_VALID)) {
            X509Certificate early = chain.stream().filter(c -> c.getNotBefore().after(new Date())).findFirst()
                    .orElse(leaf);
            return new TlsException(url, host, Problem.NOT_YET_VALID, prefix + "its certificate "
                    + describe(early, leaf) + "is not valid before " + DATE.format(early.getNotBefore().toInstant())
                    + " (is this machine's clock right?)", e);
        }
        if (String.valueOf(cause.getMessage()).matches("No (subject alternative|name matching).*")) {
            return new TlsException(url, host, Problem.WRONG_NAME, prefix + "its certificate is for "
                    + String.join(", ", names(leaf)) + ", not " + server.getHost(), e);
        }
        if (find(cause, CertPathBuilderException.class) != null) {
            return new TlsException(url, host, Problem.UNTRUSTED, prefix + untrusted(chain), e);
        }
        return new TlsException(url, host, Problem.HANDSHAKE, prefix + "its certificate (" + subject(leaf)
                + ") was refused: " + cause.getMessage(), e);
    }

    private static String untrusted(List<X509Certificate> chain) {
        X509Certificate leaf = chain.get(0);
        X509Certificate top = chain.get(chain.size() - 1);
        if (chain.size() == 1 && top.getIssuerX500Principal().equals(top.getSubjectX500Principal())) {
            return "its certificate (" + subject(leaf) + ") is self-signed, not issued by a trusted certificate "
                    + "authority";
        }
        return "its certificate (" + subject(leaf) + ") is issued by " + top.getIssuerX500Principal().getName()
                + ", which is not a trusted certificate authority";
    }

    /** "" for the server's own certificate, else which one of its chain it is. */
    private static String describe(X509Certificate certificate, X509Certificate leaf) {
        return certificate == leaf ? "(" + subject(leaf) + ") "
                : "chain's " + subject(certificate) + " (issuer of " + subject(leaf) + ") ";
    }

    private static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }

    /** The DNS names and addresses a certificate is for, or its subject if it lists none. */
    private static List<String> names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> name : alternatives) {
                    int type = (Integer) name.get(0);
                    if (type == 2 || type == 7) { // dNSName, iPAddress
                        names.add(String.valueOf(name.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // fall back on the subject
        }
        return names.isEmpty() ? List.of(subject(certificate)) : names;
    }

    private static boolean reason(Throwable e, BasicReason reason) {
        CertPathValidatorException validator = find(e, CertPathValidatorException.class);
        return validator != null && validator.getReason() == reason;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
