package dev.hoard.cli;

import dev.hoard.Hoard;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Properties;

/**
 * What {@code hoard --version} prints: hoard's version, the commit it was built from, and the Java runtime it runs
 * on. The commit comes from {@code build.properties}, which the build writes (hoard-cli's pom), so no start reads git;
 * only {@code --version} opens that resource.
 */
final class BuildInfo {
    private BuildInfo() {
    }

    /**
     * Two lines, e.g. {@code hoard 0.1.0, commit 1a2b3c4} and {@code Java 25.0.1 (Eclipse Adoptium), bundled runtime}
     * or {@code Java 21.0.8 (Ubuntu) at /usr/lib/jvm/java-21-openjdk-amd64}.
     */
    static String[] versionLines() {
        return new String[] {"hoard " + Hoard.version() + ", commit " + commit(), runtime()};
    }

    /** The short commit hash, with "-dirty" if the tree had changes, or "unknown" if built outside git. */
    static String commit() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            String commit = properties.getProperty("commit", "").trim();
            return commit.isEmpty() ? "unknown" : commit;
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String runtime() {
        String home = System.getProperty("java.home");
        String vendor = System.getProperty("java.vendor");
        String where = isBundled(Path.of(home)) ? ", bundled runtime" : " at " + home;
        return "Java " + Runtime.version() + (vendor == null ? "" : " (" + vendor + ")") + where;
    }

    /** The runtime of a release archive: {@code DIR/runtime}, beside the {@code DIR/lib} this class came from. */
    private static boolean isBundled(Path javaHome) {
        CodeSource source = BuildInfo.class.getProtectionDomain().getCodeSource();
        if (source == null || !"runtime".equals(String.valueOf(javaHome.getFileName()))) {
            return false;
        }
        try {
            Path classes = Path.of(source.getLocation().toURI());
            Path installation = classes.getParent() == null ? null : classes.getParent().getParent();
            return installation != null && classes.getParent().getFileName().toString().equals("lib")
                    && Files.isSameFile(installation, javaHome.getParent());
        } catch (URISyntaxException | IOException | IllegalArgumentException e) {
            return false;
        }
    }
}
