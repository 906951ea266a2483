package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hoard.internal.json.Json;
import dev.hoard.testing.Hashes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A cache directory as the management tests see it: its files, and the CLI run against it. */
final class TestCache {
    private final Path root;

    TestCache(Path root) {
        this.root = root;
    }

    String dir() {
        return root.toString();
    }

    /** Runs {@code hoard args --cache-dir ROOT} in process. */
    Cli.Run run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--cache-dir";
        all[args.length + 1] = root.toString();
        return Cli.run(all);
    }

    /** Runs {@code hoard get -q args --cache-dir ROOT} in process. */
    Cli.Run quietGet(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "get";
        all[1] = "-q";
        System.arraycopy(args, 0, all, 2, args.length);
        return run(all);
    }

    /** Runs the command and asserts its exit code. */
    Cli.Run runExpecting(int exitCode, String... args) {
        Cli.Run run = run(args);
        assertEquals(exitCode, run.exitCode(), String.join(" ", args) + "\n" + run);
        return run;
    }

    /** {@code ls --json}, parsed: one map per line. */
    List<Map<String, Object>> list() {
        Cli.Run run = runExpecting(0, "ls", "--json");
        return run.stdout().lines().map(Json::parseObject).toList();
    }

    /** The {@code ls --json} object of {@code url}, or null if it is not listed. */
    Map<String, Object> listed(URI url) {
        return list().stream().filter(e -> url.toString().equals(e.get("url"))).findFirst().orElse(null);
    }

    Path entryDir(URI url) {
        return root.resolve("entries").resolve(Hashes.sha256Hex(url.toString().getBytes(StandardCharsets.UTF_8)));
    }

    Path blob(String sha256) {
        return root.resolve("blobs").resolve(sha256);
    }

    /** Sets the entry's last use, as a hit an hour or more after the last one would. */
    void setLastUsed(URI url, Instant when) {
        try {
            Path used = entryDir(url).resolve("used");
            if (!Files.exists(used)) {
                Files.createFile(used);
            }
            Files.setLastModifiedTime(used, FileTime.from(when));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Files in blobs/ whose names start with {@code prefix}. */
    List<Path> blobsStartingWith(String prefix) {
        try (Stream<Path> files = Files.list(root.resolve("blobs"))) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
        } catch (NoSuchFileException e) {
            return List.of(); // no cache yet
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The partial download files in blobs/. */
    List<Path> partials() {
        return blobsStartingWith(".partial-");
    }

    long partialBytes() {
        return partials().stream().mapToLong(TestCache::sizeOrZero).sum();
    }

    private static long sizeOrZero(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // renamed or deleted meanwhile
        }
    }

    /** The cache's file tree, as {@link #tree(Path)} gives it: to show that a command left it as it was. */
    List<String> tree() {
        return tree(root);
    }

    /** Every file and directory under {@code root}, with its type and (for files) size. */
    static List<String> tree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.map(f -> root.relativize(f) + (Files.isSymbolicLink(f) ? " -> link"
                    : Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS) ? "/" : " " + f.toFile().length()))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
