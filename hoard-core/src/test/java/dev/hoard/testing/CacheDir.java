package dev.hoard.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a field of a test class that holds a cache root, as a {@link java.nio.file.Path} or a {@code String}, for
 * {@link CacheInvariants} to check after each test. Assign it before the test runs (in {@code @BeforeEach}); a root
 * the test never created is fine, a field still null is a mistake and fails.
 */
@Documented
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
public @interface CacheDir {
}
