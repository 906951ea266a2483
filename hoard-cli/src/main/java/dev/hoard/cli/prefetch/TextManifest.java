package dev.hoard.cli.prefetch;

import dev.hoard.Digest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The plain-text manifest: one {@code URL [DIGEST]} per line, separated by blanks; blank lines and lines starting
 * with {@code #} are ignored. Like a SHA256SUMS file turned around, and easy to write with {@code echo}.
 */
final class TextManifest {
    private TextManifest() {
    }

    static List<ManifestItem> parse(Path file, String text) {
        List<ManifestItem> items = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int indent = lines[i].indexOf(line.charAt(0));
            Location at = new Location(file, i + 1, indent + 1);
            String[] fields = line.split("\\s+");
            if (fields.length > 2) {
                throw new ManifestException(at, "expected 'URL [DIGEST]', found " + fields.length + " fields");
            }
            Digest digest = null;
            if (fields.length == 2) {
                int column = lines[i].indexOf(fields[1], indent + fields[0].length()) + 1;
                digest = ManifestItem.digest(fields[1], new Location(file, i + 1, column));
            }
            items.add(new ManifestItem(ManifestItem.url(fields[0], at), List.of(), digest, null, null, Map.of(),
                    at));
        }
        return items;
    }
}
