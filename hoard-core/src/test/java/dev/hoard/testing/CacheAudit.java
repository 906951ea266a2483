package dev.hoard.testing;

import dev.hoard.internal.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads one cache directory as docs/cache-layout.md describes it and lists every way it breaks the cache's
 * invariants. It uses none of hoard's store code, only the documented layout, so a bug there cannot hide itself.
 *
 * <ul>
 *   <li>Every file in {@code blobs/} not starting with a dot is named by 64 hex digits and is a regular file whose
 *       SHA-256 is its name: a partial or corrupt file at a published path fails this.
 *   <li>Every {@code meta.json} is complete JSON, sits in the entry named by the SHA-256 of its {@code url}, and names
 *       a blob that exists with its {@code size}.
 *   <li>Every SHA-512 alias whose blob exists names a blob with that SHA-512.
 *   <li>No temp file ({@code .NAME.PID-N.tmp}) or partial ({@code blobs/.partial-KEY.PID-N}) of a live process is
 *       left: after a test, such a file of this JVM is a leak, and another live process should have ended with the
 *       test. The one exception is a resumable partial, which its entry's {@code partial.json} names. Files of dead
 *       processes are crash leftovers, which the layout allows.
 * </ul>
 */
final class CacheAudit {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern HEX128 = Pattern.compile("[0-9a-f]{128}");
    private static final Pattern TEMP = Pattern.compile("\\..+\\.(\\d+)-\\d+\\.tmp");
    private static final Pattern PARTIAL = Pattern.compile("\\.partial-([0-9a-f]{64})\\.(\\d+)-\\d+");

    private final Path root;
    private final List<String> violations = new ArrayList<>();
    private final Set<String> resumablePartials = new HashSet<>();

    private CacheAudit(Path root) {
        this.root = root;
    }

    /** What is wrong with the cache at {@code root}, one line each naming the file; empty when nothing is. */
    static List<String> violations(Path root) throws IOException {
        CacheAudit audit = new CacheAudit(root);
        if (Files.isDirectory(root)) {
            audit.checkFormatFile();
            audit.checkBlobs();
            audit.checkEntries();
            audit.checkAliases();
            audit.checkLeftovers();
        }
        return audit.violations;
    }

    private void checkFormatFile() {
        Path format = root.resolve("hoard-cache.json");
        if (Files.exists(format, LinkOption.NOFOLLOW_LINKS)) {
            readJson(format);
        }
    }

    private void checkBlobs() throws IOException {
        for (Path blob : list(root.resolve("blobs"))) {
            String name = blob.getFileName().toString();
            if (name.startsWith(".")) {
                continue; // temp files and partials: checkLeftovers
            }
            if (!HEX64.matcher(name).matches()) {
                fail(blob, "is in blobs/ but not named by a SHA-256");
            } else if (!Files.isRegularFile(blob, LinkOption.NOFOLLOW_LINKS)) {
                fail(blob, "is a published blob but not a regular file");
            } else {
                String actual = Hashes.sha256Hex(blob);
                if (!actual.equals(name)) {
                    fail(blob, "is published under its name but its content has SHA-256 " + actual
                            + " (a partial or corrupt file at a published path)");
                }
            }
        }
    }

    private void checkEntries() throws IOException {
        for (Path entry : list(root.resolve("entries"))) {
            Path meta = entry.resolve("meta.json");
            if (Files.exists(meta, LinkOption.NOFOLLOW_LINKS)) {
                checkMetadata(entry, meta);
            }
            Path partialRecord = entry.resolve("partial.json");
            if (Files.exists(partialRecord, LinkOption.NOFOLLOW_LINKS)) {
                readJson(partialRecord).map(r -> r.get("file")).ifPresent(f -> resumablePartials.add(f.toString()));
            }
        }
    }

