package dev.hoard.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LongSummaryStatistics;
import org.junit.jupiter.api.Test;

/** When a failed attempt is retried: exponential backoff with equal jitter, or the server's Retry-After. */
class BackoffTest {
    private static final Clock NOW = Clock.fixed(Instant.parse("2025-03-01T10:00:00Z"), ZoneOffset.UTC);

    /** 10 ms doubling to at most 80 ms; a Retry-After of at most 2 s. */
    private final Backoff backoff = new Backoff(3, Duration.ofMillis(10), Duration.ofMillis(80),
            Duration.ofSeconds(2));

    @Test
    void eachDelayDoublesTheLastAndIsJitteredBetweenHalfAndAllOfIt() {
        assertEquals(new Range(5, 10), delays(1));
        assertEquals(new Range(10, 20), delays(2));
        assertEquals(new Range(20, 40), delays(3));
        assertEquals(new Range(40, 80), delays(4));
    }

    @Test
    void delaysStopGrowingAtTheCapHoweverManyFailuresCame() {
        assertEquals(new Range(40, 80), delays(5));
        assertEquals(new Range(40, 80), delays(21));
        // Unbounded, the shift would reach the sign bit at 63 failures and wrap to zero at 64.
        assertEquals(new Range(40, 80), delays(63));
        assertEquals(new Range(40, 80), delays(64));
    }

    @Test
    void aRetryAfterIsUsedAsSentWithoutJitter() {
        assertEquals(Duration.ofMillis(1500), backoff.delay(1, Duration.ofMillis(1500)));
        assertEquals(Duration.ofMillis(1), backoff.delay(4, Duration.ofMillis(1)), "even below the backoff");
        assertEquals(Duration.ZERO, backoff.delay(2, Duration.ZERO));
    }

    @Test
    void aRetryAfterIsCappedAtMaxRetryAfter() {
        assertEquals(Duration.ofSeconds(2), backoff.delay(1, Duration.ofSeconds(2)));
        assertEquals(Duration.ofSeconds(2), backoff.delay(1, Duration.ofSeconds(2).plusMillis(1)));
        assertEquals(Duration.ofSeconds(2), backoff.delay(1, Duration.ofDays(3650)));
    }

    @Test
    void retryAfterInDelaySecondsIsRead() {
        assertEquals(Duration.ofSeconds(120), Backoff.parseRetryAfter("120", NOW));
        assertEquals(Duration.ofSeconds(7), Backoff.parseRetryAfter(" 7 ", NOW));
        assertEquals(Duration.ZERO, Backoff.parseRetryAfter("0", NOW));
    }

    @Test
    void retryAfterAsAnHttpDateIsTheTimeFromNowUntilThen() {
        assertEquals(Duration.ofSeconds(150), Backoff.parseRetryAfter("Sat, 01 Mar 2025 10:02:30 GMT", NOW));
        assertEquals(Duration.ofDays(1), Backoff.parseRetryAfter("Sun, 02 Mar 2025 10:00:00 GMT", NOW));
    }

    @Test
    void anHttpDateInThePastMeansRetryAtOnce() {
        assertEquals(Duration.ZERO, Backoff.parseRetryAfter("Sat, 01 Mar 2025 10:00:00 GMT", NOW));
        assertEquals(Duration.ZERO, Backoff.parseRetryAfter("Sat, 01 Mar 2025 09:59:59 GMT", NOW));
        assertEquals(Duration.ZERO, Backoff.parseRetryAfter("Thu, 01 Jan 1970 00:00:00 GMT", NOW));
    }

    @Test
    void aMissingNegativeOrUnreadableRetryAfterIsIgnored() {
        for (String header : new String[] {null, "", "   ", "-1", "-120", "soon", "1.5", "10s", "0x10",
                "Sat, 01 Mar 2025", "2025-03-01T10:02:30Z", "Sat, 32 Mar 2025 10:02:30 GMT"}) {
            assertNull(Backoff.parseRetryAfter(header, NOW), "'" + header + "'");
        }
    }

    /** The smallest and largest of many delays before retry number {@code failures}, in milliseconds. */
    private Range delays(int failures) {
        LongSummaryStatistics stats = new LongSummaryStatistics();
        for (int i = 0; i < 5000; i++) {
            stats.accept(backoff.delay(failures, null).toMillis());
        }
        return new Range(stats.getMin(), stats.getMax());
    }

    /**
     * Both ends, inclusive. With 5000 draws from at most 41 equally likely values, missing an end by chance has a
     * probability below e^-120: a range that comes out narrower means the jitter is not between half and all.
     */
    private record Range(long min, long max) {
    }
}
