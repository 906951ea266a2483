package dev.hoard.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Two nginx "hosts" for credential tests, both on loopback. The guarded one, on 127.0.0.1, asks for
 * {@value #USER}:{@value #PASSWORD} with {@code auth_basic} under {@code /basic/}, and for
 * {@code Authorization: Bearer }{@value #TOKEN} under {@code /token/} (401 without an Authorization, 403 with another
 * one); {@code /basic/moved/NAME} redirects to {@code /basic/NAME} on the same host and {@code /basic/elsewhere/NAME}
 * to {@code /NAME} on the other one, 127.0.0.2, which serves anyone but asks for some Authorization under
 * {@code /private/}. Each access log records the Authorization header it received
 * ({@link AccessLogEntry#authorization()}).
 */
public final class GuardedServers implements AutoCloseable {
    public static final String USER = "alice";
    public static final String PASSWORD = "s3cret";
    public static final String TOKEN = "t0ken";

    private final Nginx guarded;
    private final Nginx elsewhere;

    private GuardedServers(Nginx guarded, Nginx elsewhere) {
        this.guarded = guarded;
        this.elsewhere = elsewhere;
    }

    /** Starts both, with their roots and the htpasswd file under {@code dir}. Skips the test if there is no nginx. */
    public static GuardedServers start(Path dir) {
        Nginx.assumeAvailable();
        try {
            Path htpasswd = Files.createDirectories(dir).resolve("htpasswd");
            Files.writeString(htpasswd, USER + ":{PLAIN}" + PASSWORD + "\n");
            Nginx elsewhere = Nginx.start(Files.createDirectories(dir.resolve("elsewhere")),
                    Nginx.Setup.DEFAULT.address("127.0.0.2").directives("""
                            location /private/ {
                              if ($http_authorization = "") {
                                return 401;
                              }
                            }
                            """));
            try {
                Nginx guarded = Nginx.start(Files.createDirectories(dir.resolve("guarded")),
                        Nginx.Setup.DEFAULT.directives(directives(htpasswd, elsewhere.url("/"))));
                return new GuardedServers(guarded, elsewhere);
            } catch (RuntimeException e) {
                elsewhere.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String directives(Path htpasswd, URI elsewhere) {
        return """
            location /basic/ {
              auth_basic "hoard test";
              auth_basic_user_file "%1$s";
            }
            location /basic/moved/ {
              rewrite ^/basic/moved/(.*)$ /basic/$1 redirect;
            }
            location /basic/elsewhere/ {
              rewrite ^/basic/elsewhere/(.*)$ %2$s$1 redirect;
            }
            location /token/ {
              if ($http_authorization = "") {
                return 401;
              }
              if ($http_authorization != "Bearer %3$s") {
                return 403;
              }
            }
            """.formatted(htpasswd, elsewhere, TOKEN);
    }

    /** The guarded host, 127.0.0.1. */
    public Nginx guarded() {
        return guarded;
    }

    /** The other host, 127.0.0.2, where redirects lead. */
    public Nginx elsewhere() {
        return elsewhere;
    }

    /** Serves {@code body} at {@code path} on the guarded host (e.g. {@code basic/disk.img}). */
    public URI putGuarded(String path, byte[] body) {
        return put(guarded, path, body);
    }

    /** Serves {@code body} at {@code path} on the other host. */
    public URI putElsewhere(String path, byte[] body) {
        return put(elsewhere, path, body);
    }

    /** {@code url} with {@code user:password@} in it. */
    public static URI withLogin(URI url, String user, String password) {
        return URI.create(url.getScheme() + "://" + user + ":" + password + "@" + url.getRawAuthority()
                + url.getRawPath());
    }

    private static URI put(Nginx nginx, String path, byte[] body) {
        try {
            Path file = nginx.root().resolve(path);
            Files.createDirectories(file.getParent());
            Files.write(file, body);
            return nginx.url(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        guarded.close();
        elsewhere.close();
    }
}
