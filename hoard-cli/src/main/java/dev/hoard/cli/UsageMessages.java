package dev.hoard.cli;

import dev.hoard.Credentials;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine;

/**
 * picocli's messages for a command line it could not parse, in hoard's words: a mistyped command or option names what
 * was likely meant, and picocli's "Error: " prefix and argument indexes are left out. picocli quotes the arguments it
 * could not take, and a secret the user typed may be among them (a header's value that landed where a number was
 * expected): {@link #of(CommandLine.ParameterException, String[])} shows neither header values nor passwords in URLs.
 */
final class UsageMessages {
    private UsageMessages() {
    }

    /** The message for {@code e}, with every secret in {@code args} (the whole command line) replaced by ***. */
    static String of(CommandLine.ParameterException e, String[] args) {
        String message = of(e);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = arg.equals("-H") || arg.equals("--header") ? (i + 1 < args.length ? args[i + 1] : null)
                    : arg.startsWith("--header=") ? arg.substring("--header=".length())
                    : arg.startsWith("-H") && arg.length() > 2 ? arg.substring(2)
                    : null;
            int colon = value == null ? -1 : value.indexOf(':');
            String secret = colon < 0 ? value : value.substring(colon + 1).strip();
            if (secret != null && secret.length() >= 4) { // shorter is no secret, and would blot the message
                message = message.replace(secret, "***");
            }
            String shown = Credentials.redact(arg);
            if (!shown.equals(arg)) {
                message = message.replace(arg, shown);
            }
        }
        return message;
    }

    static String of(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            return unmatched(unmatched, unmatched.getUnmatched().getFirst());
        }
        String message = String.valueOf(e.getMessage());
        return message.startsWith("Error: ") ? message.substring("Error: ".length()) : message;
    }

    private static String unmatched(CommandLine.UnmatchedArgumentException e, String first) {
        CommandLine commandLine = e.getCommandLine();
        if (first.startsWith("-")) {
            return "unknown option '" + first + "'" + likely(e.getSuggestions());
        }
        if (commandLine.getParent() == null && !commandLine.getSubcommands().isEmpty()) {
            return "unknown command '" + first + "'" + likely(closest(first, commandLine.getSubcommands().keySet()
                    .stream().toList()));
        }
        return "unexpected argument '" + first + "'";
    }

    private static String likely(List<String> candidates) {
        List<String> quoted = candidates.stream().limit(3).map(c -> "'" + c + "'").toList();
        return quoted.isEmpty() ? "" : "; did you mean " + String.join(" or ", quoted) + "?";
    }

    /**
     * The names within two edits of {@code typed} (a letter added, dropped, changed, or two swapped; one for names of
     * up to three letters, where two would match almost anything), closest first. picocli's own suggestions go by
     * shared letter pairs, which miss a swap in a short word ({@code gte}).
     */
    static List<String> closest(String typed, List<String> names) {
        return names.stream().filter(n -> distance(typed, n) <= (n.length() <= 3 ? 1 : 2))
                .sorted(Comparator.comparingInt((String n) -> distance(typed, n)).thenComparing(n -> n)).toList();
    }

    /** Optimal string alignment distance: Levenshtein, plus a swap of two neighbours as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
