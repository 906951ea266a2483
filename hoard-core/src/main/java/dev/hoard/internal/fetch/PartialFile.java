package dev.hoard.internal.fetch;

import dev.hoard.internal.store.CacheEntry;
import dev.hoard.internal.store.PartialRecord;
import dev.hoard.internal.store.PartialRecord.Segment;
import dev.hoard.internal.store.SegmentProgress;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The file a download writes into, and the record of what it holds ({@code partial.json}) that lets the next lock
 * holder resume it. Used by the download's own thread only (segment workers write the file's bytes, never the
 * record).
 */
final class PartialFile {
    private final Path path;
    private final CacheEntry entry; // null for --no-cache: nothing to resume, no record
    private final PrefixListener prefix;
    private PartialRecord record;
    /** False while the file holds a decoded body, whose bytes no range request can continue: it goes unrecorded. */
    private boolean resumable = true;

    /** @param adopted what {@code path} holds, from a dead holder, or null: then the file is (re)created empty */
    PartialFile(Path path, CacheEntry entry, PartialRecord adopted) {
        this(path, entry, adopted, PrefixListener.NONE);
    }

    /** @param prefix hears every cut of the file */
    PartialFile(Path path, CacheEntry entry, PartialRecord adopted, PrefixListener prefix) {
        this.prefix = prefix;
        this.path = path;
        this.entry = entry;
        this.record = adopted;
    }

    Path path() {
        return path;
    }

    /** What the file holds, or null when it holds nothing that can be resumed. */
    PartialRecord record() {
        return record;
    }

    /** Whether the file holds bytes that a request for the rest could continue (now, or after a crash). */
    boolean resumable() {
        return record != null && resumable;
    }

    /** The segment counts as the progress file has them (those recorded, without an entry). */
    List<Segment> trustedSegments() {
        return entry == null ? record.segments() : record.trustedSegments(entry.segmentProgressFile());
    }

    /**
     * Starts the file over for a response from byte 0 of {@code source}, recording its validators; an encoded body
     * is not recorded (its validators are kept for the metadata), so that no one resumes its decoded bytes.
     */
    void start(URI source, Reply.Body body) throws IOException {
        truncate(0);
        record = new PartialRecord(path.getFileName().toString(), source.toString(), body.header("ETag"),
                body.header("Last-Modified"), body.total(), PartialRecord.currentBootId(), 0);
        resumable = !body.encoded();
        if (!resumable && entry != null) {
            entry.deletePartialRecord(); // what an earlier attempt recorded no longer describes the file
        }
        write();
    }

    /**
     * Empties the file: what it held is not a part of what the server has now. The record goes first, so that a
     * holder that dies here leaves nothing that claims bytes the file no longer has.
     */
    void forget() throws IOException {
        if (entry != null) {
            entry.deletePartialRecord();
        }
        record = null;
        truncate(0);
    }

    /** Cuts the file into {@code segments} and opens their progress file (null without an entry). */
    SegmentProgress split(List<Segment> segments) throws IOException {
        record = record.withSegments(segments);
        write();
        return entry == null ? null : SegmentProgress.create(entry.segmentProgressFile(), record);
    }

    /** Records that the first {@code durable} bytes are fsynced, if that is news. */
    void checkpoint(long durable) throws IOException {
        if (record != null && durable > record.durable()) {
            record = record.withDurable(durable);
            write();
        }
    }

    /** Cuts the file to {@code size} bytes, creating it if needed. */
    void truncate(long size) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            channel.truncate(size);
        }
        prefix.cut(size);
    }

    long size() throws IOException {
        return Files.size(path);
    }

    /** Opens the file for writing, and for reading back what was written (the hash), at {@code position}. */
    FileChannel open(long position) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        channel.position(position);
        return channel;
    }

    private void write() throws IOException {
        if (entry != null && resumable) {
            entry.writePartialRecord(record);
        }
    }
}
