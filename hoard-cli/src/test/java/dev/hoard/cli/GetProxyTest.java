package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.AccessLogEntry;
import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Hashes;
import dev.hoard.testing.Nginx;
import dev.hoard.testing.Squid;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * hoard behind a real squid, configured as users configure it: curl's environment variables given to a forked
 * hoard, or --proxy and --no-proxy. squid reaches the origin (a real nginx, http and https) from 127.0.0.2, so the
 * origin's log shows which requests came through squid, and that none went around it; squid's log shows what it
 * forwarded, for whom.
 */
@Timeout(120)
@ExtendWith(CacheInvariants.class)
class GetProxyTest {
    private static final byte[] SMALL = TestBytes.random(200_000);
    private static final byte[] LARGE = TestBytes.random(6 * 1024 * 1024);
    private static final byte[] MEDIUM = TestBytes.random(3 * 1024 * 1024);
    private static final String DIRECT = "127.0.0.1";

    @TempDir
    static Path root;
    @TempDir
    Path tmp;
    /** The cache of most runs, also the one hoard() gives a run whose environment names none. */
    @CacheDir
    Path cache;
    /** The cache of a test's second run, where it must not find the first one's files. */
    @CacheDir
    Path secondCache;
    private static Squid squid;
    private static Nginx nginx;
    private static Nginx slow;
    private static Path ca;

    @BeforeAll
    static void start() throws IOException {
        Nginx.assumeAvailable();
        Squid.assumeAvailable();
        TestCertificates.assumeAvailable();
        Files.write(root.resolve("small.img"), SMALL);
        Files.write(root.resolve("large.img"), LARGE);
        Files.write(root.resolve("medium.img"), MEDIUM);
        ca = TestCertificates.get().ca();
        nginx = Nginx.startTls(root, TestCertificates.get().valid());
        slow = Nginx.start(root, 1_500_000); // 2 s for the medium file: time to kill it midway
        squid = Squid.start();
    }

    @AfterAll
    static void stop() {
        if (squid != null) {
            squid.close();
        }
        Stream.of(nginx, slow).filter(n -> n != null).forEach(Nginx::close);
    }

    @BeforeEach
    void forgetOtherTestsRequests() {
        squid.clearAccessLog();
        cache = tmp.resolve("cache");
        secondCache = tmp.resolve("cache-2");
    }

    /**
     * Each run names one squid port for http and the other, with credentials, for https, in upper and lower case: the
     * port squid logs shows which variable each request followed. The tunnel is first: once a plain request has
     * authenticated, the JDK sends the cached credentials with a CONNECT unasked, and the tunnel's own answer to a
     * 407 would go untested.
     */
    @Test
    void eachSchemeGoesThroughTheProxyItsVariableNamesInEitherCaseWithItsCredentials() throws Exception {
        URI http = nginx.url("/small.img");
        URI https = nginx.httpsUrl("/small.img");
        Path manifest = Files.writeString(tmp.resolve("both.txt"), https + "\n" + http + "\n");
        String authenticated = squid.url(Squid.USER, Squid.PASSWORD);
        List<Map<String, String>> runs = List.of(
                Map.of("HTTP_PROXY", squid.url(), "https_proxy", authenticated),
                Map.of("http_proxy", authenticated, "HTTPS_PROXY", squid.url()));
        for (Map<String, String> variables : runs) {
            squid.clearAccessLog();
            int before = nginx.accessLog().size();
            Map<String, String> env = new HashMap<>(variables);
            env.put("SSL_CERT_FILE", ca.toString());
            env.put("HOARD_CACHE_DIR", (runs.indexOf(variables) == 0 ? cache : secondCache).toString());

            Cli.Run run = hoard("run" + runs.indexOf(variables), env, "prefetch", "--jobs", "1",
                    manifest.toString());

            assertEquals(0, run.exitCode(), variables + ": " + run);
            assertAllThroughSquid(originSince(before, 2), variables.toString());
            boolean httpsAuthenticated = variables.containsKey("https_proxy");
            List<String> forwarded = squid.awaitAccessLog(2, e -> e.status() != 407, Duration.ofSeconds(5)).stream()
                    .map(e -> e.method() + " " + e.url() + " " + e.user() + " "
                            + (e.port() == squid.authPort() ? "auth" : "open")).sorted().toList();
            assertEquals(List.of("CONNECT 127.0.0.1:" + nginx.tlsPort() + (httpsAuthenticated ? " hoard auth"
                    : " null open"), "GET " + http + (httpsAuthenticated ? " null open" : " hoard auth")),
                    forwarded, variables.toString());
            assertFalse(run.stdout().contains(Squid.PASSWORD) || run.stderr().contains(Squid.PASSWORD),
                    run.toString());
        }
    }

