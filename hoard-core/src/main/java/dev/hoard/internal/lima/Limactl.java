package dev.hoard.internal.lima;

import dev.hoard.Digest;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The installed {@code limactl}, when there is one: where it is (its prefix holds the built-in templates) and the
 * containerd archives it would use when a template names none ({@code limactl info}, under
 * {@code .defaultTemplate.containerd.archives}).
 */
public final class Limactl {
    private static final long INFO_TIMEOUT_SECONDS = 30;

    private Limactl() {
    }

    /** The first executable {@code limactl} on {@code env}'s PATH, or null. */
    public static Path find(Map<String, String> env) {
        String path = env.get("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "limactl");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * The archives {@code limactl info} lists as the default template's containerd archives.
     *
     * @throws IOException limactl failed, timed out or printed something else than its JSON
     */
    public static List<LimaFile> defaultContainerdArchives(Path limactl)
            throws IOException, InterruptedException {
        Process process = new ProcessBuilder(limactl.toString(), "info")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        byte[] out;
        try {
            out = process.getInputStream().readAllBytes();
            if (!process.waitFor(INFO_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException(limactl + " info did not finish within " + INFO_TIMEOUT_SECONDS + " s");
            }
        } finally {
            process.destroyForcibly();
        }
        if (process.exitValue() != 0) {
            throw new IOException(limactl + " info failed (exit code " + process.exitValue() + ")");
        }
        return archives(new String(out, StandardCharsets.UTF_8), limactl + " info");
    }

    /** The archives in {@code limactl info}'s JSON. */
    static List<LimaFile> archives(String json, String where) throws IOException {
        Object root;
        try {
            root = new Load(LoadSettings.builder().build()).loadFromString(json);
        } catch (YamlEngineException e) {
            throw new IOException(where + " printed no JSON: " + e.getMessage());
        }
        Object list = dig(root, "defaultTemplate", "containerd", "archives");
        List<LimaFile> archives = new ArrayList<>();
        if (list instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> archive && archive.get("location") instanceof String location) {
                    Object digest = archive.get("digest");
                    Object arch = archive.get("arch");
                    try {
                        archives.add(new LimaFile(location, arch instanceof String a ? a : null,
                                digest instanceof String d && !d.isEmpty() ? Digest.parse(d) : null, where));
                    } catch (IllegalArgumentException e) {
                        throw new IOException(where + ": archive " + location + ": " + e.getMessage());
                    }
                }
            }
        }
        return archives;
    }

    private static Object dig(Object node, String... keys) {
        for (String key : keys) {
            if (!(node instanceof Map<?, ?> map)) {
                return null;
            }
            node = map.get(key);
        }
        return node;
    }
}
