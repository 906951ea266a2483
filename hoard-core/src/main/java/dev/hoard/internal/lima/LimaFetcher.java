package dev.hoard.internal.lima;

import dev.hoard.Digest;
import dev.hoard.DownloadException;
import dev.hoard.FetchListener;
import dev.hoard.FetchRequest;
import dev.hoard.FetchResult;
import dev.hoard.Hoard;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Fills Lima's cache from hoard's: each file is fetched through {@link Hoard#fetch} (so one download across
 * processes, resume, digests and retries all apply) and then written into its Lima entry, under Lima's lock.
 *
 * <h2>Locks</h2>
 * For each file, Lima's lock ({@code flock} on the entry directory) is taken first and held through the hit check,
 * the fetch and the writing of the entry, as {@code limactl} holds it: a {@code limactl start} at the same time
 * waits and then finds a hit. hoard's own entry lock is taken inside it, by the fetch. Every hoard process takes the
 * two in that order and {@code limactl} takes only the first, so they cannot deadlock.
 *
 * <h2>Alternatives</h2>
 * The choices of a group are tried in order, as Lima does: a choice whose download fails for good (an HTTP error,
 * or the network after the retries) gives way to the next, with a note; a digest mismatch is an error and ends the
 * group. A local location (a path or {@code file://}) that exists is what Lima would use, without a cache: nothing to
 * fetch.
 */
public final class LimaFetcher {

    /** What became of one file. {@code fetch} is null when the Lima entry was a hit or the file is local. */
    public record Result(LimaPlan.Part part, Status status, Path entry, FetchResult fetch, long size,
            Digest digest, Placement placement) {
    }

    /** Lima's three words, as {@code get} uses them. */
    public enum Status {
        DOWNLOADED("downloaded"), USED_CACHE("used-cache"), SKIPPED("skipped");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What happened to the Lima entry. */
    public enum Placement {
        /** {@code data} is a hard link to hoard's blob. */
        LINKED,
        /** {@code data} is a copy of hoard's blob (another file system). */
        COPIED,
        /** The entry was already a hit by Lima's rule and was left as it was. */
        KEPT,
        /** A local file: Lima reads it in place. */
        LOCAL;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A group that could not be fetched, with the results of the parts that were, and why. */
    public static final class GroupFailure extends Exception {
        private final transient LimaPlan.Part part;

        GroupFailure(LimaPlan.Part part, Exception cause) {
            super(cause.getMessage(), cause);
            this.part = part;
        }

        public LimaPlan.Part part() {
            return part;
        }

        public Exception failure() {
            return (Exception) getCause();
        }
    }

    private final Hoard hoard;
    private final LimaCache cache;
    private final UnaryOperator<FetchRequest> common;

    /** @param common what every request gets (credentials, headers) */
    public LimaFetcher(Hoard hoard, LimaCache cache, UnaryOperator<FetchRequest> common) {
        this.hoard = hoard;
        this.cache = cache;
        this.common = common;
    }

    /**
     * Fetches one choice of {@code group}: the first that can be fetched.
     *
     * @param listeners a new listener for each file fetched
     * @param notes     receives what the user should know: a lock waited for, a choice that gave way to the next
     * @throws GroupFailure no choice could be fetched (the last failure), or a digest did not match
     */
    public List<Result> fetch(LimaPlan.Group group, Supplier<FetchListener> listeners, Consumer<String> notes)
            throws GroupFailure, InterruptedException {
        GroupFailure last = null;
        for (int i = 0; i < group.choices().size(); i++) {
            LimaPlan.Choice choice = group.choices().get(i);
            List<Result> results = new ArrayList<>();
            LimaPlan.Part current = choice.parts().getFirst();
            try {
                for (LimaPlan.Part part : choice.parts()) {
                    current = part;
                    results.add(fetch(part, listeners, notes));
                }
                return results;
            } catch (DownloadException e) {
                last = new GroupFailure(current, e);
                if (i + 1 < group.choices().size()) {
                    notes.accept(e.getMessage() + "; trying the next " + group.kind().label() + " ("
                            + group.choices().get(i + 1).main().location() + ")");
                }
            } catch (LocalFileMissing e) {
                last = new GroupFailure(current, e);
            } catch (IOException | RuntimeException e) {
                throw new GroupFailure(current, e);
            }
        }
        throw last;
    }

    /** A local location that does not exist: Lima goes on to the next one. */
    private static final class LocalFileMissing extends IOException {
        LocalFileMissing(String location) {
            super(location + ": no such local file");
        }
    }

    @SuppressWarnings("try") // the lock is held for the block's duration, never referenced inside it
    private Result fetch(LimaPlan.Part part, Supplier<FetchListener> listeners, Consumer<String> notes)
            throws IOException, InterruptedException {
        LimaFile file = part.file();
        if (file.isLocal()) {
            Path path = Path.of(file.location().startsWith("file://") ? file.location().substring(7)
                    : file.location());
            if (!Files.isRegularFile(path)) {
                throw new LocalFileMissing(file.location());
            }
            return new Result(part, Status.SKIPPED, null, null, Files.size(path), file.digest(), Placement.LOCAL);
        }
        URI uri = uri(file);
        Path entry = cache.createEntry(file.location());
        try (DirectoryLock lock = DirectoryLock.acquire(entry, () -> notes.accept(file.name()
                + ": waiting for Lima's lock on " + entry + " (limactl, or another hoard, holds it)"))) {
            if (file.digest() != null && LimaCache.isHit(entry, file.digest(), null)) {
                return new Result(part, Status.USED_CACHE, entry, null, Files.size(entry.resolve("data")),
                        file.digest(), Placement.KEPT);
            }
            FetchResult fetched = hoard.fetch(common.apply(FetchRequest.of(uri)).digest(file.digest()),
                    listeners.get());
            Status status = fetched.status().label().equals(Status.DOWNLOADED.label()) ? Status.DOWNLOADED
                    : Status.USED_CACHE;
            if (file.digest() == null && LimaCache.isHit(entry, null, fetched.lastModified())) {
                return new Result(part, status, entry, fetched, fetched.size(), fetched.digest(), Placement.KEPT);
            }
            LimaCache.Placement placed = LimaCache.write(entry, file.location(), fetched.cachePath(), file.digest(),
                    fetched.lastModified(), fetched.contentType());
            return new Result(part, status, entry, fetched, fetched.size(), fetched.digest(),
                    placed == LimaCache.Placement.LINKED ? Placement.LINKED : Placement.COPIED);
        }
    }

    private static URI uri(LimaFile file) {
        try {
            return new URI(file.location());
        } catch (URISyntaxException e) {
            throw new TemplateException(file.where() + ": malformed URL '" + file.location() + "': "
                    + e.getReason());
        }
    }
}
