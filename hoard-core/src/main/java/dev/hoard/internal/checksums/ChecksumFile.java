package dev.hoard.internal.checksums;

import dev.hoard.ChecksumFileException;
import dev.hoard.Digest;
import dev.hoard.DigestAlgorithm;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The entries of a checksum file such as SHA256SUMS, and the lookup of one download's digest in it.
 *
 * <p><b>Formats.</b> GNU coreutils lines, {@code HEX  NAME} (text mode) or {@code HEX *NAME} (binary mode, as in
 * Ubuntu's cloud images), where the algorithm follows from the hex length (64: SHA-256, 128: SHA-512); and BSD
 * lines, {@code SHA256 (NAME) = HEX} as written by {@code sha256sum --tag}, BSD's {@code sha256} and OpenSSL. A line
 * that starts with a backslash has coreutils' escaped name ({@code \\}, {@code \n}). Every other line (comments, PGP
 * armour of a signed file, MD5 or SHA-1 lines) is skipped, so signed and mixed files read too.
 *
 * <p><b>Matching.</b> A download matches the entries whose name, after any {@code ./}, ends with the URL's file name
 * (its last path segment, decoded). When several do, the ones that share the longest tail of the URL's path win
 * ({@code arm64/disk.img} over {@code amd64/disk.img} for {@code .../arm64/disk.img}); among those, SHA-512 is
 * preferred to SHA-256. Winners that disagree make the file ambiguous: an error, never a guess.
 */
public record ChecksumFile(URI url, List<Entry> entries) {
    private static final Pattern GNU = Pattern.compile("([0-9a-fA-F]+) [ *]?(.+)");
    private static final Pattern BSD = Pattern.compile("([A-Za-z0-9-]+) ?\\((.*)\\) ?= ?([0-9a-fA-F]+)");

    /** One line: a file name (without {@code ./}) and its digest. */
    public record Entry(String name, Digest digest) {
        List<String> segments() {
            return Arrays.stream(name.split("/")).filter(s -> !s.isEmpty()).toList();
        }
    }

    public ChecksumFile {
        entries = List.copyOf(entries);
    }

    /** Reads every checksum line of {@code text}, the content of the checksum file at {@code url}. */
    public static ChecksumFile parse(URI url, String text) {
        List<Entry> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            parseLine(line).ifPresent(entries::add);
        }
        return new ChecksumFile(url, entries);
    }

    /**
     * The digest listed for {@code download}.
     *
     * @throws IllegalArgumentException the URL has no file name to look up
     * @throws ChecksumFileException    the file does not list it, or lists it with different digests
     */
    public Digest digestFor(URI download) throws ChecksumFileException {
        List<String> path = segments(download);
        if (path.isEmpty()) {
            throw new IllegalArgumentException("cannot look up " + download + " in " + url
                    + ": the URL has no file name");
        }
        String fileName = path.getLast();
        List<Entry> candidates = entries.stream().filter(e -> fileName.equals(last(e.segments()))).toList();
        if (candidates.isEmpty()) {
            throw new ChecksumFileException(download, url, fileName, notListed(fileName));
        }
        int best = candidates.stream().mapToInt(e -> sharedTail(e.segments(), path)).max().orElseThrow();
        List<Entry> closest = candidates.stream().filter(e -> sharedTail(e.segments(), path) == best).toList();
        DigestAlgorithm strongest = closest.stream().map(e -> e.digest().algorithm())
                .max(Comparator.comparingInt(DigestAlgorithm::hexLength)).orElseThrow();
        List<Entry> chosen = closest.stream().filter(e -> e.digest().algorithm() == strongest).toList();
        if (chosen.stream().map(Entry::digest).distinct().count() > 1) {
            throw new ChecksumFileException(download, url, fileName, url + " lists '" + fileName + "' more than once "
                    + "with different digests (" + chosen.stream().map(e -> e.name() + " " + e.digest()).toList()
                    + "); cannot tell which one " + download + " is");
        }
        return chosen.getFirst().digest();
    }

    private String notListed(String fileName) {
        if (entries.isEmpty()) {
            return url + " lists no checksum for '" + fileName + "': it holds no checksum lines at all (expected "
                    + "'HEX  NAME' or 'SHA256 (NAME) = HEX'); is it really a checksum file?";
        }
        List<String> names = entries.stream().map(Entry::name).distinct().toList();
        String examples = String.join(", ", names.subList(0, Math.min(5, names.size())))
                + (names.size() > 5 ? ", ..." : "");
        return url + " lists no checksum for '" + fileName + "' (it lists " + names.size() + " file"
                + (names.size() == 1 ? "" : "s") + ": " + examples + ")";
    }

    static Optional<Entry> parseLine(String rawLine) {
        String line = rawLine.endsWith("\r") ? rawLine.substring(0, rawLine.length() - 1) : rawLine;
        line = line.stripLeading();
        boolean escaped = line.startsWith("\\");
        if (escaped) {
            line = line.substring(1);
        }
        Matcher bsd = BSD.matcher(line);
        if (bsd.matches()) {
            return entry(algorithmOfTag(bsd.group(1)), bsd.group(3), bsd.group(2), escaped);
        }
        Matcher gnu = GNU.matcher(line);
        if (gnu.matches()) {
            return entry(algorithmOfLength(gnu.group(1).length()), gnu.group(1), gnu.group(2), escaped);
        }
        return Optional.empty();
    }

    private static Optional<Entry> entry(Optional<DigestAlgorithm> algorithm, String hex, String name,
            boolean escaped) {
        if (algorithm.isEmpty() || hex.length() != algorithm.get().hexLength()) {
            return Optional.empty(); // MD5, SHA-1 or a malformed line: not ours to check
        }
        String plain = stripDotSlash(escaped ? unescape(name) : name);
        return plain.isEmpty() ? Optional.empty() : Optional.of(new Entry(plain, new Digest(algorithm.get(), hex)));
    }

    /** {@code SHA256}, {@code SHA-256}, {@code SHA2-256} (OpenSSL 3) and the same for 512. */
    private static Optional<DigestAlgorithm> algorithmOfTag(String tag) {
        String upper = tag.toUpperCase(Locale.ROOT);
        return switch (upper.startsWith("SHA2-") ? "SHA" + upper.substring(5) : upper.replace("-", "")) {
            case "SHA256" -> Optional.of(DigestAlgorithm.SHA256);
            case "SHA512" -> Optional.of(DigestAlgorithm.SHA512);
            default -> Optional.empty();
        };
    }

    private static Optional<DigestAlgorithm> algorithmOfLength(int hexLength) {
        for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
            if (algorithm.hexLength() == hexLength) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }

    /** Undoes coreutils' escaping of names that hold a backslash or a line break. */
    private static String unescape(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\' && i + 1 < name.length()) {
                char next = name.charAt(++i);
                out.append(switch (next) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> next;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String stripDotSlash(String name) {
        String plain = name;
        while (plain.startsWith("./")) {
            plain = plain.substring(2);
        }
        return plain;
    }

    /** The decoded, non-empty segments of a URL's path. */
    private static List<String> segments(URI uri) {
        String path = uri.getPath();
        if (path == null) {
            return List.of();
        }
        return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    }

    private static String last(List<String> segments) {
        return segments.isEmpty() ? null : segments.getLast();
    }

    /** How many trailing segments two paths share. */
    private static int sharedTail(List<String> a, List<String> b) {
        int n = 0;
        while (n < a.size() && n < b.size() && a.get(a.size() - 1 - n).equals(b.get(b.size() - 1 - n))) {
            n++;
        }
        return n;
    }
}
