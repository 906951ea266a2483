package dev.hoard.testing;

import java.io.File;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** How a test forks a JVM of its own that sees what this one sees. */
public final class TestJvm {
    private TestJvm() {}

    /** The {@code java} launcher of the running JVM. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * A class path with everything this JVM loads from: its class path and, since hoard-core's tests run on the
     * module path (as module dev.hoard, with the libraries that are modules beside it), its module path too, so that
     * a child started with {@code -cp} finds hoard's classes and every dependency.
     */
    public static String classPath() {
        return Stream.of(System.getProperty("java.class.path"), System.getProperty("jdk.module.path"))
                .filter(p -> p != null && !p.isEmpty())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
