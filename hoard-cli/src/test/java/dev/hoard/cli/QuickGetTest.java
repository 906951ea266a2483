package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.CacheDir;
import dev.hoard.testing.CacheInvariants;
import dev.hoard.testing.TestHttpServer;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/** {@link QuickGet} reads every command line it accepts exactly as picocli does, and leaves the rest to picocli. */
@ExtendWith(CacheInvariants.class)
class QuickGetTest {
    private static final String URL = "http://127.0.0.1:9/images/disk.img";

    @TempDir
    Path tmp;

    @CacheDir
    Path cache;

    @BeforeEach
    void setUp() {
        cache = tmp.resolve("cache");
    }

    @Test
    void everyOptionOfGetIsEitherReadAsPicocliReadsItOrLeftToPicocli() throws Exception {
        CommandSpec get = new CommandLine(new HoardCommand()).getSubcommands().get("get").getCommandSpec();
        Set<String> handled = new TreeSet<>();
        for (OptionSpec option : get.options()) {
            String sample = sample(option);
            for (String name : option.names()) {
                for (List<String> args : forms(name, sample, option)) {
                    Optional<GetCommand> quick = QuickGet.parse(args.toArray(String[]::new));
                    if (quick.isPresent()) {
                        assertSameFields(picocli(args), quick.get(), args.toString());
                        handled.add(name);
                    }
                }
            }
        }
        // Not vacuous: every option of get that QuickGet knows is handled; options added later may be declined.
        assertEquals(new TreeSet<>(List.of("-o", "--output", "-d", "--digest", "--checksums", "--decompress",
                "--cache-dir", "--no-cache", "--offline", "--lock-timeout", "--retries", "--connections",
                "--connect-timeout", "--read-timeout", "--proxy", "--no-proxy", "--cacert",
                "--allow-insecure-redirects", "--no-file-locks", "--json", "-q", "--quiet", "-H", "--header",
                "--netrc-file")),
                handled);
    }

    @Test
    void defaultsAndMirrorsAreWhatPicocliGives() throws Exception {
        for (List<String> args : List.of(
                List.of("get", URL),
                List.of("get", URL, URL + ".mirror1", URL + ".mirror2"),
                List.of("get", "-q", "--json", "--cache-dir", "c", "-d", "sha256:00", "-o", "out.img", URL, URL + ".m"),
                List.of("get", URL, "--output=out.img", "--retries=0", "--lock-timeout", "500ms"),
                List.of("get", "--connections", "8", "-d", "sha256:00", URL),
                List.of("get", "-H", "Authorization: Bearer t0ken", "--header=Cookie: a=b", URL, "--netrc-file",
                        "n"))) {
            Optional<GetCommand> quick = QuickGet.parse(args.toArray(String[]::new));
            assertTrue(quick.isPresent(), args.toString());
            assertSameFields(picocli(args), quick.get(), args.toString());
        }
    }

    @Test
    void leavesToPicocliWhatItDoesNotRecogniseWithCertainty() {
        for (List<String> args : List.of(
                List.of("get"),
                List.of("get", "--help"),
                List.of("get", "-h", URL),
                List.of("get", "-V"),
                List.of("get", URL, "--output"),
                List.of("get", "-o", "a", "--output", "b", URL),
                List.of("get", "-q", "--quiet", URL),
                List.of("get", "-qo", "out", URL),
                List.of("get", "-oout", URL),
                List.of("get", "-o=out", URL),
                List.of("get", "--", URL),
                List.of("get", "@args.txt"),
                List.of("get", "-o", "-x", URL),
                List.of("get", "--bogus", URL),
                List.of("get", "--json=true", URL),
                List.of("get", "--retries", "many", URL),
                List.of("get", "--connections", "0x8", URL),
                List.of("get", "--lock-timeout", "5y", URL),
                List.of("get", "-o", "nul\0byte", URL))) {
            assertEquals(Optional.empty(), QuickGet.parse(args.toArray(String[]::new)), args.toString());
        }
    }

