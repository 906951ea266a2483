package dev.hoard;

/** What {@link Hoard#fetch} did, in the words of Lima's downloader. */
public enum FetchStatus {
    /** The bytes came over the network (or from a local source) in this call. */
    DOWNLOADED("downloaded"),
    /** The cache already held the file; nothing but perhaps a conditional request crossed the network. */
    USED_CACHE("used-cache"),
    /** The output path already held the file (verified when a digest was given); nothing was written. */
    SKIPPED("skipped");

    private final String label;

    FetchStatus(String label) {
        this.label = label;
    }

    /** The name used on the command line and in JSON. */
    public String label() {
        return label;
    }
}
