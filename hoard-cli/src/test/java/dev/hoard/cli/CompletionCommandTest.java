package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoard.testing.Fish;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoard completion}: bash itself sources the printed script and completes command lines with it, as it does
 * when a user presses Tab (COMP_WORDS, COMP_CWORD and COMP_LINE set, the completion function called, COMPREPLY read);
 * fish does the same with {@code complete -C}. (zsh runs the bash script through its bashcompinit, and is not driven
 * here.)
 */
class CompletionCommandTest {
    private static final Path BASH = Path.of("/bin/bash");

    @TempDir
    Path tmp;

    private Path script;

    @BeforeEach
    void printTheBashScript() throws IOException {
        Cli.Run run = Cli.run("completion", "bash");
        assertEquals(0, run.exitCode(), run.toString());
        script = Files.writeString(tmp.resolve("hoard.bash"), run.stdout());
    }

    @Test
    void bashCompletesACommandFromItsFirstLetters() throws Exception {
        assertEquals(List.of("prefetch", "prune"), complete("hoard pr"));
    }

    @Test
    void bashCompletesTheOptionsOfTheCommandBeingTyped() throws Exception {
        List<String> options = complete("hoard get --con");
        assertTrue(options.contains("--connections"), options.toString());
        assertTrue(options.stream().allMatch(o -> o.startsWith("--con")), options.toString());
        assertEquals(List.of("--jobs"), complete("hoard prefetch --jo"));
    }

    @Test
    void bashCompletesFileNamesWhereAnOptionTakesAPath() throws Exception {
        Files.createFile(tmp.resolve("disk-image.qcow2"));
        assertEquals(List.of(tmp + "/disk-image.qcow2"), complete("hoard get -o " + tmp + "/disk-"));
    }

    @Test
    void zshGetsTheBashScriptWhichLoadsBashcompinitItself() {
        Cli.Run zsh = Cli.run("completion", "zsh");
        assertEquals(0, zsh.exitCode(), zsh.toString());
        assertEquals(Cli.run("completion", "bash").stdout(), zsh.stdout());
        assertTrue(zsh.stdout().contains("bashcompinit"), zsh.stdout());
    }

    @Test
    void fishCompletesCommandsOptionsShellsAndFileNames() throws Exception {
        Path fish = Fish.binary();
        Cli.Run run = Cli.run("completion", "fish");
        assertEquals(0, run.exitCode(), run.toString());
        Path fishScript = Files.writeString(tmp.resolve("hoard.fish"), run.stdout());
        Files.createFile(tmp.resolve("disk-image.qcow2"));

        assertEquals(List.of("prefetch", "prune"), completeInFish(fish, fishScript, "hoard pr"));
        List<String> options = completeInFish(fish, fishScript, "hoard get --con");
        assertTrue(options.contains("--connections"), options.toString());
        assertTrue(options.stream().allMatch(o -> o.startsWith("--con")), options.toString());
        assertEquals(List.of("bash", "fish", "zsh"), completeInFish(fish, fishScript, "hoard completion "));
        assertEquals(List.of(tmp + "/disk-image.qcow2"),
                completeInFish(fish, fishScript, "hoard get -o " + tmp + "/disk-"));
    }

    @Test
    void anUnknownShellIsAUsageError() {
        Cli.Run run = Cli.run("completion", "tcsh");
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals("hoard: unknown shell 'tcsh'; hoard completes bash, zsh and fish",
                run.stderr().lines().findFirst().orElse(""));
        assertEquals("", run.stdout());
    }

    /** What fish offers for the end of {@code line} ({@code complete -C}), without the descriptions. */
    private List<String> completeInFish(Path fish, Path fishScript, String line) throws Exception {
        String out = runShell(fish.toString(), "--no-config", "-c", "source $argv[1]; complete -C $argv[2]",
                fishScript.toString(), line);
        return out.lines().map(l -> l.split("\t", 2)[0]).sorted().toList();
    }

    /** What bash offers for the last word of {@code line} (a trailing space starts a new, empty word). */
    private List<String> complete(String line) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(BASH), "skipped: no " + BASH + " to run the completion script");
        String driver = """
                source "$1"
                COMP_LINE=$2
                COMP_POINT=${#COMP_LINE}
                read -r -a COMP_WORDS <<<"$2"
                [[ $2 != *' ' ]] || COMP_WORDS+=('')
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                _complete_hoard
                printf '%s\\n' "${COMPREPLY[@]}"
                """;
        String out = runShell(BASH.toString(), "--norc", "--noprofile", "-c", driver, "complete", script.toString(),
                line);
        return out.lines().filter(l -> !l.isEmpty()).toList();
    }

    /** Runs a shell, bounded, and returns its stdout; fails if it fails, with what it said on stderr. */
    private String runShell(String... command) throws Exception {
        Process shell = new ProcessBuilder(command).redirectError(tmp.resolve("shell.err").toFile()).start();
        shell.getOutputStream().close();
        String out = new String(shell.getInputStream().readAllBytes());
        assertTrue(shell.waitFor(30, TimeUnit.SECONDS), command[0] + " did not finish");
        assertEquals(0, shell.exitValue(), out + Files.readString(tmp.resolve("shell.err")));
        return out;
    }
}
