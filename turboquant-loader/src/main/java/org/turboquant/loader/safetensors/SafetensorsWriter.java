package org.turboquant.loader.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Streams a safetensors file. All tensors and the metadata are declared up front, so the header (with computed
 * offsets) is written first; then each tensor's bytes are written in declaration order, in chunks of any size that
 * do not cross the current tensor's end. {@link #close()} fails if any tensor is incomplete.
 *
 * <p>Deterministic output: header keys in declaration order ({@code __metadata__} first when non-empty), tensors laid
 * out contiguously in declaration order, compact JSON, no timestamps, header padded with spaces so that the data
 * section starts at a multiple of 8 bytes. The writer writes to the given path directly; atomic replacement
 * (temporary file + rename) is the caller's job. Not thread-safe.
 */
public final class SafetensorsWriter implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STAGING_BYTES = 1 << 16;
    /** FileChannel writes take ByteBuffers, which stop at 2 GiB: larger segments go in slices of this size. */
    private static final long MAX_SLICE = 1L << 30;

    private final FileChannel channel;
    private final List<TensorSpec> tensors;
    private final ByteBuffer staging = ByteBuffer.allocate(STAGING_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private int current;
    private long remaining;
    private boolean closed;

    private SafetensorsWriter(FileChannel channel, List<TensorSpec> tensors) {
        this.channel = channel;
        this.tensors = tensors;
        this.current = -1;
        advance();
    }

    /**
     * Creates (or truncates) {@code file} and writes its header.
     *
     * @throws IllegalArgumentException on duplicate or empty names, the reserved name {@code __metadata__}, negative
     *                                  dimensions or sizes that overflow a long
     */
    public static SafetensorsWriter create(Path file, List<TensorSpec> tensors, Map<String, String> metadata)
            throws IOException {
        List<TensorSpec> specs = List.copyOf(tensors);
        byte[] header = header(specs, metadata);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING); // READ: writeMapped maps read-write
        try {
            ByteBuffer prefix = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            writeFully(ch, prefix.flip());
            writeFully(ch, ByteBuffer.wrap(header));
            return new SafetensorsWriter(ch, specs);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The header JSON, space-padded to make 8 + its length a multiple of 8. */
    static byte[] header(List<TensorSpec> specs, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (TensorSpec t : specs) {
            validate(t, names);
            long size;
            try {
                size = t.byteSize();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor '" + t.name() + "': size overflows a long", e);
            }
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", t.dtype().id());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            entry.putArray("data_offsets").add(offset).add(Math.addExact(offset, size));
            offset += size;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) & ~7;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void validate(TensorSpec t, Set<String> names) {
        if (t.name().isEmpty()) throw new IllegalArgumentException("empty tensor name");
        if (t.name().equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("'" + SafetensorsHeader.METADATA_KEY + "' is reserved");
        }
        if (!names.add(t.name())) throw new IllegalArgumentException("duplicate tensor name '" + t.name() + "'");
        for (long d : t.shape()) {
            if (d < 0) throw new IllegalArgumentException("tensor '" + t.name() + "': negative dimension " + d);
        }
    }

    /** The tensor the next bytes belong to, or null when all are complete. */
    public TensorSpec currentTensor() { return current < tensors.size() ? tensors.get(current) : null; }

    /** Bytes still expected for the current tensor (0 when all are complete). */
    public long remainingInCurrent() { return remaining; }

    /**
     * Appends the chunk's bytes, as they are, to the current tensor; the format is little-endian, so a segment
     * over a Java array ({@code MemorySegment.ofArray(int[])}) is right on little-endian hardware only.
     *
     * @throws IllegalStateException if it exceeds the rest of the current tensor
     */
    public void write(MemorySegment chunk) throws IOException {
        claim(chunk.byteSize());
        for (long off = 0; off < chunk.byteSize(); off += MAX_SLICE) {
            MemorySegment slice = chunk.asSlice(off, Math.min(MAX_SLICE, chunk.byteSize() - off));
            if (slice.isNative() || slice.isMapped()) {
                writeFully(channel, slice.asByteBuffer());
            } else {
                writeHeapSegment(slice);
            }
        }
        finishIfComplete();
    }

    /** Appends {@code len} bytes of {@code bytes} from {@code off} to the current tensor. */
    public void write(byte[] bytes, int off, int len) throws IOException {
        claim(len);
        writeFully(channel, ByteBuffer.wrap(bytes, off, len));
        finishIfComplete();
    }

    /**
     * Appends {@code len} floats, converted to the current tensor's float dtype (F32, F16, BF16 or F64; narrowing
     * rounds to nearest even).
     *
     * @throws IllegalStateException when the current tensor is not a float tensor or has fewer elements left
     */
    public void writeFloats(float[] values, int off, int len) throws IOException {
        if (len == 0 && !closed) return;
        TensorSpec t = requireCurrent();
        if (!t.dtype().isFloat()) {
            throw new IllegalStateException("tensor '" + t.name() + "' is " + t.dtype() + ", not a float dtype");
        }
        int size = t.dtype().byteSize();
        claim((long) len * size);
        int perChunk = STAGING_BYTES / size;
        for (int done = 0; done < len; ) {
            int n = Math.min(perChunk, len - done);
            staging.clear();
            FloatCodec.encode(values, off + done, n, t.dtype(), MemorySegment.ofBuffer(staging), 0);
            staging.limit(n * size);
            writeFully(channel, staging);
            done += n;
        }
        finishIfComplete();
    }

    /**
     * Writes the whole current tensor through a read-write mapping of its byte range: {@code fill} gets that range
     * (little-endian, zero-filled) and may write it in any order, e.g. a transposed tensor column by column without
     * holding it in memory. The mapping is released when {@code fill} returns.
     *
     * @throws IllegalStateException when part of the current tensor was already written
     */
    public void writeMapped(java.util.function.Consumer<MemorySegment> fill) throws IOException {
        TensorSpec t = requireCurrent();
        if (remaining != t.byteSize())
            throw new IllegalStateException("tensor '" + t.name() + "': writeMapped needs the whole tensor, "
                    + (t.byteSize() - remaining) + " bytes were already written");
        long size = remaining, start = channel.position();
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            fill.accept(channel.map(FileChannel.MapMode.READ_WRITE, start, size, arena));
        }
        channel.position(start + size);
        claim(size);
        finishIfComplete();
    }

    /** Heap segments (other than byte[]) cannot become ByteBuffers of bytes: copy through the staging buffer. */
    private void writeHeapSegment(MemorySegment slice) throws IOException {
        MemorySegment stage = MemorySegment.ofBuffer(staging.clear());
        for (long off = 0; off < slice.byteSize(); off += STAGING_BYTES) {
            int n = (int) Math.min(STAGING_BYTES, slice.byteSize() - off);
            MemorySegment.copy(slice, ValueLayout.JAVA_BYTE, off, stage, ValueLayout.JAVA_BYTE, 0, n);
            staging.clear().limit(n);
            writeFully(channel, staging);
        }
    }

    private TensorSpec requireCurrent() {
        if (closed) throw new IllegalStateException("writer is closed");
        TensorSpec t = currentTensor();
        if (t == null) throw new IllegalStateException("all declared tensors are complete");
        return t;
    }

    /** Accounts for a chunk; empty chunks are always fine, so callers need not special-case empty tensors. */
    private void claim(long bytes) {
        if (bytes == 0 && !closed) return;
        TensorSpec t = requireCurrent();
        if (bytes > remaining) {
            throw new IllegalStateException("tensor '" + t.name() + "': chunk of " + bytes
                    + " bytes exceeds the " + remaining + " bytes it still needs");
        }
        remaining -= bytes;
    }

    private void finishIfComplete() {
        if (remaining == 0) advance();
    }

    /** Moves to the next tensor that needs bytes, skipping empty ones. */
    private void advance() {
        do {
            current++;
        } while (current < tensors.size() && tensors.get(current).byteSize() == 0);
        remaining = current < tensors.size() ? tensors.get(current).byteSize() : 0;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    /** Closes the file. @throws IllegalStateException if a declared tensor did not get all of its bytes */
    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        channel.close();
        TensorSpec t = currentTensor();
        if (t != null) {
            throw new IllegalStateException("tensor '" + t.name() + "' is incomplete: "
                    + remaining + " of " + t.byteSize() + " bytes missing");
        }
    }
}
