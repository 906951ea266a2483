package dev.hoard.internal.lima;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns Lima template locators into files and URLs, as {@code limactl} does ({@code pkg/limatmpl},
 * {@code pkg/templatestore}):
 *
 * <ul>
 *   <li>{@code template:NAME} (and the older {@code template://NAME}): {@code NAME.yaml} in the first directory of
 *       {@code $LIMA_TEMPLATES_PATH} (a path list) that has it; without that variable,
 *       {@code $LIMA_HOME/_templates} ({@code ~/.lima/_templates}), then {@code <prefix>/share/lima/templates} beside
 *       the {@code limactl} on {@code PATH}. NAME may hold directories ({@code _images/ubuntu}), never {@code ..};</li>
 *   <li>{@code http://} and {@code https://} URLs;</li>
 *   <li>anything else is a file ({@code file://}, {@code ~/} expanded); a base's relative path is relative to the
 *       template that names it, a command-line one to the working directory.</li>
 * </ul>
 */
public final class TemplateStore {
    private final List<Path> dirs;
    private final String dirsFrom;
    private final Path home;

    private TemplateStore(List<Path> dirs, String dirsFrom, Path home) {
        this.dirs = List.copyOf(dirs);
        this.dirsFrom = dirsFrom;
        this.home = home;
    }

    /** The store that {@code limactl} would use with the environment {@code env}. */
    public static TemplateStore fromEnvironment(Map<String, String> env) {
        Path home = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")));
        String path = env.get("LIMA_TEMPLATES_PATH");
        if (path != null && !path.isEmpty()) {
            List<Path> dirs = new ArrayList<>();
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    dirs.add(Path.of(dir));
                }
            }
            return new TemplateStore(dirs, "LIMA_TEMPLATES_PATH", home);
        }
        List<Path> dirs = new ArrayList<>();
        String limaHome = env.get("LIMA_HOME");
        dirs.add((limaHome != null && !limaHome.isEmpty() ? Path.of(limaHome) : home.resolve(".lima"))
                .resolve("_templates"));
        Path limactl = Limactl.find(env);
        if (limactl != null) {
            try {
                Path prefix = limactl.toRealPath().getParent().getParent();
                if (prefix != null) {
                    dirs.add(prefix.resolve("share").resolve("lima").resolve("templates"));
                }
            } catch (IOException e) {
                // a dangling limactl link: no templates beside it
            }
        }
        return new TemplateStore(dirs, "LIMA_TEMPLATES_PATH unset", home);
    }

    /** A store that looks only in {@code dirs} (tests). */
    public static TemplateStore of(List<Path> dirs) {
        return new TemplateStore(dirs, "given", Path.of(System.getProperty("user.home")));
    }

    /**
     * Where {@code locator} points.
     *
     * @param from the template that names it as a base, or null for one given on the command line
     * @param at   where it is named, for messages (a file:line, or "the command line")
     * @throws TemplateException no such template or file, or a locator Lima would not read
     */
    public TemplateLocation locate(String locator, TemplateLocation from, String at) {
        String text = locator.strip();
        if (text.isEmpty()) {
            throw new TemplateException(at + ": empty template locator");
        }
        if (text.startsWith("template:")) {
            return named(text, text.substring(text.startsWith("template://") ? "template://".length()
                    : "template:".length()), at);
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return new TemplateLocation(null, uri(text, at), text);
        }
        if (lower.startsWith("file://")) {
            return file(Path.of(uri(text, at)), text, at);
        }
        if (text.contains("://")) {
            throw new TemplateException(at + ": unsupported template locator '" + text + "' (a file, an http(s) "
                    + "URL or template:NAME)");
        }
        if (from != null && from.url() != null && !isAbsolutePath(text)) {
            return new TemplateLocation(null, from.url().resolve(text), from.url().resolve(text).toString());
        }
        Path path;
        try {
            path = text.equals("~") || text.startsWith("~/") ? home.resolve(text.substring(Math.min(2,
                    text.length()))) : Path.of(text);
        } catch (InvalidPathException e) {
            throw new TemplateException(at + ": bad template path '" + text + "': " + e.getReason());
        }
        if (!path.isAbsolute() && from != null && from.file() != null) {
            path = from.file().toAbsolutePath().getParent().resolve(path);
        }
        return file(path.normalize(), text, at);
    }

    private TemplateLocation named(String locator, String name, String at) {
        String file = name.endsWith(".yaml") ? name : name + ".yaml";
        if (name.isEmpty() || name.startsWith("/") || List.of(name.split("/")).contains("..")) {
            throw new TemplateException(at + ": bad template name '" + locator + "'");
        }
        for (Path dir : dirs) {
            Path candidate = dir.resolve(file);
            if (Files.isRegularFile(candidate)) {
                return new TemplateLocation(candidate, null, locator);
            }
        }
        throw new TemplateException(at + ": template " + locator + " not found: no " + file + " in "
                + (dirs.isEmpty() ? "any directory" : dirs.stream().map(Path::toString)
                        .reduce((a, b) -> a + File.pathSeparator + b).orElseThrow()) + " (" + dirsFrom + ")");
    }

    private static TemplateLocation file(Path path, String shown, String at) {
        if (!Files.isRegularFile(path)) {
            throw new TemplateException(at + ": template " + shown + " not found"
                    + (shown.equals(path.toString()) ? "" : " (" + path + ")"));
        }
        return new TemplateLocation(path, null, shown);
    }

    private static URI uri(String text, String at) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new TemplateException(at + ": malformed template URL '" + text + "': " + e.getReason());
        }
    }

    private static boolean isAbsolutePath(String text) {
        return text.startsWith("/") || text.startsWith("~");
    }
}
