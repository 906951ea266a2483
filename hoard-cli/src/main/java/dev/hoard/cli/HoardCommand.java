package dev.hoard.cli;

import dev.hoard.Hoard;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hoard} command: parses, hands each subcommand to the library, and maps failures to exit codes. */
@Command(name = "hoard",
        mixinStandardHelpOptions = true,
        versionProvider = HoardCommand.Version.class,
        subcommands = {GetCommand.class, LsCommand.class, VerifyCommand.class, RmCommand.class, PruneCommand.class,
            DirCommand.class, CommandLine.HelpCommand.class},
        description = "A download cache for large remote files, shared safely by many processes: exactly one "
                + "process downloads a file while the others wait and reuse it.",
        footer = {"", "Exit codes: 0 success, 1 I/O or internal failure, 2 usage error, 3 integrity failure, "
                + "4 network or HTTP failure, 5 lock wait timed out, 6 offline and not cached, 130 interrupted."})
public final class HoardCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs hoard with {@code args} and returns the exit code (for tests and embedding). */
    public static int run(String... args) {
        CommandLine commandLine = new CommandLine(new HoardCommand())
                .setExecutionExceptionHandler(new ExitCodes())
                .setParameterExceptionHandler(ExitCodes::usageError);
        return commandLine.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "no command given; see 'hoard --help'");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"hoard " + Hoard.version()};
        }
    }
}
