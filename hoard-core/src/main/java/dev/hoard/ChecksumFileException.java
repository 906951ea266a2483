package dev.hoard;

import java.io.IOException;
import java.net.URI;

/**
 * A checksum file (SHA256SUMS and the like) cannot vouch for the file: it does not list it, lists it more than once
 * with different digests, or is not a checksum file at all. Nothing was downloaded or written. An integrity failure,
 * like a digest mismatch: nobody has said what the file's bytes should be.
 */
public final class ChecksumFileException extends IOException {
    private final URI url;
    private final URI checksumsUrl;
    private final String fileName;

    public ChecksumFileException(URI url, URI checksumsUrl, String fileName, String message) {
        super(message);
        this.url = url;
        this.checksumsUrl = checksumsUrl;
        this.fileName = fileName;
    }

    /** The URL whose digest was to be read from the checksum file. */
    public URI url() {
        return url;
    }

    /** The checksum file that was read. */
    public URI checksumsUrl() {
        return checksumsUrl;
    }

    /** The file name that was looked up in it, or null if the checksum file was refused before any lookup. */
    public String fileName() {
        return fileName;
    }
}
