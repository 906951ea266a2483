package dev.hoard.internal.lima;

import java.net.URI;
import java.nio.file.Path;

/**
 * Where a template is read from: a file, or an http(s) URL.
 *
 * @param file  the file, or null for a URL
 * @param url   the URL, or null for a file
 * @param shown how messages name it: {@code template:k8s}, or the path or URL as resolved
 */
public record TemplateLocation(Path file, URI url, String shown) {

    /** What identifies it for cycle detection: the absolute path or the URL. */
    String key() {
        return file != null ? file.toAbsolutePath().normalize().toString() : url.toString();
    }

    @Override
    public String toString() {
        return shown;
    }
}
