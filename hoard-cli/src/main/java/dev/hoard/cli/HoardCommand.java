package dev.hoard.cli;

import dev.hoard.cli.progress.Stderr;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.util.OptionalInt;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hoard} command: parses, hands each subcommand to the library, and maps failures to exit codes. */
@Command(name = "hoard",
        mixinStandardHelpOptions = true,
        versionProvider = HoardCommand.Version.class,
        subcommands = {GetCommand.class},
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

    /**
     * Runs hoard with {@code args} on this process's stdout and stderr, in their charsets, and returns the exit code.
     * Progress is drawn live when stderr is a terminal.
     */
    public static int run(String... args) {
        return run(new PrintWriter(new OutputStreamWriter(System.out, System.out.charset()), true),
                Stderr.processWriter(), args);
    }

    /**
     * Runs hoard with {@code args}, printing results to {@code out} and progress and messages to {@code err}, and
     * returns the exit code; both are flushed before it returns. For tests and embedding: no global stream is
     * touched, so runs may go on at the same time, and progress comes as plain lines (only
     * {@link Stderr#processWriter()} can be a terminal).
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        try {
            if (args.length > 0 && "get".equals(args[0])) {
                OptionalInt quick = QuickGet.run(out, err, args); // a cache hit without picocli's start-up cost
                if (quick.isPresent()) {
                    return quick.getAsInt();
                }
            }
            CommandLine commandLine = new CommandLine(new HoardCommand());
            if (args.length == 0 || !"get".equals(args[0])) {
                addOtherCommands(commandLine);
            }
            commandLine.setOut(out).setErr(err) // after the subcommands, which it passes them on to
                    .setExecutionExceptionHandler(new ExitCodes())
                    .setParameterExceptionHandler(ExitCodes::usageError);
            return commandLine.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * Every command but get. picocli builds a command's model (reflection over its annotations) when it is added, and
     * a cache hit should not pay for commands it does not run. Measured, median CPU of 20 {@code get -d} hits: 641 ms
     * with get, dir and help registered, 753 ms with the four management commands too, 645 ms registering them here.
     */
    private static void addOtherCommands(CommandLine commandLine) {
        commandLine.addSubcommand(new PrefetchCommand())
                .addSubcommand(new LimaCommand())
                .addSubcommand(new LsCommand())
                .addSubcommand(new VerifyCommand())
                .addSubcommand(new RmCommand())
                .addSubcommand(new PruneCommand())
                .addSubcommand(new PushCommand())
                .addSubcommand(new DirCommand())
                .addSubcommand(new CompletionCommand())
                .addSubcommand(new CommandLine.HelpCommand());
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "no command given; see 'hoard --help'");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return BuildInfo.versionLines();
        }
    }
}
