package dev.hoard.internal.fetch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to retry a failed attempt: exponential backoff with jitter, or the server's {@code Retry-After}.
 *
 * @param maxRetries    retries after the first attempt, counted only across attempts that made no progress
 * @param initialDelay  the delay before the first retry; doubled each time
 * @param maxDelay      the cap on a computed delay
 * @param maxRetryAfter the cap on a server's Retry-After, so a hostile or broken value cannot park us for days
 */
public record Backoff(int maxRetries, Duration initialDelay, Duration maxDelay, Duration maxRetryAfter) {

    /**
     * The delay before retry number {@code failures} (1-based): the server's Retry-After when it sent one,
     * otherwise {@code initialDelay × 2^(failures-1)} capped at {@code maxDelay}, with "equal jitter" (between half
     * and all of it) so that many clients that failed together do not retry together.
     */
    Duration delay(int failures, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
        }
        long base = initialDelay.toMillis() << Math.min(failures - 1, 20);
        long capped = Math.min(base, maxDelay.toMillis());
        long half = capped / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    /** Reads a Retry-After header: delay-seconds or an HTTP-date. Null if absent or unreadable. */
    static Duration parseRetryAfter(String header, Clock clock) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            // not delay-seconds; try an HTTP-date
        }
        try {
            Instant when = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration delay = Duration.between(clock.instant(), when);
            return delay.isNegative() ? Duration.ZERO : delay;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