    @Test
    void aRevalidationGoesThroughTheProxyAndGetsA304() throws Exception {
        Map<String, String> env = Map.of("http_proxy", squid.url());
        String url = nginx.url("/small.img").toString();
        assertEquals(0, hoard("first", env, "get", url).exitCode());
        int before = nginx.accessLog().size();

        Cli.Run again = hoard("again", env, "get", "--json", url);

        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.stdout().contains("\"status\":\"used-cache\""), again.stdout());
        List<AccessLogEntry> revalidation = originSince(before, 1);
        assertEquals(304, revalidation.get(0).status(), revalidation.toString());
        assertAllThroughSquid(revalidation, "the revalidation");
    }

    @Test
    void hostsInNoProxyAreFetchedDirectlyUnlessNoProxyIsOverriddenWithNone() throws Exception {
        Path manifest = Files.writeString(tmp.resolve("both.txt"), nginx.url("/small.img") + "\n"
                + nginx.httpsUrl("/small.img") + "\n");
        Map<String, String> env = Map.of("HTTP_PROXY", squid.url(), "HTTPS_PROXY", squid.url(),
                "NO_PROXY", "localhost, .example.org, 127.0.0.0/8", "SSL_CERT_FILE", ca.toString());
        int before = nginx.accessLog().size();

        Cli.Run direct = hoard("direct", env, "prefetch", "--cache-dir", cache.toString(),
                manifest.toString());

        assertEquals(0, direct.exitCode(), direct.toString());
        List<AccessLogEntry> origin = originSince(before, 2);
        assertTrue(origin.stream().allMatch(e -> e.remoteAddress().equals(DIRECT)), origin.toString());
        assertEquals(List.of(), squid.accessLog(), "squid saw nothing");

        before = nginx.accessLog().size();
        Cli.Run proxied = hoard("proxied", env, "prefetch", "--no-proxy", "", "--cache-dir",
                secondCache.toString(), manifest.toString());

        assertEquals(0, proxied.exitCode(), proxied.toString());
        assertAllThroughSquid(originSince(before, 2), "with --no-proxy ''");
        assertEquals(2, squid.awaitAccessLog(2, Duration.ofSeconds(5)).size());
    }

    @Test
    void theProxyOptionOverridesTheEnvironment() throws Exception {
        int before = nginx.accessLog().size();
        Cli.Run run = hoard("option", Map.of("HTTPS_PROXY", "http://127.0.0.1:9", "SSL_CERT_FILE", ca.toString()),
                "get", "--proxy", squid.url(), nginx.httpsUrl("/small.img").toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertAllThroughSquid(originSince(before, 1), "--proxy");
    }

    @Test
    void theJvmsProxyPropertiesStillWorkWhenNeitherEnvironmentNorOptionNamesAProxy() throws Exception {
        int before = nginx.accessLog().size();
        Process process = Cli.fork(tmp, "jvm", Map.of("HOARD_CACHE_DIR", cache.toString()),
                List.of("-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=" + squid.port(), "-Dhttp.nonProxyHosts="),
                "get", nginx.url("/small.img").toString());
        Cli.Run run = Cli.await(process, tmp, "jvm", 60);

        assertEquals(0, run.exitCode(), run.toString());
        assertAllThroughSquid(originSince(before, 1), "-Dhttp.proxyHost");
        assertEquals("GET", squid.awaitAccessLog(1, Duration.ofSeconds(5)).get(0).method());
    }

    @Test
    void a407SaysWhichProxyRefusedAndHowToGiveCredentialsAndIsNotRetried() throws Exception {
        URI https = nginx.httpsUrl("/small.img");
        Cli.Run anonymous = hoard("anonymous", Map.of("HTTPS_PROXY", squid.authUrl(), "SSL_CERT_FILE",
                ca.toString()), "get", https.toString());

        assertEquals(4, anonymous.exitCode(), anonymous.toString());
        assertEquals("hoard: proxy http://127.0.0.1:" + squid.authPort() + " refused " + https + " with HTTP 407 "
                + "Proxy Authentication Required; it needs a user name and password: give them in the proxy's URL, "
                + "http://USER:PASSWORD@127.0.0.1:" + squid.authPort() + " (percent-encoded) (the proxy's URL goes in "
                + "--proxy, or in http_proxy, HTTPS_PROXY or ALL_PROXY)\n", anonymous.stderr());
        assertEquals(1, squid.awaitAccessLog(1, Duration.ofSeconds(5)).size(), "asked once: " + squid.accessLog());

        squid.clearAccessLog();
        URI http = nginx.url("/small.img");
        String wrong = "wrong%2Fsecret";
        Cli.Run refused = hoard("refused", Map.of("HTTP_PROXY", squid.url(Squid.USER, "x").replace(":x@", ":"
                + wrong + "@")), "get", http.toString());

        assertEquals(4, refused.exitCode(), refused.toString());
        assertEquals("hoard: proxy http://127.0.0.1:" + squid.authPort() + " refused " + http + " with HTTP 407 "
                + "Proxy Authentication Required; it did not accept the password of user 'hoard' given in the "
                + "proxy's URL (the proxy's URL goes in --proxy, or in http_proxy, HTTPS_PROXY or ALL_PROXY)\n",
                refused.stderr());
        assertFalse(refused.stderr().contains("secret"), refused.stderr());
        List<Squid.Entry> attempts = squid.awaitAccessLog(1, Duration.ofSeconds(5));
        assertTrue(attempts.size() <= 2, "the password was offered once, not retried: " + attempts);
    }

    @Test
    void aProxyThatCannotReachTheServerIsRetriedAndNamed() throws Exception {
        int closed = freePort();
        URI url = URI.create("https://127.0.0.1:" + closed + "/small.img");

        Cli.Run run = hoard("unreachable", Map.of("HTTPS_PROXY", squid.url()), "get", "--retries", "1",
                url.toString());

        assertEquals(4, run.exitCode(), run.toString());
        assertTrue(run.stderr().contains("proxy http://127.0.0.1:" + squid.port() + " answered HTTP 503 Service "
                + "Unavailable when asked for a tunnel to 127.0.0.1:" + closed + " (gave up after 1 retries)"),
                run.stderr());
        assertEquals(2, squid.awaitAccessLog(2, e -> e.method().equals("CONNECT"), Duration.ofSeconds(5)).size(),
                "retried once: " + squid.accessLog());
    }

    @Test
    void aSegmentedDownloadOverHttpsUsesOneAuthenticatedTunnelPerConnection() throws Exception {
        String proxy = squid.url(Squid.USER, Squid.PASSWORD);
        String digest = "sha256:" + Hashes.sha256Hex(LARGE);
        int before = nginx.accessLog().size();

        Cli.Run run = hoard("segmented", Map.of("HTTPS_PROXY", proxy, "SSL_CERT_FILE", ca.toString()),
                "get", "--connections", "4", "-d", digest, "-o", tmp.resolve("large.img").toString(),
                nginx.httpsUrl("/large.img").toString());

        assertEquals(0, run.exitCode(), run.toString());
        assertArrayEquals(LARGE, Files.readAllBytes(tmp.resolve("large.img")));
        List<AccessLogEntry> origin = originSince(before, 4);
        assertTrue(origin.stream().filter(e -> e.status() == 206).count() >= 4, origin.toString());
        assertAllThroughSquid(origin, "the segments");
        List<Squid.Entry> tunnels = squid.awaitAccessLog(4, e -> e.method().equals("CONNECT") && e.status() == 200,
                Duration.ofSeconds(5));
        assertTrue(tunnels.size() >= 4, "one tunnel per connection: " + squid.accessLog());
        assertTrue(tunnels.stream().allMatch(e -> Squid.USER.equals(e.user())), tunnels.toString());
    }

    @Test
    void aDownloadKilledMidwayResumesThroughTheProxy() throws Exception {
        Map<String, String> env = Map.of("HTTP_PROXY", squid.url());
        String url = slow.url("/medium.img").toString();
        Process owner = Cli.fork(tmp, "owner", env, "get", "--connections", "1", "--cache-dir", cache.toString(),
                url);
        Cli.awaitPartial(cache, MEDIUM.length / 4, Duration.ofSeconds(30));
        owner.destroyForcibly().waitFor(); // SIGKILL
        int before = slow.accessLog().size();

        Cli.Run next = hoard("next", env, "get", "--json", "--cache-dir", cache.toString(), url);

        assertEquals(0, next.exitCode(), next.toString());
        assertTrue(next.stderr().contains("resuming medium.img at "), next.stderr());
        assertTrue(next.stdout().contains("\"digest\":\"sha256:" + Hashes.sha256Hex(MEDIUM) + "\""), next.stdout());
        List<AccessLogEntry> resumed = slow.awaitAccessLog(before + 1, Duration.ofSeconds(5));
        AccessLogEntry resume = resumed.get(resumed.size() - 1);
        assertEquals(206, resume.status(), resumed.toString());
        assertTrue(resume.range().matches("bytes=[1-9][0-9]*-"), resume.range());
        assertAllThroughSquid(resumed, "the killed download and its resumption");
        assertTrue(squid.accessLog().stream().anyMatch(e -> resume.range().equals(e.range())), squid.accessLog()
                .toString());
    }

    /**
     * Runs {@code hoard args} in a new JVM with {@code env} added to this one's (which has no proxy variables), on
     * this test's cache unless {@code env} names another.
     */
    private Cli.Run hoard(String name, Map<String, String> env, String... args) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("HOARD_RETRY_DELAY", "50ms");
        all.putIfAbsent("HOARD_CACHE_DIR", cache.toString());
        return Cli.await(Cli.fork(tmp, name, all, args), tmp, name, 60);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The origin's log lines after the first {@code skip}, waiting for at least {@code count} of them. */
    private static List<AccessLogEntry> originSince(int skip, int count) {
        List<AccessLogEntry> all = nginx.awaitAccessLog(skip + count, Duration.ofSeconds(5));
        return all.subList(skip, all.size());
    }

    private static void assertAllThroughSquid(List<AccessLogEntry> entries, String what) {
        assertFalse(entries.isEmpty(), what + ": no request reached the origin");
        assertTrue(entries.stream().allMatch(e -> e.remoteAddress().equals(Squid.OUTGOING_ADDRESS)),
                what + ": every request came through squid (from " + Squid.OUTGOING_ADDRESS + "): " + entries);
    }
}
