package dev.hoard;

import static dev.hoard.testing.GuardedServers.PASSWORD;
import static dev.hoard.testing.GuardedServers.TOKEN;
import static dev.hoard.testing.GuardedServers.USER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.AccessLogEntry;
import dev.hoard.testing.GuardedServers;
import dev.hoard.testing.TestBytes;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials against a real nginx: where they are sent, where not, and what a refusal says. */
class NginxCredentialsTest {
    private static final byte[] BODY = TestBytes.random(300_000, 11);
    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    private static final Duration LOG_WAIT = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    private GuardedServers servers;
    private Hoard hoard;

    @BeforeEach
    void start() throws Exception {
        servers = GuardedServers.start(tmp.resolve("www"));
        hoard = Hoard.open(tmp.resolve("cache"));
    }

    @AfterEach
    void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    @Test
    void aLoginInTheUrlIsSentAsBasicAuthenticationWithTheFirstRequest() throws Exception {
        URI url = servers.putGuarded("basic/disk.img", BODY);

        FetchResult result = hoard.fetch(FetchRequest.of(GuardedServers.withLogin(url, USER, PASSWORD)));

        assertEquals(FetchStatus.DOWNLOADED, result.status());
        assertEquals(url, result.url());
        List<AccessLogEntry> log = servers.guarded().awaitAccessLog(1, LOG_WAIT);
        assertEquals(List.of(200), log.stream().map(AccessLogEntry::status).toList(), "no 401 challenge first");
        assertEquals(BASIC, log.getFirst().authorization());
        assertNoSecretUnder(tmp.resolve("cache"));
    }

    @Test
    void aBearerTokenGoesInTheHeaderGivenAndTheServerSeesNothingElse() throws Exception {
        URI url = servers.putGuarded("token/disk.img", BODY);

        FetchResult result = hoard.fetch(FetchRequest.of(url).headers(Map.of("Authorization", "Bearer " + TOKEN)));

        assertEquals(BODY.length, result.size());
        assertEquals("Bearer " + TOKEN, servers.guarded().awaitAccessLog(1, LOG_WAIT).getFirst().authorization());
        assertNoSecretUnder(tmp.resolve("cache"));
    }

    @Test
    void aNetrcFileGivesTheLoginOfItsMachine() throws Exception {
        URI url = servers.putGuarded("basic/disk.img", BODY);
        Path netrc = Files.writeString(tmp.resolve("netrc"), "machine example.org login bob password nope\n"
                + "machine 127.0.0.1\n  login " + USER + "\n  password " + PASSWORD + "\n");

        hoard.fetch(FetchRequest.of(url).netrc(netrc));

        assertEquals(BASIC, servers.guarded().awaitAccessLog(1, LOG_WAIT).getFirst().authorization());
    }

    @Test
    void aCacheHitByDigestNeverReadsTheNetrcFileAndARequestToTheServerDoes() throws Exception {
        URI url = servers.putGuarded("basic/disk.img", BODY);
        FetchResult first = hoard.fetch(FetchRequest.of(GuardedServers.withLogin(url, USER, PASSWORD)));
        Path unreadable = Files.createDirectories(tmp.resolve("netrc-is-a-directory"));

        FetchResult hit = hoard.fetch(FetchRequest.of(url).digest(first.digest()).netrc(unreadable));
        IOException e = assertThrows(IOException.class, () -> hoard.fetch(FetchRequest.of(url).netrc(unreadable)));

        assertEquals(FetchStatus.USED_CACHE, hit.status());
        assertTrue(e.getMessage().contains(unreadable.toString()), e.getMessage());
    }

    @Test
    void withoutCredentialsA401FailsAtOnceSayingTheServerRequiresAuthentication() throws Exception {
        URI url = servers.putGuarded("basic/disk.img", BODY);

        DownloadException e = assertThrows(DownloadException.class, () -> hoard.fetch(FetchRequest.of(url)));

        assertEquals(401, e.httpStatus());
        assertEquals("HTTP 401 for " + url + ": the server at http://127.0.0.1:" + servers.guarded().port()
                + " requires authentication, and no credentials were given for it", e.getMessage());
        assertEquals(1, servers.guarded().awaitAccessLog(1, LOG_WAIT).size(), "not retried");
        assertEquals(List.of(), files(tmp.resolve("cache")).stream()
                .filter(f -> f.getFileName().toString().matches("[0-9a-f]{64}|meta\\.json")).toList(),
                "nothing cached");
    }