    private void checkMetadata(Path entry, Path meta) throws IOException {
        if (!Files.isRegularFile(meta, LinkOption.NOFOLLOW_LINKS)) {
            fail(meta, "is not a regular file");
            return;
        }
        Optional<Map<String, Object>> fields = readJson(meta);
        if (fields.isEmpty()) {
            return;
        }
        Object url = fields.get().get("url");
        Object sha256 = fields.get().get("sha256");
        Object size = fields.get().get("size");
        if (!(url instanceof String u) || !Hashes.sha256Hex(u.getBytes(StandardCharsets.UTF_8))
                .equals(entry.getFileName().toString())) {
            fail(meta, "has url " + url + ", whose SHA-256 is not its entry's name");
        }
        if (!(sha256 instanceof String hex) || !HEX64.matcher(hex).matches()) {
            fail(meta, "names no blob: sha256 is " + sha256);
            return;
        }
        Path blob = root.resolve("blobs").resolve(hex);
        if (!Files.isRegularFile(blob, LinkOption.NOFOLLOW_LINKS)) {
            fail(meta, "names blob " + hex + ", which does not exist");
        } else if (!(size instanceof Long bytes) || bytes != Files.size(blob)) {
            fail(meta, "says size " + size + " but its blob " + hex + " has " + Files.size(blob) + " bytes");
        }
    }

    private void checkAliases() throws IOException {
        for (Path alias : list(root.resolve("aliases").resolve("sha512"))) {
            String name = alias.getFileName().toString();
            if (name.startsWith(".")) {
                continue;
            }
            String target = Files.readString(alias, StandardCharsets.UTF_8).trim();
            if (!HEX128.matcher(name).matches() || !target.startsWith("sha256:")
                    || !HEX64.matcher(target.substring(7)).matches()) {
                fail(alias, "is not a SHA-512 alias naming a sha256 blob: '" + target + "'");
                continue;
            }
            Path blob = root.resolve("blobs").resolve(target.substring(7));
            if (Files.isRegularFile(blob, LinkOption.NOFOLLOW_LINKS)
                    && !Hashes.sha512Hex(Files.readAllBytes(blob)).equals(name)) {
                fail(alias, "names blob " + target + ", whose SHA-512 is not the alias's name");
            }
        }
    }

    private void checkLeftovers() throws IOException {
        long self = ProcessHandle.current().pid();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(".")).toList()) {
                String name = file.getFileName().toString();
                if (file.equals(root.resolve("entries").resolve(".repair.lock"))) {
                    continue; // the lock repairs of damaged entries take: part of the layout, kept
                }
                Matcher temp = TEMP.matcher(name);
                Matcher partial = PARTIAL.matcher(name);
                long pid;
                if (temp.matches()) {
                    pid = Long.parseLong(temp.group(1));
                } else if (partial.matches() && file.getParent().equals(root.resolve("blobs"))) {
                    pid = Long.parseLong(partial.group(2));
                    if (resumablePartials.contains(name)) {
                        continue; // kept on purpose, for the next lock holder to resume
                    }
                } else {
                    fail(file, "is neither a temp file nor a partial download, yet starts with a dot");
                    continue;
                }
                if (writtenByLiveProcess(pid, file)) {
                    fail(file, "was left behind by " + (pid == self ? "this JVM (pid " + pid + ")" : "live pid " + pid)
                            + (partial.matches() ? ", and no partial.json names it" : ""));
                }
            }
        }
    }

    /**
     * Whether process {@code pid} is alive and could have written {@code file}: one that started after the file was
     * last modified cannot have, and holds a dead writer's reused pid.
     */
    private static boolean writtenByLiveProcess(long pid, Path file) throws IOException {
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            return false;
        }
        Instant modified = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toInstant();
        Optional<Instant> started = process.get().info().startInstant();
        return started.isEmpty() || !started.get().isAfter(modified.plusSeconds(1)); // start times are coarse
    }

    private Optional<Map<String, Object>> readJson(Path file) {
        try {
            return Optional.of(Json.parseObject(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | IllegalArgumentException e) {
            fail(file, "is published but not a complete JSON object: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private void fail(Path file, String what) {
        violations.add(root.relativize(file) + " " + what);
    }
}
