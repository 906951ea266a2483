package dev.hoard.cli.prefetch;

/**
 * A manifest that cannot be used: malformed, or an item with a bad URL, digest or path. A usage error (exit 2),
 * raised before anything is fetched. The message starts with the file, line and column.
 */
public final class ManifestException extends IllegalArgumentException {
    private final transient Location location;

    ManifestException(Location location, String problem) {
        super(location + ": " + problem);
        this.location = location;
    }

    /** File, line and column of the problem. */
    public String location() {
        return location.toString();
    }
}
