package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * when a user presses Tab (COMP_WORDS, COMP_CWORD and COMP_LINE set, the completion function called, COMPREPLY read).
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
    void fishGetsOneLinePerCommandAndOption() {
        Cli.Run fish = Cli.run("completion", "fish");
        assertEquals(0, fish.exitCode(), fish.toString());
        List<String> lines = fish.stdout().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("complete -c hoard -n __fish_use_subcommand -f -a prune ")),
                fish.stdout());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(
                "complete -c hoard -n '__fish_seen_subcommand_from get' -l connections -r -f ")), fish.stdout());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(
                "complete -c hoard -n '__fish_seen_subcommand_from get' -s o -l output -r -F ")), fish.stdout());
        assertTrue(lines.contains("complete -c hoard -n '__fish_seen_subcommand_from completion' -f -a 'bash zsh fish'"),
                fish.stdout());
    }

    @Test
    void anUnknownShellIsAUsageError() {
        Cli.Run run = Cli.run("completion", "tcsh");
        assertEquals(2, run.exitCode(), run.toString());
        assertEquals("hoard: unknown shell 'tcsh'; hoard completes bash, zsh and fish",
                run.stderr().lines().findFirst().orElse(""));
        assertEquals("", run.stdout());
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
        Process bash = new ProcessBuilder(BASH.toString(), "--norc", "--noprofile", "-c", driver, "complete",
                script.toString(), line)
                .redirectError(tmp.resolve("bash.err").toFile())
                .start();
        bash.getOutputStream().close();
        String out = new String(bash.getInputStream().readAllBytes());
        assertTrue(bash.waitFor(30, TimeUnit.SECONDS), "bash did not finish");
        assertEquals(0, bash.exitValue(), out + Files.readString(tmp.resolve("bash.err")));
        return out.lines().filter(l -> !l.isEmpty()).toList();
    }
}
