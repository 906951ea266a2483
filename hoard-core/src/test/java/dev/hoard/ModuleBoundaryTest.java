package dev.hoard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Module {@code dev.hoard} exports its API and nothing else: a consumer on the module path that names a public class
 * from any {@code dev.hoard.internal} package does not compile, while the same consumer naming the API does.
 */
class ModuleBoundaryTest {
    @TempDir
    Path tmp;

    @Test
    void theModuleExportsOnlyTheApiPackage() {
        ModuleDescriptor descriptor = hoardModule().descriptor();
        assertEquals("dev.hoard", descriptor.name());
        assertEquals(List.of("dev.hoard"), descriptor.exports().stream()
                .map(e -> e.source() + (e.isQualified() ? " to " + e.targets() : "")).sorted().toList());
        assertTrue(descriptor.opens().isEmpty(), "opens " + descriptor.opens());
    }

    @Test
    void aModulePathConsumerCanUseTheApi() throws IOException {
        Compilation compiled = compileConsumer(List.of(Hoard.class.getName()));
        assertTrue(compiled.succeeded(), compiled.diagnostics());
    }

    @Test
    void aModulePathConsumerCannotReachAnyInternalPackage() throws IOException {
        Map<String, String> onePublicClassPerPackage = publicInternalClasses();
        assertTrue(onePublicClassPerPackage.size() >= 10, "found " + onePublicClassPerPackage);

        Compilation compiled = compileConsumer(List.copyOf(onePublicClassPerPackage.values()));

        assertFalse(compiled.succeeded(), "a consumer compiled against internal classes");
        for (String pkg : onePublicClassPerPackage.keySet()) {
            assertTrue(compiled.diagnostics().contains("package " + pkg + " is declared in module dev.hoard, which "
                    + "does not export it"), pkg + " is reachable; javac said:\n" + compiled.diagnostics());
        }
    }

    private record Compilation(boolean succeeded, String diagnostics) {
    }

    /** Compiles module {@code consumer}, which requires dev.hoard and names each of {@code classNames}. */
    private Compilation compileConsumer(List<String> classNames) throws IOException {
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("consumer"));
        Files.writeString(src.resolve("module-info.java"), "module consumer { requires dev.hoard; }\n");
        StringBuilder uses = new StringBuilder("package consumer;\npublic class Uses {\n");
        for (int i = 0; i < classNames.size(); i++) {
            uses.append("    public static final Class<?> C").append(i).append(" = ").append(classNames.get(i))
                    .append(".class;\n");
        }
        Files.writeString(src.resolve("consumer/Uses.java"), uses.append("}\n").toString());

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
            List<String> options = List.of("--module-path", modulePath(), "-d", tmp.resolve("out").toString(),
                    "-Xlint:none");
            Boolean ok = javac.getTask(new StringWriter(), files, diagnostics, options, null,
                    files.getJavaFileObjects(src.resolve("module-info.java"), src.resolve("consumer/Uses.java")))
                    .call();
            String said = diagnostics.getDiagnostics().stream().map(d -> d.getMessage(null))
                    .collect(Collectors.joining("\n"));
            return new Compilation(ok, said);
        }
    }

    /** Package name to one public top-level class in it, for every dev.hoard.internal package that has one. */
    private static Map<String, String> publicInternalClasses() throws IOException {
        Map<String, String> found = new TreeMap<>();
        try (ModuleReader reader = hoardModule().open(); Stream<String> entries = reader.list()) {
            for (String entry : (Iterable<String>) entries.sorted()::iterator) {
                if (!entry.startsWith("dev/hoard/internal/") || !entry.endsWith(".class") || entry.contains("$")
                        || entry.endsWith("package-info.class")) {
                    continue;
                }
                String name = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
                String pkg = name.substring(0, name.lastIndexOf('.'));
                if (!found.containsKey(pkg) && Modifier.isPublic(load(name).getModifiers())) {
                    found.put(pkg, name);
                }
            }
        }
        return found;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, ModuleBoundaryTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    private static ModuleReference hoardModule() {
        Optional<ModuleReference> module = ModuleFinder.of(location(Hoard.class)).find("dev.hoard");
        assertTrue(module.isPresent(), "no module dev.hoard at " + location(Hoard.class));
        return module.get();
    }

    /**
     * The module path this test runs on (surefire puts hoard-core and its dependencies there), or, run from the class
     * path, the places of hoard-core's classes and of the libraries module dev.hoard needs.
     */
    private static String modulePath() {
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            return modulePath;
        }
        List<String> path = new ArrayList<>();
        for (String name : List.of("dev.hoard.Hoard", "org.tukaani.xz.XZInputStream",
                "com.github.luben.zstd.ZstdInputStream", "org.apache.commons.compress.compressors.CompressorException",
                "org.apache.commons.io.IOUtils", "org.apache.commons.lang3.StringUtils",
                "org.apache.commons.codec.DecoderException")) {
            path.add(location(load(name)).toString());
        }
        return String.join(File.pathSeparator, path);
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
