package dev.hoard.cli;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads sizes such as {@code 10G}, {@code 500M}, {@code 1.5GiB}, {@code 800KB} or {@code 4096}. As in coreutils,
 * {@code K M G T P} alone or with {@code iB} are powers of 1024, with {@code B} powers of 1000; a bare number is
 * bytes. Letters may be in either case.
 */
final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:([kmgtp])(ib|b)?|b)?",
            Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "kmgtp";

    @Override
    public Long convert(String value) {
        Matcher m = FORMAT.matcher(value.trim());
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a size; use e.g. 500M, 10G, 1.5GiB, 800KB or a number of bytes");
        }
        BigDecimal bytes = new BigDecimal(m.group(1));
        if (m.group(2) != null) {
            int power = UNITS.indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
            boolean decimal = "b".equalsIgnoreCase(m.group(3));
            bytes = bytes.multiply(BigDecimal.valueOf(decimal ? 1000 : 1024).pow(power));
        }
        try {
            return bytes.toBigInteger().longValueExact();
        } catch (ArithmeticException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large a size");
        }
    }
}
