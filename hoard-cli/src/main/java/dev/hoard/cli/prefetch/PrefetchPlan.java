package dev.hoard.cli.prefetch;

import dev.hoard.Credentials;
import dev.hoard.Digest;
import dev.hoard.FetchRequest;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * What a prefetch will fetch: every manifest's items, checked, with duplicates collapsed. Items with the same URL and
 * the same output (or none) are one fetch, whichever manifests they come from; their mirrors are merged, and they
 * must not disagree on the digest. Two items that write the same output from different URLs are an error. All of
 * this is decided before anything is fetched.
 */
public final class PrefetchPlan {

    /**
     * One fetch.
     *
     * @param request what the library is asked
     * @param where   where it is listed, e.g. {@code a.yaml:3:3}, first listing first
     */
    public record Fetch(FetchRequest request, List<String> where) {
    }

    private record Key(String url, Path output) {
    }

    private final List<Fetch> fetches;

    private PrefetchPlan(List<Fetch> fetches) {
        this.fetches = fetches;
    }

    /**
     * Reads and checks every manifest.
     *
     * @throws ManifestException a manifest is malformed or items conflict (the message says where)
     * @throws IOException       a manifest cannot be read
     */
    public static PrefetchPlan read(List<Path> manifests) throws IOException {
        return read(manifests, UnaryOperator.identity());
    }

    /**
     * Reads and checks every manifest, and gives each fetch what the command line says for all of them.
     *
     * @param common adds what every item gets, e.g. headers for its URL's host; an item's own headers win over them
     */
    public static PrefetchPlan read(List<Path> manifests, UnaryOperator<FetchRequest> common) throws IOException {
        List<ManifestItem> items = new ArrayList<>();
        for (Path manifest : manifests) {
            items.addAll(Manifest.read(manifest));
        }
        return of(items, common);
    }

    static PrefetchPlan of(List<ManifestItem> items) {
        return of(items, UnaryOperator.identity());
    }

    static PrefetchPlan of(List<ManifestItem> items, UnaryOperator<FetchRequest> common) {
        Map<Key, ManifestItem> merged = new LinkedHashMap<>();
        Map<Key, List<String>> where = new HashMap<>();
        Map<Path, ManifestItem> byOutput = new HashMap<>();
        for (ManifestItem item : items) {
            if (item.output() != null) {
                ManifestItem writer = byOutput.putIfAbsent(item.output(), item);
                if (writer != null && !writer.url().equals(item.url())) {
                    throw new ManifestException(item.location(), "output " + item.output() + " is also written by "
                            + "the item at " + writer.location() + ", from another URL (" + writer.shownUrl() + ")");
                }
            }
            Key key = new Key(item.url().toString(), item.output());
            merged.merge(key, item, PrefetchPlan::merge);
            where.computeIfAbsent(key, k -> new ArrayList<>()).add(item.location().toString());
        }
        List<Fetch> fetches = new ArrayList<>();
        merged.forEach((key, item) -> fetches.add(new Fetch(request(item, common), List.copyOf(where.get(key)))));
        return new PrefetchPlan(List.copyOf(fetches));
    }

    /** The fetches, in the order their first items are listed. */
    public List<Fetch> fetches() {
        return fetches;
    }

    /** One item for two listings of the same URL and output: mirrors merged, digests and checksums agreeing. */
    private static ManifestItem merge(ManifestItem first, ManifestItem again) {
        Digest digest = agree(first.digest(), again.digest(), "digest", first, again);
        URI checksums = agree(first.checksums(), again.checksums(), "checksums", first, again);
        if (!first.headers().isEmpty() && !again.headers().isEmpty() && !first.headers().equals(again.headers())) {
            throw new ManifestException(again.location(), again.shownUrl() + " is also listed at " + first.location()
                    + " with other headers"); // not shown: they may hold tokens
        }
        LinkedHashSet<URI> mirrors = new LinkedHashSet<>(first.mirrors());
        mirrors.addAll(again.mirrors());
        return new ManifestItem(first.url(), List.copyOf(mirrors), digest, checksums, first.output(),
                first.headers().isEmpty() ? again.headers() : first.headers(), first.location());
    }

    private static <T> T agree(T first, T again, String field, ManifestItem firstItem, ManifestItem againItem) {
        if (first != null && again != null && !Objects.equals(first, again)) {
            throw new ManifestException(againItem.location(), againItem.shownUrl() + " is also listed at "
                    + firstItem.location() + " with another " + field + " (" + Credentials.redact(again.toString())
                    + " here, " + Credentials.redact(first.toString()) + " there)");
        }
        return first != null ? first : again;
    }

    private static FetchRequest request(ManifestItem item, UnaryOperator<FetchRequest> common) {
        return common.apply(FetchRequest.of(item.url()))
                .mirrors(item.mirrors())
                .digest(item.digest())
                .checksums(item.checksums())
                .output(item.output())
                .headers(item.headers());
    }
}
