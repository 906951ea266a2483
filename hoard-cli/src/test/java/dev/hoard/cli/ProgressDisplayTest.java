package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.Fault;
import dev.hoard.testing.TestBytes;
import dev.hoard.testing.TestHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees on stderr: on a terminal (a real pseudo-terminal made by script(1)) lines redrawn in place with
 * percentages; in a file, plain lines with no escape codes. Each body takes about two seconds at the throttled rate,
 * so the display has something to draw.
 */
@ExtendWith(CacheInvariants.class)
class ProgressDisplayTest {
    private static final int SIZE = 2 * 1024 * 1024;
    private static final Pattern PERCENT = Pattern.compile("\\d{1,3}%");

    @TempDir
    Path tmp;

    private TestHttpServer server;
    @CacheDir
    String cacheDir;

    @BeforeEach
    void start() {
        server = TestHttpServer.start();
        server.put("/disk.img", TestBytes.random(SIZE));
        server.put("/other.img", TestBytes.random(SIZE + 1));
        server.throttle(1_000_000);
        cacheDir = tmp.resolve("cache").toString();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void onATerminalGetRedrawsOneLineInPlaceWithPercentRateAndEta() {
        Cli.Run run = Cli.terminal(tmp, "get", Map.of(), "get", "--cache-dir", cacheDir, url("/disk.img"));

        assertEquals(0, run.exitCode(), run.toString());
        String screen = run.stdout();
        assertTrue(screen.contains("\r\033[2Kdisk.img  "), screen); // back to column 0, erase, redraw
        assertTrue(PERCENT.matcher(screen).find(), screen);
        assertTrue(screen.contains("/s") && screen.contains("ETA "), screen);
        assertTrue(screen.contains("hoard: downloaded disk.img (2.0 MiB in "), screen);
        assertTrue(screen.contains(cacheDir + "/blobs/"), "the path is printed after the progress: " + screen);
    }

    @Test
    void onATerminalAWaiterShowsWhoDownloadsAndHowFarOutOfHowMuch() throws Exception {
        server.enqueue("/disk.img", Fault.stallAfter(SIZE / 2)); // the owner holds the lock at 50% until killed
        Process owner = Cli.fork(tmp, "owner", Map.of(), "get", "--cache-dir", cacheDir, url("/disk.img"));
        try {
            Cli.awaitPartial(tmp.resolve("cache"), 0, Duration.ofSeconds(60)); // it holds the lock mid-download

            Cli.Run waiter = Cli.terminal(tmp, "waiter", Map.of(), "get", "--lock-timeout", "3s", "--cache-dir",
                    cacheDir, url("/disk.img"));

            assertEquals(5, waiter.exitCode(), waiter.toString());
            String screen = waiter.stdout();
            assertTrue(screen.contains("\r\033[2Kdisk.img  waiting for pid " + owner.pid() + " on "), screen);
            assertTrue(Pattern.compile("MiB of 2\\.0 MiB \\(\\d{1,3}%\\)").matcher(screen).find(), screen);
            assertTrue(screen.contains("hoard: gave up after 3s waiting for " + url("/disk.img")), screen);
        } finally {
            owner.destroyForcibly();
            owner.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void onATerminalPrefetchShowsOneLinePerDownloadAndATotalLine() throws Exception {
        Path manifest = Files.writeString(tmp.resolve("list.txt"), url("/disk.img") + "\n" + url("/other.img") + "\n");

        Cli.Run run = Cli.terminal(tmp, "prefetch", Map.of(), "prefetch", "--cache-dir", cacheDir,
                manifest.toString());

        assertEquals(0, run.exitCode(), run.toString());
        String screen = run.stdout();
        assertTrue(screen.contains("\033[2Kdisk.img   "), screen);
        assertTrue(screen.contains("\033[2Kother.img  "), screen);
        assertTrue(screen.contains("\033[2Ktotal: 0 of 2 done, "), screen);
        assertTrue(screen.contains("\r\033[2A"), "back up over two lines to redraw three: " + screen);
        assertTrue(screen.contains("hoard: downloaded disk.img") && screen.contains("hoard: downloaded other.img"),
                screen);
    }

    @Test
    void inAFileGetWritesPlainStartAndEndLinesWithoutEscapeCodes() throws Exception {
        Process get = Cli.fork(tmp, "get", Map.of(), "get", "--cache-dir", cacheDir, url("/disk.img"));
        Cli.Run run = Cli.await(get, tmp, "get", 60);

        assertEquals(0, run.exitCode(), run.toString());
        assertFalse(run.stderr().contains("\033"), run.stderr());
        assertFalse(run.stderr().contains("\r"), run.stderr());
        String[] lines = run.stderr().split("\n");
        assertTrue(lines[0].equals("hoard: downloading " + url("/disk.img") + " (2.0 MiB)"), run.stderr());
        assertTrue(lines[lines.length - 1].startsWith("hoard: downloaded disk.img (2.0 MiB in "), run.stderr());
        assertTrue(lines.length <= 3, "at most one progress line in ~2 s: " + run.stderr());
    }

    @Test
    void quietOnATerminalPrintsOnlyTheResult() {
        Cli.Run run = Cli.terminal(tmp, "quiet", Map.of(), "get", "-q", "--cache-dir", cacheDir, url("/disk.img"));

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.stdout().matches("\\S+/blobs/[0-9a-f]{64}\\r?\\n"), run.stdout());
    }

    @Test
    void aCacheHitOnATerminalLoadsNoYamlParserAndStartsNoProcess() throws Exception {
        server.throttle(0);
        Cli.Run first = Cli.run("get", "-q", "--json", "--cache-dir", cacheDir, url("/disk.img"));
        String digest = first.stdout().replaceAll(".*\"digest\":\"(sha256:[0-9a-f]+)\".*\\s*", "$1");
        Path classLog = tmp.resolve("classes.log");

        Cli.Run hit = Cli.terminal(tmp, "hit", Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + classLog),
                "get", "--cache-dir", cacheDir, "-d", digest, url("/disk.img"));

        assertEquals(0, hit.exitCode(), hit.toString());
        String classes = Files.readString(classLog);
        assertTrue(classes.contains("dev.hoard.cli.progress.LiveProgress"), "the hit ran on a terminal");
        assertFalse(classes.contains("org.snakeyaml"), "a get loaded SnakeYAML");
        // (ProcessImpl itself is loaded by System.getenv; a spawned process needs a ProcessBuilder.)
        assertFalse(classes.contains("java.lang.ProcessBuilder "), "a hit ran stty or another process");
        assertFalse(classes.contains("java.lang.ThreadBuilders$PlatformThreadBuilder"), "a hit started the redraw thread");
    }

    private String url(String path) {
        return server.url(path).toString();
    }
}
