package dev.hoard.cli;

import static dev.hoard.testing.GuardedServers.PASSWORD;
import static dev.hoard.testing.GuardedServers.TOKEN;
import static dev.hoard.testing.GuardedServers.USER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.AccessLogEntry;
import dev.hoard.testing.GuardedServers;
import dev.hoard.testing.Hashes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials on the command line, against a real nginx that asks for them: in the URL, in a netrc file, in a header;
 * for get, --checksums and prefetch. After every test, no file in the cache and nothing any run printed holds the
 * password, the token or their Basic encoding.
 */
class CredentialsCliTest {
    private static final byte[] BODY = randomBytes(200_000);
    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    private static final List<String> SECRETS = List.of(PASSWORD, TOKEN, BASIC.substring("Basic ".length()));
    private static final Duration LOG_WAIT = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    private GuardedServers servers;
    private TestCache cache;
    private final List<Cli.Run> runs = new ArrayList<>();

    @BeforeEach
    void start() {
        servers = GuardedServers.start(tmp.resolve("www"));
        cache = new TestCache(tmp.resolve("cache"));
    }

    @AfterEach
    void noSecretWasWrittenOrPrinted() throws Exception {
        try {
            for (Cli.Run run : runs) {
                SECRETS.forEach(secret -> assertFalse(run.stdout().contains(secret) || run.stderr().contains(secret),
                        "a run printed a secret:\n" + run));
            }
            try (Stream<Path> files = Files.walk(tmp.resolve("cache"))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                    SECRETS.forEach(secret -> assertFalse(content.contains(secret), file + " holds a secret"));
                }
            }
        } finally {
            if (servers != null) {
                servers.close();
            }
        }
    }

    @Test
    void aLoginInTheUrlDownloadsAndTheUrlWithoutItIsTheSameEntry() {
        URI url = servers.putGuarded("basic/disk.img", BODY);
        URI withLogin = GuardedServers.withLogin(url, USER, PASSWORD);

        Cli.Run first = run(0, "get", "--json", withLogin.toString());
        Cli.Run second = run(0, "get", "--json", url.toString());

        assertTrue(first.stdout().startsWith("{\"status\":\"downloaded\",\"url\":\"" + url + "\""), first.stdout());
        assertTrue(first.stderr().contains("downloading " + url), "progress names the bare URL:\n" + first.stderr());
        // Without credentials the revalidation is refused, and the cached copy is used with a warning.
        assertTrue(second.stdout().startsWith("{\"status\":\"used-cache\",\"url\":\"" + url + "\""), second.stdout());
        assertTrue(second.stderr().contains("HTTP 401"), second.stderr());
        assertEquals(List.of(url.toString()), cache.list().stream().map(e -> e.get("url")).toList());
        Cli.Run ls = run(0, "ls");
        assertEquals(3, ls.stdout().lines().count(), "a header, one entry, the totals:\n" + ls.stdout());
        assertEquals(BASIC, servers.guarded().awaitAccessLog(1, LOG_WAIT).getFirst().authorization());
        assertTrue(run(0, "rm", withLogin.toString()).stdout().startsWith("removed " + url + " ("), "rm finds it");
    }

    @Test
    void aNetrcFileLogsInWhetherGivenWithTheOptionOrInNetrc() throws Exception {
        URI url = servers.putGuarded("basic/disk.img", BODY);
        Path netrc = Files.writeString(tmp.resolve("netrc"), "machine 127.0.0.1 login " + USER + " password "
                + PASSWORD + "\n");

        run(0, "get", "-q", "--netrc-file", netrc.toString(), "-o", tmp.resolve("a.img").toString(), url.toString());
        Cli.Run forked = Cli.await(Cli.fork(tmp, "netrc", Map.of("NETRC", netrc.toString()), "get", "--json",
                "--no-cache", "-o", tmp.resolve("b.img").toString(), url.toString()), tmp, "netrc", 60);
        runs.add(forked);

        assertEquals(0, forked.exitCode(), forked.toString());
        assertTrue(forked.stdout().startsWith("{\"status\":\"downloaded\""), forked.stdout());
        List<AccessLogEntry> log = servers.guarded().awaitAccessLog(2, LOG_WAIT);
        assertEquals(List.of(BASIC, BASIC), log.stream().map(AccessLogEntry::authorization).toList());
    }

    @Test
    void aHeaderGoesToItsHostAndNotToTheHostARedirectLeadsTo() {
        servers.putGuarded("token/disk.img", BODY);
        servers.putElsewhere("disk.img", BODY);
        URI token = servers.guarded().url("/token/disk.img");
        URI elsewhere = servers.guarded().url("/basic/elsewhere/disk.img");

        run(0, "get", "-q", "-H", "Authorization: Bearer " + TOKEN, token.toString());
        run(0, "get", "-q", "--header", "Authorization: Bearer " + TOKEN, "--header", "Cookie: s=" + TOKEN,
                elsewhere.toString());

        List<AccessLogEntry> guarded = servers.guarded().awaitAccessLog(2, LOG_WAIT);
        assertEquals(List.of("Bearer " + TOKEN, "Bearer " + TOKEN),
                guarded.stream().map(AccessLogEntry::authorization).toList());
        AccessLogEntry other = servers.elsewhere().awaitAccessLog(1, LOG_WAIT).getFirst();
        assertEquals(200, other.status());
        assertNull(other.authorization());
    }

    @Test
    void withoutCredentialsA401ExitsFourSayingWhoAskedAndHowToGiveThem() {
        URI url = servers.putGuarded("basic/disk.img", BODY);

        Cli.Run refused = run(4, "get", "-q", url.toString());
        Cli.Run wrongToken = run(4, "get", "-q", "-H", "Authorization: Bearer nope",
                servers.putGuarded("token/disk.img", BODY).toString());
        Cli.Run malformed = run(2, "get", "-q", "-H", "Bearer " + TOKEN, url.toString());

        assertEquals("hoard: HTTP 401 for " + url + ": the server at http://127.0.0.1:" + servers.guarded().port()
                + " requires authentication, and no credentials were given for it; credentials go in the URL as "
                + "user:password@, in ~/.netrc (or --netrc-file FILE) for its host, or in --header 'Authorization: "
                + "Bearer TOKEN'\n", refused.stderr());
        assertTrue(wrongToken.stderr().contains("HTTP 403") && wrongToken.stderr().contains("refused the "
                + "credentials sent"), wrongToken.stderr());
        assertTrue(malformed.stderr().startsWith("hoard: --header needs 'NAME: VALUE'"), malformed.stderr());
        // (An empty partial may stay behind, as after any HTTP failure; nothing is complete.)
        assertTrue(cache.list().stream().noneMatch(e -> "complete".equals(e.get("state"))), "nothing was cached");
    }

    @Test
    void aProtectedChecksumFileOnTheSameHostIsFetchedWithTheImagesLogin() {
        URI image = servers.putGuarded("basic/disk.img", BODY);
        URI sums = servers.putGuarded("basic/SHA256SUMS", (Hashes.sha256Hex(BODY) + " *disk.img\n")
                .getBytes(StandardCharsets.UTF_8));

        Cli.Run run = run(0, "get", "--json", "-q", "--checksums", sums.toString(),
                GuardedServers.withLogin(image, USER, PASSWORD).toString());

        assertTrue(run.stdout().contains("\"digest\":\"sha256:" + Hashes.sha256Hex(BODY) + "\""), run.stdout());
        List<AccessLogEntry> log = servers.guarded().awaitAccessLog(2, LOG_WAIT);
        assertEquals(List.of("/basic/SHA256SUMS 200 " + BASIC, "/basic/disk.img 200 " + BASIC),
                log.stream().map(e -> e.uri() + " " + e.status() + " " + e.authorization()).toList());
    }

    @Test
    void prefetchSendsEachItemsHeadersAndTheNetrcFileServesEveryItem() throws Exception {
        URI token = servers.putGuarded("token/a.img", BODY);
        URI basic = servers.putGuarded("basic/b.img", BODY);
        URI viaNetrc = servers.putGuarded("basic/c.img", BODY);
        Path manifest = Files.writeString(tmp.resolve("images.yaml"), """
                - url: %s
                  headers:
                    Authorization: Bearer %s
                - url: %s
                - url: %s
                """.formatted(token, TOKEN, GuardedServers.withLogin(basic, USER, "wrong-but-netrc-is-not-used"),
                viaNetrc));
        Path netrc = Files.writeString(tmp.resolve("netrc"), "default login " + USER + " password " + PASSWORD
                + "\n");

        Cli.Run run = run(4, "prefetch", "--json", "--netrc-file", netrc.toString(), manifest.toString());

        List<String> statuses = run.stdout().lines().filter(line -> line.contains("\"status\""))
                .map(line -> line.replaceAll(".*\"status\":\"([a-z-]+)\".*", "$1")).toList();
        assertEquals(List.of("downloaded", "failed", "downloaded"), statuses, run.toString());
        assertTrue(run.stdout().contains("HTTP 401 for " + basic + ": "), "the URL's own login wins, and fails");
        assertFalse(run.stdout().contains("wrong-but"), run.stdout());
    }

    private Cli.Run run(int exitCode, String... args) {
        Cli.Run run = cache.runExpecting(exitCode, args);
        runs.add(run);
        return run;
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(5).nextBytes(bytes);
        return bytes;
    }
}
