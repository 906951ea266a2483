package dev.hoard.internal.auth;

import dev.hoard.Credentials;
import dev.hoard.Origin;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The headers that authenticate one fetch's requests to each of its URLs: the headers given for the URL's origin,
 * and, unless they hold an {@code Authorization}, Basic authentication with the origin's login (its password from the
 * netrc file when the URL gave none) or else with the netrc file's entry for the host. The transport sends them to
 * that origin only ({@code HttpTransport#get}). Immutable, so segment workers share it.
 */
public final class AuthHeaders {
    public static final AuthHeaders NONE = new AuthHeaders(Credentials.NONE, Netrc.EMPTY);

    private final Credentials credentials;
    private final Netrc netrc;

    private AuthHeaders(Credentials credentials, Netrc netrc) {
        this.credentials = credentials;
        this.netrc = netrc;
    }

    /**
     * Reads the netrc file, if the credentials name one: once per fetch that goes to the network, so that a changed
     * file counts from the next fetch on, and a cache hit never reads it.
     *
     * @throws IOException the netrc file exists but cannot be read; the message names it, and nothing in it
     */
    public static AuthHeaders of(Credentials credentials) throws IOException {
        if (credentials.equals(Credentials.NONE)) {
            return NONE;
        }
        return new AuthHeaders(credentials, credentials.netrc() == null ? Netrc.EMPTY : read(credentials.netrc()));
    }

    /** The headers for requests to {@code url}'s origin; empty when there are none. */
    public Map<String, String> forUrl(URI url) {
        if (this == NONE) {
            return Map.of();
        }
        Origin origin = Origin.of(url);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(credentials.headers().getOrDefault(origin, Map.of()));
        if (!headers.containsKey("Authorization")) {
            basic(origin).ifPresent(value -> headers.put("Authorization", value));
        }
        return headers;
    }

    /**
     * Why a 401 or 403 came, in the library's terms: which server answered, and whether it was sent the credentials
     * given for the URL asked (a redirect to another origin drops them).
     */
    public String explainRefusal(int status, URI asked, URI answered) {
        Origin server = Origin.of(answered);
        boolean given = !forUrl(asked).isEmpty();
        boolean sent = given && server.equals(Origin.of(asked));
        String what = status == 401 ? "requires authentication" : "refused access";
        if (sent) {
            return "the server at " + server + (status == 401 ? " requires authentication and did not accept the "
                    + "credentials sent" : " refused the credentials sent");
        }
        return "the server at " + server + " " + what + (given ? "; the credentials given for " + Origin.of(asked)
                + " are not sent to another host a redirect leads to" : ", and no credentials were given for it");
    }

    private Optional<String> basic(Origin origin) {
        Credentials.Login login = credentials.logins().get(origin);
        if (login != null) {
            String password = login.password() != null ? login.password()
                    : netrc.find(origin.host(), login.user()).map(Netrc.Entry::password).orElse("");
            return Optional.of(basic(login.user(), password));
        }
        return netrc.find(origin.host(), null)
                .filter(entry -> entry.login() != null || entry.password() != null)
                .map(entry -> basic(orEmpty(entry.login()), orEmpty(entry.password())));
    }

    /** RFC 7617, in UTF-8. */
    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String orEmpty(String text) {
        return text == null ? "" : text;
    }

    private static String reason(IOException e) {
        return switch (e) {
            case AccessDeniedException ignored -> "permission denied";
            case FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getMessage(); // "Is a directory" and the like: never the file's content
        };
    }

    private static Netrc read(Path file) throws IOException {
        try {
            // Decoded leniently: a stray byte must not make an error message that quotes the file.
            return Netrc.parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Netrc.EMPTY; // as curl: no file, no logins
        } catch (IOException e) {
            throw new IOException("cannot read the netrc file " + file + ": " + reason(e), e);
        }
    }
}
