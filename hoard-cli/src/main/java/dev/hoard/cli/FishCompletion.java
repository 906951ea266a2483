package dev.hoard.cli;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A fish completion script written from picocli's model of the commands, which picocli's generator does not cover:
 * one {@code complete} line per command and per option. Options that take a path complete file names, others with
 * a fixed set of values offer those values, and a command's other arguments (URLs or local paths) leave fish's file
 * completion on.
 */
final class FishCompletion {
    private FishCompletion() {
    }

    static String script(CommandLine hoard) {
        StringBuilder script = new StringBuilder("# fish completion for hoard; made by `hoard completion fish`\n");
        String atTop = "__fish_use_subcommand";
        for (Map.Entry<String, CommandLine> command : hoard.getSubcommands().entrySet()) {
            script.append("complete -c hoard -n ").append(atTop).append(" -f -a ").append(command.getKey())
                    .append(describe(command.getValue().getCommandSpec().usageMessage().description()))
                    .append('\n');
        }
        options(script, hoard.getCommandSpec(), atTop);
        for (Map.Entry<String, CommandLine> command : hoard.getSubcommands().entrySet()) {
            String inCommand = "'__fish_seen_subcommand_from " + command.getKey() + "'";
            CommandSpec spec = command.getValue().getCommandSpec();
            options(script, spec, inCommand);
            for (ArgSpec positional : spec.positionalParameters()) {
                if (positional.completionCandidates() != null) {
                    script.append("complete -c hoard -n ").append(inCommand).append(" -f -a ")
                            .append(quote(String.join(" ", candidates(positional)))).append('\n');
                }
            }
            if (command.getKey().equals("help")) {
                script.append("complete -c hoard -n ").append(inCommand).append(" -f -a ")
                        .append(quote(String.join(" ", hoard.getSubcommands().keySet()))).append('\n');
            }
        }
        return script.toString();
    }

    private static void options(StringBuilder script, CommandSpec spec, String condition) {
        for (OptionSpec option : spec.options()) {
            if (option.hidden()) {
                continue;
            }
            script.append("complete -c hoard -n ").append(condition);
            for (String name : option.names()) {
                script.append(name.startsWith("--") ? " -l " + name.substring(2) : " -s " + name.substring(1));
            }
            if (option.arity().max() > 0) {
                if (takesAFile(option)) {
                    script.append(" -r -F");
                } else if (option.completionCandidates() != null) {
                    script.append(" -r -f -a ").append(quote(String.join(" ", candidates(option))));
                } else {
                    script.append(" -r -f");
                }
            }
            script.append(describe(option.description())).append('\n');
        }
    }

    /** A path, by type, or a string that names one ({@code --cacert FILE}). */
    private static boolean takesAFile(OptionSpec option) {
        Class<?> type = option.type();
        return type == Path.class || type == File.class
                || type == String.class && option.paramLabel().matches("FILE|PATH|DIR");
    }

    private static List<String> candidates(ArgSpec arg) {
        return StreamSupport.stream(arg.completionCandidates().spliterator(), false).collect(Collectors.toList());
    }

    /** {@code -d 'first sentence'} of a description, or nothing. */
    private static String describe(String[] description) {
        if (description.length == 0 || description[0].isBlank()) {
            return "";
        }
        String text = description[0].replace("%n", " ").strip();
        String[] sentences = text.split("(?<!\\be\\.g|\\bi\\.e)\\. ", 2);
        return " -d " + quote(sentences[0].replaceAll("\\.$", ""));
    }

    private static String quote(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
