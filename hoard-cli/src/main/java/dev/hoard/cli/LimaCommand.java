package dev.hoard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code hoard lima}: hoard for Lima's own cache. Its one subcommand is {@code prefetch}. */
@Command(name = "lima", mixinStandardHelpOptions = true, versionProvider = HoardCommand.Version.class,
        subcommands = {LimaPrefetchCommand.class},
        description = "Fill Lima's download cache (~/.cache/lima) through hoard's, so that limactl start finds "
                + "every file it needs already there.")
final class LimaCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "no lima command given; see 'hoard lima "
                + "--help'");
    }
}
