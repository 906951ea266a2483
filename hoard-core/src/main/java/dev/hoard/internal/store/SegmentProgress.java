package dev.hoard.internal.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * How much of each segment of a download over several connections is written: {@code entries/<key>/segments}, a
 * small file of fixed layout that each worker updates in place after every write to the partial, so that after a
 * kill -9 the next holder loses at most the one buffer per connection that was in flight (partial.json, rewritten
 * whole by rename, is too dear to write that often).
 *
 * <p>Layout: the 8 bytes {@code hoardsg1}, the 8-byte token that partial.json's {@code progress} names (so a file
 * left by another download is never taken for this one's), the segment count (4 bytes) and 4 zero bytes; then one
 * big-endian 8-byte count of written bytes per segment. Each count is written with one positional write after the
 * data it counts, and by the one worker that owns the segment, so a count never exceeds the data: both reached the
 * page cache in that order. Nothing is fsynced, so the counts are trusted only within the boot that wrote them
 * ({@link PartialRecord#trustedSegments}).
 */
public final class SegmentProgress implements AutoCloseable {
    static final String FILE_NAME = "segments";
    private static final byte[] MAGIC = "hoardsg1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = 24;

    private final FileChannel channel;
    private final ThreadLocal<ByteBuffer> buffers = ThreadLocal.withInitial(() -> ByteBuffer.allocate(Long.BYTES));

    private SegmentProgress(FileChannel channel) {
        this.channel = channel;
    }

    /** Creates (or replaces) the file for {@code record}'s segments, with the counts it records. */
    public static SegmentProgress create(Path file, PartialRecord record) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
        try {
            int count = record.segments().size();
            ByteBuffer content = ByteBuffer.allocate(HEADER + Long.BYTES * count);
            content.put(MAGIC).putLong(Long.parseUnsignedLong(record.progressToken(), 16)).putInt(count).putInt(0);
            record.segments().forEach(s -> content.putLong(s.written()));
            content.flip();
            while (content.hasRemaining()) {
                channel.write(content, content.position());
            }
            return new SegmentProgress(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Records that {@code written} bytes of segment {@code index} are in the partial. Thread-safe. */
    public void record(int index, long written) throws IOException {
        ByteBuffer buffer = buffers.get().clear().putLong(written).flip();
        long position = HEADER + (long) Long.BYTES * index;
        while (buffer.hasRemaining()) {
            channel.write(buffer, position + buffer.position());
        }
    }

    /**
     * The counts in {@code file} if it belongs to {@code record} (same token, same number of segments); empty if it
     * is missing, torn or another download's.
     */
    public static Optional<long[]> read(Path file, PartialRecord record) {
        if (record.progressToken() == null) {
            return Optional.empty();
        }
        int count = record.segments().size();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer content = ByteBuffer.allocate(HEADER + Long.BYTES * count);
            while (content.hasRemaining() && channel.read(content) > 0) {
                // fills the buffer; a short file leaves it unfilled
            }
            content.flip();
            byte[] magic = new byte[MAGIC.length];
            if (content.remaining() < content.capacity()) {
                return Optional.empty();
            }
            content.get(magic);
            long token = content.getLong();
            if (!Arrays.equals(magic, MAGIC) || token != Long.parseUnsignedLong(record.progressToken(), 16)
                    || content.getInt() != count) {
                return Optional.empty();
            }
            content.getInt();
            long[] written = new long[count];
            for (int i = 0; i < count; i++) {
                written[i] = content.getLong();
            }
            return Optional.of(written);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
