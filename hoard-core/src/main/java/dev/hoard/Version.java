package dev.hoard;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The library's version, for {@link Hoard#version()} and the default User-Agent of {@link HoardOptions}. */
final class Version {
    private Version() {
    }

    static String current() {
        // From hoard's own jar manifest when the classes come from one: reading a resource instead opens the jar and
        // reads its index, which costs a cache hit from the 10 MB CLI jar about 15 ms (docs/benchmarks.md, "Fast
        // hits"). The title check skips the manifest of an application jar that hoard was shaded into.
        Package thePackage = Version.class.getPackage();
        if ("hoard".equals(thePackage.getImplementationTitle()) && thePackage.getImplementationVersion() != null) {
            return thePackage.getImplementationVersion();
        }
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            Properties properties = new Properties();
            if (in != null) {
                properties.load(in);
            }
            return properties.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
