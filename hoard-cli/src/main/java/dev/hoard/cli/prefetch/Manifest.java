package dev.hoard.cli.prefetch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Reads a manifest file in the format its name says: .yaml/.yml, .json, anything else plain text. */
public final class Manifest {
    private Manifest() {
    }

    /** The formats, chosen by file name. */
    enum Format {
        YAML, JSON, TEXT;

        static Format of(Path file) {
            String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                return YAML;
            }
            return name.endsWith(".json") ? JSON : TEXT;
        }
    }

    /**
     * The items of {@code file}, checked.
     *
     * @throws ManifestException the file is malformed or an item is invalid (the message says where)
     * @throws IOException       the file cannot be read
     */
    static List<ManifestItem> read(Path file) throws IOException {
        String text = readUtf8(file);
        return switch (Format.of(file)) {
            case YAML, JSON -> YamlManifest.parse(file, text); // JSON is YAML 1.2: one parser for both
            case TEXT -> TextManifest.parse(file, text);
        };
    }

    private static String readUtf8(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ManifestException(new Location(file, 1, 0), "not UTF-8 text");
        }
    }
}