    @Test
    void aCacheHitWithADigestDoesNotStartPicocli() throws Exception {
        byte[] body = "a cached file\n".getBytes();
        try (TestHttpServer server = TestHttpServer.start()) {
            server.put("/file", body);
            String url = server.url("/file").toString();
            Cli.Run download = Cli.run("get", "-q", "--json", "--cache-dir", cache.toString(), url);
            assertEquals(0, download.exitCode(), download.toString());
            String digest = download.stdout().replaceAll(".*\"digest\":\"(sha256:[0-9a-f]+)\".*\\s*", "$1");

            Path log = tmp.resolve("classes.log");
            Process hit = Cli.fork(tmp, "hit", Map.of(), List.of("-Xlog:class+load=info:file=" + log),
                    "get", "-d", digest, "--cache-dir", cache.toString(), url);
            Cli.Run run = Cli.await(hit, tmp, "hit", 120);

            assertEquals(0, run.exitCode(), run.toString());
            assertEquals(cache.resolve("blobs").resolve(digest.substring("sha256:".length())) + "\n", run.stdout());
            assertEquals("", run.stderr());
            String loaded = Files.readString(log);
            assertTrue(loaded.contains("dev.hoard.cli.QuickGet"), "the log lists loaded classes");
            // Verifying HoardCommand loads a few of picocli's exception and handler types; nothing builds a model.
            assertFalse(loaded.contains("picocli.CommandLine source:") || loaded.contains("picocli.CommandLine$Model"),
                    "a hit does not build picocli's model");
        }
    }

    @Test
    void failuresGiveTheSameMessageAndExitCodeAsThroughPicocli() {
        Cli.Run quick = Cli.run("get", "-d", "md5:00", URL);
        assertEquals(2, quick.exitCode(), quick.toString());
        assertEquals("hoard: ", quick.stderr().substring(0, 7));
        // "--" makes QuickGet decline, so picocli runs the same command.
        Cli.Run picocli = Cli.run("get", "-d", "md5:00", "--", URL);
        assertEquals(picocli.exitCode(), quick.exitCode());
        assertEquals(picocli.stderr(), quick.stderr());
    }

    /** A value picocli converts for the option's type, or null for a flag. */
    private static String sample(OptionSpec option) {
        Class<?> type = option.type();
        if (type == boolean.class || type == Boolean.class) {
            return null;
        }
        if (type == Path.class) {
            return "some dir/out.img";
        }
        if (type == Duration.class) {
            return "90s";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "7";
        }
        return "sha256:" + "ab".repeat(32);
    }

    /** The option spelled as users do: before and after the URL, and with '=' for long names. */
    private static List<List<String>> forms(String name, String sample, OptionSpec option) {
        List<List<String>> forms = new ArrayList<>();
        if (option.usageHelp() || option.versionHelp()) {
            return forms;
        }
        if (sample == null) {
            forms.add(List.of("get", name, URL));
            forms.add(List.of("get", URL, name));
        } else {
            forms.add(List.of("get", name, sample, URL));
            forms.add(List.of("get", URL, name, sample));
            if (name.startsWith("--")) {
                forms.add(List.of("get", name + "=" + sample, URL));
            }
        }
        return forms;
    }

    private static GetCommand picocli(List<String> args) {
        CommandLine.ParseResult result = new CommandLine(new HoardCommand()).parseArgs(args.toArray(String[]::new));
        return (GetCommand) result.subcommand().commandSpec().userObject();
    }

    /** Every field, and the fields of every mixin, hold equal values (picocli's own @Spec fields aside). */
    private static void assertSameFields(Object expected, Object actual, String where) throws IllegalAccessException {
        for (Field field : expected.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) || field.isAnnotationPresent(CommandLine.Spec.class)) {
                continue;
            }
            field.setAccessible(true);
            Object e = field.get(expected);
            Object a = field.get(actual);
            if (e != null && e.getClass().getPackageName().equals(QuickGet.class.getPackageName())) {
                assertSameFields(e, a, where + " " + field.getName() + ".");
            } else {
                assertEquals(e, a, where + ": " + field.getName());
            }
        }
    }
}
