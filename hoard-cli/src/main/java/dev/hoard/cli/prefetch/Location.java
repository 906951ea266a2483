package dev.hoard.cli.prefetch;

import java.nio.file.Path;

/**
 * Where something is written in a manifest, for error messages: {@code hosts.yaml:12:5} (line and column, both
 * from 1; column 0 when only the line is known).
 */
record Location(Path file, int line, int column) {

    @Override
    public String toString() {
        return file + ":" + line + (column > 0 ? ":" + column : "");
    }
}
