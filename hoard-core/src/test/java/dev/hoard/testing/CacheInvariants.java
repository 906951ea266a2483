package dev.hoard.testing;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * Checks, after every test of a class that says {@code @ExtendWith(CacheInvariants.class)}, that each cache the test
 * declared with {@link CacheDir} still keeps the cache's invariants (see {@link CacheAudit}): whatever a test
 * asserted, it also must not have left a corrupt blob, metadata naming a missing blob, or a leaked temp file.
 *
 * <p>A test that breaks its cache on purpose says so with {@link CorruptsCache}; the reason is printed instead.
 * To be sure no cache goes unchecked, a cache found in a {@code @TempDir} of the test that no {@code @CacheDir}
 * names fails the test too. A test that failed or was skipped is not checked: its own outcome says more.
 */
public final class CacheInvariants implements AfterEachCallback {

    /** Fails, listing every violation and naming its file, if the cache at {@code root} breaks an invariant. */
    public static void assertHold(Path root) throws IOException {
        List<String> violations = CacheAudit.violations(root);
        if (!violations.isEmpty()) {
            throw new AssertionError("the cache at " + root + " breaks its invariants:\n  "
                    + String.join("\n  ", violations));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (context.getExecutionException().isPresent()) {
            return;
        }
        String test = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        Optional<CorruptsCache> waiver = AnnotationSupport.findAnnotation(context.getRequiredTestMethod(),
                CorruptsCache.class).or(() -> AnnotationSupport.findAnnotation(context.getRequiredTestClass(),
                CorruptsCache.class));
        List<Path> roots = new ArrayList<>();
        List<Path> tempDirs = new ArrayList<>();
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            roots.addAll(annotatedPaths(instance, CacheDir.class, test));
            tempDirs.addAll(annotatedPaths(instance, TempDir.class, test));
        }
        if (waiver.isPresent()) {
            System.err.println("CacheInvariants: not checked after " + test + ": " + waiver.get().value());
            return;
        }
        if (roots.isEmpty()) {
            throw new IllegalStateException(test + " extends with CacheInvariants but has no @CacheDir field");
        }
        for (Path root : roots) {
            assertHold(root);
        }
        assertNoUndeclaredCache(tempDirs, roots, test);
    }

    private static void assertNoUndeclaredCache(List<Path> tempDirs, List<Path> roots, String test)
            throws IOException {
        List<Path> declared = roots.stream().map(r -> r.toAbsolutePath().normalize()).toList();
        for (Path dir : tempDirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                List<Path> undeclared = files.filter(f -> f.getFileName().toString().equals("hoard-cache.json"))
                        .map(f -> f.getParent().toAbsolutePath().normalize())
                        .filter(cache -> !declared.contains(cache)).toList();
                if (!undeclared.isEmpty()) {
                    throw new AssertionError(test + " made a cache that no @CacheDir field names, so it went "
                            + "unchecked: " + undeclared);
                }
            }
        }
    }

    /** The values of {@code instance}'s fields annotated {@code annotation}, as paths. */
    private static List<Path> annotatedPaths(Object instance, Class<? extends Annotation> annotation, String test)
            throws IllegalAccessException {
        List<Path> paths = new ArrayList<>();
        for (Field field : AnnotationSupport.findAnnotatedFields(instance.getClass(), annotation,
                f -> true, HierarchyTraversalMode.TOP_DOWN)) {
            field.setAccessible(true);
            Object value = field.get(instance);
            switch (value) {
                case Path path -> paths.add(path);
                case String text -> paths.add(Path.of(text));
                case null -> throw new IllegalStateException(test + ": @" + annotation.getSimpleName() + " field "
                        + field.getName() + " is null after the test; assign it in @BeforeEach");
                default -> throw new IllegalStateException(test + ": @" + annotation.getSimpleName() + " field "
                        + field.getName() + " holds a " + value.getClass().getSimpleName() + ", not a Path or String");
            }
        }
        return paths;
    }
}
