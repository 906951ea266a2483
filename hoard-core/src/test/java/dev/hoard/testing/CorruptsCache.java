package dev.hoard.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test that ends with its cache broken on purpose (a flipped byte for verify to find, a blob deleted behind the
 * metadata's back), so {@link CacheInvariants} does not check it and prints {@link #value() why} instead. A test that
 * repairs what it broke needs no such thing: the check then proves the repair.
 */
@Documented
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
public @interface CorruptsCache {
    /** What the test leaves broken, and why that is the point. */
    String value();
}
