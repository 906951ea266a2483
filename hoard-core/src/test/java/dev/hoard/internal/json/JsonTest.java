package dev.hoard.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The metadata files' JSON: what {@link Json#write} writes reads back as it was, and bad input fails clearly. */
class JsonTest {

    @Test
    void aMetadataShapedObjectRoundTripsInItsOrder() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", 1L);
        meta.put("url", "https://example.org/images/disk.qcow2?version=2&arch=amd64");
        meta.put("etag", "\"5f2a-63b1\"");
        meta.put("lastModified", null);
        meta.put("size", 4_294_967_296L * 3);
        meta.put("resumable", true);
        meta.put("stale", false);
        meta.put("ratio", 0.25);
        meta.put("segments", List.of(List.of(0L, 1_048_576L, 17L), List.of(1_048_576L, 2_097_152L, 0L)));
        meta.put("empty", List.of());

        String text = Json.write(meta);

        assertEquals(meta, Json.parseObject(text));
        assertEquals(List.copyOf(meta.keySet()), List.copyOf(Json.parseObject(text).keySet()), "insertion order");
        assertTrue(text.startsWith("{\n  \"format\": 1,\n  \"url\": "), text);
        assertTrue(text.contains("\n  \"segments\": [[0, 1048576, 17], [1048576, 2097152, 0]],\n"), text);
        assertTrue(text.endsWith("\n}\n"), text);
        assertEquals("{}\n", Json.write(Map.of()));
        assertEquals(Map.of(), Json.parseObject(Json.write(Map.of())));
    }

    @Test
    void integersReadBackAsLongsAndOtherNumbersAsDoubles() {
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("int", 7);
        numbers.put("max", Long.MAX_VALUE);
        numbers.put("min", Long.MIN_VALUE);
        numbers.put("float", 1.5f);
        numbers.put("huge", 1e300);
        numbers.put("tiny", -2.5e-300);

        Map<String, Object> read = Json.parseObject(Json.write(numbers));

        assertEquals(7L, read.get("int"));
        assertEquals(Long.MAX_VALUE, read.get("max"));
        assertEquals(Long.MIN_VALUE, read.get("min"));
        assertEquals(1.5, read.get("float"));
        assertEquals(1e300, read.get("huge"));
        assertEquals(-2.5e-300, read.get("tiny"));
    }

    @Test
    void numbersInEveryJsonSpelling() {
        assertEquals(0L, Json.parse("0"));
        assertEquals(-0L, Json.parse("-0"));
        assertEquals(-12L, Json.parse("-12"));
        assertEquals(1000.0, Json.parse("1e3"));
        assertEquals(1000.0, Json.parse("1E+3"));
        assertEquals(0.001, Json.parse("1e-3"));
        assertEquals(-0.5, Json.parse("-0.5"));
        assertEquals(31.4, Json.parse("3.14e1"));
    }

    @Test
    void escapesRoundTripAndEveryControlCharacterIsWrittenEscaped() {
        StringBuilder all = new StringBuilder("quote \" backslash \\ slash / ");
        for (char c = 0; c < 0x20; c++) {
            all.append(c);
        }
        String text = all.toString();

        String written = Json.write(Map.of("s", text));

        assertEquals(text, Json.parseObject(written).get("s"));
        String literal = written.substring(written.indexOf(": ") + 2, written.lastIndexOf('"') + 1);
        assertTrue(literal.chars().noneMatch(c -> c < 0x20), "a raw control character was written: " + literal);
        assertTrue(literal.contains("\\\"") && literal.contains("\\\\") && literal.contains("\\n")
                && literal.contains("\\r") && literal.contains("\\t") && literal.contains("\\u0000")
                && literal.contains("\\u001f"), literal);
    }

    @Test
    void everyEscapeTheReaderKnows() {
        assertEquals("\" \\ / \b \f \n \r \t", Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""));
        assertEquals("A\u00e9\u4e2d", Json.parse("\"\\u0041\\u00E9\\u4e2d\""));
        assertEquals("\uD83D\uDCBE", Json.parse("\"\\ud83d\\udcbe\""), "a surrogate pair, escaped");
    }

    @Test
    void unicodeIsWrittenAsItselfAndReadBack() {
        String url = "https://例え.jp/ファイル/caf\u00e9/\uD83D\uDCBE.iso";

        String written = Json.write(Map.of("url", url));

        assertTrue(written.contains(url), "non-ASCII text is not escaped: " + written);
        assertEquals(url, Json.parseObject(written).get("url"));
    }

    @Test
    void nestedValuesAndWhitespaceAreRead() {
        Object value = Json.parse(" \n\t{ \"a\" : [ 1 , { \"b\" : [ [ ] , { } , null ] } ] ,\r\n \"c\" : { } } ");

        Map<String, Object> expectedInner = new LinkedHashMap<>();
        expectedInner.put("b", Arrays.asList(List.of(), Map.of(), null));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", List.of(1L, expectedInner));
        expected.put("c", Map.of());
        assertEquals(expected, value);
        assertNull(Json.parse("null"));
        assertEquals(true, Json.parse("true"));
        assertEquals("x", Json.parse("\"x\""));
    }

    @Test
    void aRepeatedFieldKeepsTheLastValue() {
        assertEquals(Map.of("a", 2L), Json.parseObject("{\"a\": 1, \"a\": 2}"));
    }

    @Test
    void malformedInputFailsWithTheOffsetAndWhatWasWrong() {
        String[][] cases = {
            {"", "malformed JSON at offset 0: unexpected end"},
            {"   ", "malformed JSON at offset 3: unexpected end"},
            {"{", "malformed JSON at offset 1: expected a field name"},
            {"{\"a\"}", "malformed JSON at offset 4: expected ':'"},
            {"{\"a\": }", "malformed JSON at offset 6: unexpected character '}'"},
            {"{\"a\": 1,}", "malformed JSON at offset 8: expected a field name"},
            {"{\"a\": 1 \"b\": 2}", "malformed JSON at offset 8: expected '}'"},
            {"{'a': 1}", "malformed JSON at offset 1: expected a field name"},
            {"{\"format\": 1, \"url\": tru", "malformed JSON at offset 21: unexpected token"},
            {"[1,]", "malformed JSON at offset 3: unexpected character ']'"},
            {"[1 2]", "malformed JSON at offset 3: expected ']'"},
            {"[", "malformed JSON at offset 1: unexpected end"},
            {"\"abc", "malformed JSON at offset 4: unterminated string"},
            {"\"a\nb\"", "malformed JSON at offset 3: control character in string"},
            {"\"\\x\"", "malformed JSON at offset 3: bad escape \\x"},
            {"\"\\", "malformed JSON at offset 2: unterminated escape"},
            {"\"\\u12\"", "malformed JSON at offset 3: truncated \\u escape"},
            {"\"\\u12G4\"", "malformed JSON at offset 3: bad \\u escape"},
            {"1 2", "malformed JSON at offset 2: trailing characters"},
            {"{} {}", "malformed JSON at offset 3: trailing characters"},
            {"1e", "malformed JSON at offset 2: bad number '1e'"},
            {"12345678901234567890", "malformed JSON at offset 20: bad number '12345678901234567890'"},
            {"nul", "malformed JSON at offset 0: unexpected token"},
            {"NaN", "malformed JSON at offset 0: unexpected character 'N'"},
            {"Infinity", "malformed JSON at offset 0: unexpected character 'I'"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(c[0]),
                    "accepted: " + c[0]);
            assertEquals(c[1], e.getMessage(), c[0]);
        }
    }

    @Test
    void aDocumentThatIsNotAnObjectIsRejectedByParseObject() {
        for (String notAnObject : new String[] {"[]", "\"{}\"", "1", "null"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Json.parseObject(notAnObject), notAnObject);
            assertEquals("expected a JSON object", e.getMessage());
        }
    }
}
