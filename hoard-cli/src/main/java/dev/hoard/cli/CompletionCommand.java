package dev.hoard.cli;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hoard completion bash|zsh|fish}: a script that completes hoard's commands, options and file arguments. */
@Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = HoardCommand.Version.class,
        description = "Print a script that completes hoard's commands, options and file names in bash, zsh or fish.",
        footer = {"", "bash:  hoard completion bash > ~/.local/share/bash-completion/completions/hoard",
                "zsh:   hoard completion zsh > ~/.zfunc/hoard.zsh, and in ~/.zshrc: source ~/.zfunc/hoard.zsh",
                "fish:  hoard completion fish > ~/.config/fish/completions/hoard.fish",
                "(README, \"Install\"). Exit codes: 0 printed, 2 an unknown shell."})
final class CompletionCommand implements Callable<Integer> {
    private static final List<String> SHELLS = List.of("bash", "zsh", "fish");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", completionCandidates = Shells.class,
            description = "bash, zsh or fish.")
    String shell;

    @Override
    public Integer call() {
        if (!SHELLS.contains(shell)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown shell '" + shell + "'; hoard completes bash, zsh and fish");
        }
        CommandLine hoard = spec.root().commandLine();
        // picocli's bash script also runs in zsh, through zsh's bashcompinit, which the script loads itself.
        String script = shell.equals("fish") ? FishCompletion.script(hoard) : AutoComplete.bash("hoard", hoard);
        spec.commandLine().getOut().print(script);
        return ExitCodes.OK;
    }

    static final class Shells implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return SHELLS.iterator();
        }
    }
}
