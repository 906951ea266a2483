package dev.hoard.internal.lima;

import dev.hoard.Digest;

/**
 * A file that Lima may download for an instance: an entry of {@code images}, an image's {@code kernel} or
 * {@code initrd}, a {@code containerd.archives} or {@code firmware.images} entry.
 *
 * @param location the URL (or local path) exactly as the template writes it: Lima's cache key is its SHA-256
 * @param arch     the arch it is for, or null for any
 * @param digest   the expected digest, or null
 * @param where    where it is written, {@code file:line}, for messages
 */
public record LimaFile(String location, String arch, Digest digest, String where) {

    /** True for a local path or {@code file://} URL, which Lima reads in place and never caches. */
    public boolean isLocal() {
        return !location.contains("://") || location.startsWith("file://");
    }

    /** The last path segment, for progress lines. */
    public String name() {
        String path = location.replaceAll("[?#].*$", "");
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