    @Test
    void wrongCredentialsAreRefusedWith401Or403AndTheMessageSaysTheyWereSent() throws Exception {
        URI basic = servers.putGuarded("basic/disk.img", BODY);
        URI token = servers.putGuarded("token/disk.img", BODY);

        DownloadException wrongPassword = assertThrows(DownloadException.class,
                () -> hoard.fetch(FetchRequest.of(GuardedServers.withLogin(basic, USER, "wrong"))));
        DownloadException wrongToken = assertThrows(DownloadException.class,
                () -> hoard.fetch(FetchRequest.of(token).headers(Map.of("Authorization", "Bearer wrong"))));

        assertEquals(401, wrongPassword.httpStatus());
        assertTrue(wrongPassword.getMessage().endsWith("requires authentication and did not accept the credentials "
                + "sent"), wrongPassword.getMessage());
        assertEquals(403, wrongToken.httpStatus());
        assertTrue(wrongToken.getMessage().endsWith("refused the credentials sent"), wrongToken.getMessage());
        assertFalse(wrongPassword.getMessage().contains("wrong") || wrongToken.getMessage().contains("wrong"));
    }

    @Test
    void aRedirectWithinTheHostKeepsTheCredentialsAndOneToAnotherHostDropsThem() throws Exception {
        servers.putGuarded("basic/disk.img", BODY);
        servers.putElsewhere("disk.img", BODY);
        URI moved = GuardedServers.withLogin(servers.guarded().url("/basic/moved/disk.img"), USER, PASSWORD);
        URI elsewhere = servers.guarded().url("/basic/elsewhere/disk.img");

        hoard.fetch(FetchRequest.of(moved));
        hoard.fetch(FetchRequest.of(GuardedServers.withLogin(elsewhere, USER, PASSWORD))
                .headers(Map.of("Cookie", "session=" + TOKEN)));

        List<AccessLogEntry> guarded = servers.guarded().awaitAccessLog(3, LOG_WAIT);
        assertEquals(List.of("/basic/moved/disk.img 302", "/basic/disk.img 200", "/basic/elsewhere/disk.img 302"),
                guarded.stream().map(e -> e.uri() + " " + e.status()).toList());
        assertTrue(guarded.stream().allMatch(e -> BASIC.equals(e.authorization())), guarded.toString());
        AccessLogEntry other = servers.elsewhere().awaitAccessLog(1, LOG_WAIT).getFirst();
        assertEquals(200, other.status());
        assertNull(other.authorization(), "no credentials for the other host");
    }

    @Test
    void aRefusalAfterARedirectToAnotherHostSaysTheCredentialsStayedBehind() throws Exception {
        URI elsewhere = servers.guarded().url("/basic/elsewhere/private/disk.img");
        URI guardedElsewhere = servers.putElsewhere("private/disk.img", BODY);

        DownloadException e = assertThrows(DownloadException.class, () -> hoard.fetch(FetchRequest.of(elsewhere)
                .headers(Map.of("Authorization", "Bearer " + TOKEN))));

        assertEquals("HTTP 401 for " + elsewhere + " (redirected to " + guardedElsewhere + "): the server at "
                + "http://127.0.0.2:" + servers.elsewhere().port() + " requires authentication; the credentials given "
                + "for http://127.0.0.1:" + servers.guarded().port() + " are not sent to another host a redirect "
                + "leads to", e.getMessage());
    }

    /** No file under {@code dir} holds the password or the token, nor their Basic encoding. */
    static void assertNoSecretUnder(Path dir) throws Exception {
        for (Path file : files(dir)) {
            String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (String secret : List.of(PASSWORD, TOKEN, BASIC.substring("Basic ".length()))) {
                assertFalse(content.contains(secret), file + " holds a secret");
            }
        }
    }

    private static List<Path> files(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}
