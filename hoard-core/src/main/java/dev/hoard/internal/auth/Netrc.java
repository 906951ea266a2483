package dev.hoard.internal.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A netrc file, read as curl reads one: whitespace-separated tokens; {@code machine NAME} starts an entry and
 * {@code default} the entry for every other host; {@code login} and {@code password} fill the entry in;
 * {@code account} is read and ignored; {@code macdef NAME} and the lines after it up to an empty line are skipped; a
 * line that starts with {@code #} is a comment; a token in double quotes may hold blanks and the escapes {@code \"},
 * {@code \\}, {@code \n}, {@code \r}, {@code \t}. The file's permissions are not checked. Nothing of it is ever put in
 * a message.
 */
public final class Netrc {
    /** No file, no entries. */
    public static final Netrc EMPTY = new Netrc(List.of());

    /**
     * One entry.
     *
     * @param machine  the host it is for, or null for {@code default}
     * @param login    the user name, or null if the entry has none
     * @param password the password, or null if the entry has none
     */
    public record Entry(String machine, String login, String password) {
        @Override
        public String toString() {
            return "Entry[machine=" + machine + ", login=" + login + ", password=" + (password == null ? "none"
                    : "***") + "]";
        }
    }

    private final List<Entry> entries;

    private Netrc(List<Entry> entries) {
        this.entries = entries;
    }

    public static Netrc parse(String text) {
        return new Parser().parse(text);
    }

    /**
     * The entry for {@code host}: the first {@code machine} of that name (without regard to case), else the
     * {@code default} entry. With a {@code user}, only an entry with that login fits.
     */
    public Optional<Entry> find(String host, String user) {
        Optional<Entry> machine = entries.stream()
                .filter(e -> e.machine() != null && e.machine().equalsIgnoreCase(host) && fits(e, user)).findFirst();
        return machine.or(() -> entries.stream().filter(e -> e.machine() == null && fits(e, user)).findFirst());
    }

    private static boolean fits(Entry entry, String user) {
        return user == null || user.equals(entry.login());
    }

    /** The tokens of the file, and what each keyword expects next. */
    private static final class Parser {
        private final List<Entry> entries = new ArrayList<>();
        private boolean inEntry;
        private String machine;
        private String login;
        private String password;
        private String awaiting; // the keyword whose value the next token is, or null
        private boolean inMacro;

        Netrc parse(String text) {
            for (String line : text.split("\r?\n", -1)) {
                if (inMacro) {
                    inMacro = !line.isBlank();
                } else if (!line.stripLeading().startsWith("#")) {
                    readLine(line);
                }
            }
            finishEntry();
            return new Netrc(List.copyOf(entries));
        }

        private void readLine(String line) {
            for (String token : tokens(line)) {
                if (awaiting != null) {
                    value(token);
                    if (inMacro) {
                        return; // the macro's body starts on the next line
                    }
                } else {
                    keyword(token);
                }
            }
        }

        private void keyword(String token) {
            switch (token) {
                case "machine", "login", "password", "account", "macdef" -> awaiting = token;
                case "default" -> {
                    finishEntry();
                    inEntry = true;
                }
                default -> {
                    // unknown token: skipped, as curl does
                }
            }
        }

        private void value(String token) {
            switch (awaiting) {
                case "machine" -> {
                    finishEntry();
                    inEntry = true;
                    machine = token;
                }
                case "login" -> login = token;
                case "password" -> password = token;
                case "macdef" -> inMacro = true;
                default -> {
                    // account: not used for HTTP
                }
            }
            awaiting = null;
        }

        private void finishEntry() {
            if (inEntry) {
                entries.add(new Entry(machine, login, password));
            }
            inEntry = false;
            machine = null;
            login = null;
            password = null;
        }

        private static List<String> tokens(String line) {
            List<String> tokens = new ArrayList<>();
            int i = 0;
            while (i < line.length()) {
                if (Character.isWhitespace(line.charAt(i))) {
                    i++;
                } else if (line.charAt(i) == '"') {
                    StringBuilder token = new StringBuilder();
                    i = quoted(line, i + 1, token);
                    tokens.add(token.toString());
                } else {
                    int start = i;
                    while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
                        i++;
                    }
                    tokens.add(line.substring(start, i));
                }
            }
            return tokens;
        }

        /** Reads a quoted token from {@code i} (after the opening quote) into {@code token}; returns where it ends. */
        private static int quoted(String line, int i, StringBuilder token) {
            while (i < line.length() && line.charAt(i) != '"') {
                char c = line.charAt(i++);
                if (c == '\\' && i < line.length()) {
                    char escaped = line.charAt(i++);
                    token.append(switch (escaped) {
                        case 'n' -> '\n';
                        case 'r' -> '\r';
                        case 't' -> '\t';
                        default -> escaped;
                    });
                } else {
                    token.append(c);
                }
            }
            return i + 1; // past the closing quote (or the end of a line without one)
        }
    }
}
