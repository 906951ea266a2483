package dev.hoard;

import java.util.List;

/**
 * What {@code prune --shared} removed from the shared tier (or, in a dry run, would remove).
 *
 * @param removed    content removed, with the URL its record named (if any)
 * @param skipped    content left because a machine holds a live lease on its URL
 * @param bytesFreed the size of the removed content
 * @param bytesLeft  the size of the content left
 */
public record SharedPruneReport(List<SharedTierEntry> removed, List<SharedTierEntry> skipped, long bytesFreed,
        long bytesLeft) {
}
