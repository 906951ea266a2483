package dev.hoard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SizeConverterTest {
    private final SizeConverter converter = new SizeConverter();

    @Test
    void lettersAloneAndWithIbArePowersOf1024AndWithBPowersOf1000() {
        assertEquals(10L << 30, converter.convert("10G"));
        assertEquals(500L << 20, converter.convert("500M"));
        assertEquals(3L << 29, converter.convert("1.5GiB"));
        assertEquals(800_000L, converter.convert("800KB"));
        assertEquals(2_000_000_000L, converter.convert("2gb"));
        assertEquals(4096L, converter.convert("4096"));
        assertEquals(12L, converter.convert("12B"));
        assertEquals(1L << 40, converter.convert("1 TiB"));
    }

    @Test
    void anythingElseIsAClearError() {
        for (String bad : new String[] {"", "G", "10X", "-1G", "1.5.2G", "10GG", "99999999999P"}) {
            assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert(bad), bad);
        }
    }
}
