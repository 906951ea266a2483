package dev.hoard;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/** The digest algorithms hoard accepts for expected digests. Content is always addressed by SHA-256. */
public enum DigestAlgorithm {
    SHA256("sha256", "SHA-256", 64),
    SHA512("sha512", "SHA-512", 128);

    private final String label;
    private final String jcaName;
    private final int hexLength;

    DigestAlgorithm(String label, String jcaName, int hexLength) {
        this.label = label;
        this.jcaName = jcaName;
        this.hexLength = hexLength;
    }

    /** The lower-case name used in {@code ALGO:HEX} strings, e.g. {@code sha256}. */
    public String label() {
        return label;
    }

    /** Number of hex characters in a digest of this algorithm. */
    public int hexLength() {
        return hexLength;
    }

    /** A fresh {@link MessageDigest}; every JDK ships both algorithms. */
    public MessageDigest newMessageDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jcaName + " is missing from this JDK", e);
        }
    }

    /**
     * Looks up an algorithm by its label, case-insensitively ({@code sha256}, {@code SHA-256} and {@code sha-256} all
     * work).
     *
     * @throws IllegalArgumentException naming the supported algorithms if {@code name} is not one of them
     */
    public static DigestAlgorithm of(String name) {
        String normalized = name.toLowerCase(Locale.ROOT).replace("-", "");
        for (DigestAlgorithm algorithm : values()) {
            if (algorithm.label.equals(normalized)) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("unknown digest algorithm '" + name + "'; supported: sha256, sha512");
    }
}
