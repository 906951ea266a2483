package dev.hoard.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads durations such as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}. The unit is required: a
 * bare {@code 7} could mean seconds to one reader and days to another, and {@code prune --older-than 7} taken as
 * seconds would empty the cache. It is refused, with the reading that is likely meant.
 */
class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    private final String likelyUnit;

    /** For timeouts and delays, where a bare number most likely meant seconds. */
    DurationConverter() {
        this("s");
    }

    private DurationConverter(String likelyUnit) {
        this.likelyUnit = likelyUnit;
    }

    /** For ages ({@code prune --older-than}), where a bare number most likely meant days. */
    static final class Age extends DurationConverter {
        Age() {
            super("d");
        }
    }

    @Override
    public Duration convert(String value) {
        Matcher m = FORMAT.matcher(value.trim());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration; use e.g. 500ms, 30s, 5m, 2h or 7d");
        }
        if (m.group(2) == null) {
            throw new CommandLine.TypeConversionException("'" + value + "' has no unit; did you mean " + m.group(1)
                    + likelyUnit + "? (units: ms, s, m, h, d)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
