package dev.hoard;

import java.util.HexFormat;
import java.util.Locale;

/**
 * A content digest such as {@code sha256:9f86d0...}. The hex is kept in lower case, so two digests of the same bytes
 * are {@code equal}.
 */
public record Digest(DigestAlgorithm algorithm, String hex) {

    public Digest {
        if (algorithm == null || hex == null) {
            throw new IllegalArgumentException("a digest needs an algorithm and a hex value");
        }
        hex = hex.toLowerCase(Locale.ROOT);
        if (hex.length() != algorithm.hexLength() || !isHex(hex)) {
            throw new IllegalArgumentException("malformed " + algorithm.label() + " digest '" + hex + "': expected "
                    + algorithm.hexLength() + " hex characters");
        }
    }

    /**
     * Parses {@code ALGO:HEX}, e.g. {@code sha256:e3b0c442...}.
     *
     * @throws IllegalArgumentException with a message that says what is wrong and what is expected
     */
    public static Digest parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(
                    "malformed digest '" + text + "': expected ALGO:HEX, e.g. sha256:<64 hex characters>");
        }
        return new Digest(DigestAlgorithm.of(text.substring(0, colon)), text.substring(colon + 1).trim());
    }

    public static Digest of(DigestAlgorithm algorithm, byte[] digestBytes) {
        return new Digest(algorithm, HexFormat.of().formatHex(digestBytes));
    }

    public static Digest sha256(String hex) {
        return new Digest(DigestAlgorithm.SHA256, hex);
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    // Written out: a record's generated equals and hashCode bootstrap through method handles, which a cold JVM spins
    // up on a cache hit's first comparison of two digests (docs/benchmarks.md, "Fast hits").
    @Override
    public boolean equals(Object other) {
        return other instanceof Digest d && algorithm == d.algorithm && hex.equals(d.hex);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm.hashCode() + hex.hashCode();
    }

    @Override
    public String toString() {
        return algorithm.label() + ":" + hex;
    }
}
