package dev.hoard.internal.store;

import dev.hoard.Digest;
import dev.hoard.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the cache knows about one URL: where its content is and how to revalidate it. Stored as
 * {@code entries/<key>/meta.json}; see docs/cache-layout.md.
 *
 * @param url            the URL as requested
 * @param etag           the server's ETag, or null
 * @param lastModified   the server's Last-Modified as sent (an HTTP-date), or null
 * @param contentType    the server's Content-Type, or null
 * @param size           content length in bytes
 * @param sha256         digest of the content; names the blob
 * @param expectedDigest the digest the request asked for, or null
 * @param fetchedAt      when the content was downloaded
 * @param validatedAt    when the server last confirmed the content (download or 304)
 */
public record EntryMetadata(String url, String etag, String lastModified, String contentType, long size,
        Digest sha256, Digest expectedDigest, Instant fetchedAt, Instant validatedAt) {

    static final int FORMAT = 1;

    public EntryMetadata withValidatedAt(Instant when) {
        return new EntryMetadata(url, etag, lastModified, contentType, size, sha256, expectedDigest, fetchedAt, when);
    }

    public String toJson() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("format", FORMAT);
        fields.put("url", url);
        fields.put("etag", etag);
        fields.put("lastModified", lastModified);
        fields.put("contentType", contentType);
        fields.put("size", size);
        fields.put("sha256", sha256.hex());
        fields.put("expectedDigest", expectedDigest == null ? null : expectedDigest.toString());
        fields.put("fetchedAt", fetchedAt.toString());
        fields.put("validatedAt", validatedAt.toString());
        return Json.write(fields);
    }

    /** Larger than any metadata hoard writes: a file this large is not metadata, and is not read whole. */
    private static final int MAX_BYTES = 1 << 20;

    /**
     * What {@code file} holds: the metadata, or none; and when the file is there but is not usable metadata (not
     * UTF-8, not JSON, not our fields, a directory or a symlink in its place, unreadable), why, naming the path.
     */
    public record Found(Optional<EntryMetadata> metadata, String damage) {
    }

    /**
     * The metadata in {@code file}, or empty when there is none or it cannot be read as metadata: a corrupt file is
     * a miss, which the next download replaces. A symlink in its place is not followed.
     */
    static Optional<EntryMetadata> read(Path file) {
        return inspect(file).metadata();
    }

    static Found inspect(Path file) {
        try {
            return new Found(Optional.of(parse(readNoFollow(file))), null);
        } catch (NoSuchFileException e) {
            return new Found(Optional.empty(), null);
        } catch (CharacterCodingException e) {
            return new Found(Optional.empty(), file + " is not valid metadata: not UTF-8");
        } catch (IOException e) {
            String damage = Damage.ofFile(file);
            return new Found(Optional.empty(), damage != null ? damage
                    : file + " cannot be read: " + (e.getMessage() == null ? e : e.getMessage()));
        } catch (RuntimeException e) {
            return new Found(Optional.empty(), file + " is not valid metadata: " + e.getMessage());
        }
    }

    private static String readNoFollow(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IllegalArgumentException("larger than " + MAX_BYTES + " bytes");
        }
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    }

    /**
     * Reads metadata written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException if the text is not valid metadata of this format; callers treat that as a miss
     */
    public static EntryMetadata parse(String json) {
        Map<String, Object> fields = Json.parseObject(json);
        if (!Long.valueOf(FORMAT).equals(fields.get("format"))) {
            throw new IllegalArgumentException("unknown metadata format " + fields.get("format"));
        }
        String expected = string(fields, "expectedDigest", false);
        return new EntryMetadata(
                string(fields, "url", true),
                string(fields, "etag", false),
                string(fields, "lastModified", false),
                string(fields, "contentType", false),
                number(fields, "size"),
                Digest.sha256(string(fields, "sha256", true)),
                expected == null ? null : Digest.parse(expected),
                instant(string(fields, "fetchedAt", true)),
                instant(string(fields, "validatedAt", true)));
    }

    /**
     * Reads what {@link Instant#toString()} wrote, {@code 2026-11-22T08:03:02.016413512Z}, by hand: {@link
     * Instant#parse}, and even {@code LocalDate}'s leap-year check, first build the JDK's table of date formatters, a
     * few milliseconds of every cache hit that reads metadata (docs/benchmarks.md, "Fast hits"). Anything else goes
     * to {@link Instant#parse}, which also gives the error for what is not a valid instant.
     */
    static Instant instant(String text) {
        int n = text.length();
        if (n < 20 || n > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(n - 1) != 'Z'
                || n > 20 && (text.charAt(19) != '.' || n == 21)) {
            return Instant.parse(text);
        }
        try {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 7);
            int day = digits(text, 8, 10);
            int hour = digits(text, 11, 13);
            int minute = digits(text, 14, 16);
            int second = digits(text, 17, 19);
            int nanos = n == 20 ? 0 : digits(text.substring(20, n - 1) + "000000000", 0, 9);
            if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59
                    || second > 59) {
                return Instant.parse(text);
            }
            long seconds = epochDay(year, month, day) * 86_400 + hour * 3_600L + minute * 60L + second;
            return Instant.ofEpochSecond(seconds, nanos);
        } catch (NumberFormatException e) {
            return Instant.parse(text);
        }
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    private static int daysInMonth(int year, int month) {
        boolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        return switch (month) {
            case 2 -> leap ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException("not a digit in " + text);
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static String string(Map<String, Object> fields, String name, boolean required) {
        Object value = fields.get(name);
        if (value == null && !required) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException("metadata field '" + name + "' is missing or not a string");
        }
        return s;
    }

    private static long number(Map<String, Object> fields, String name) {
        if (!(fields.get(name) instanceof Long n) || n < 0) {
            throw new IllegalArgumentException("metadata field '" + name + "' is missing or not a size");
        }
        return n;
    }
}
