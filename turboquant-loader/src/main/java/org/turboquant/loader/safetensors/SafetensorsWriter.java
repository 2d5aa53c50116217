package org.turboquant.loader.safetensors;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Streams a safetensors file. All tensors and the metadata are declared up front, so the header (with computed
 * offsets) is written first; then each tensor's bytes are written in declaration order, in chunks of any size that
 * do not cross a tensor's end. {@link #close()} fails if any tensor is incomplete.
 *
 * <p>Deterministic output: header keys in declaration order ({@code __metadata__} first when non-empty), tensors laid
 * out contiguously in declaration order, no timestamps, header padded with spaces to a multiple of 8 bytes.
 * The writer writes to the given path directly; atomic replacement (temp file + rename) is the caller's job.
 */
public final class SafetensorsWriter implements AutoCloseable {

    /**
     * Creates (or truncates) {@code file} and writes its header.
     *
     * @throws IllegalArgumentException on duplicate or empty names, negative dimensions or a reserved name
     */
    public static SafetensorsWriter create(Path file, List<TensorSpec> tensors, Map<String, String> metadata)
            throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    /** The tensor the next bytes belong to, or null when all are complete. */
    public TensorSpec currentTensor() { throw new UnsupportedOperationException("not yet"); }

    /** Bytes still expected for the current tensor. */
    public long remainingInCurrent() { throw new UnsupportedOperationException("not yet"); }

    /** Appends the chunk to the current tensor. @throws IllegalStateException if it exceeds the tensor's rest */
    public void write(MemorySegment chunk) throws IOException { throw new UnsupportedOperationException("not yet"); }

    /** Appends {@code len} bytes of {@code bytes} from {@code off} to the current tensor. */
    public void write(byte[] bytes, int off, int len) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    /** Appends floats, little-endian F32; the current tensor must be F32. */
    public void writeFloats(float[] values, int off, int len) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    /** Flushes and closes. @throws IllegalStateException if a declared tensor did not get all of its bytes */
    @Override
    public void close() throws IOException { }
}
