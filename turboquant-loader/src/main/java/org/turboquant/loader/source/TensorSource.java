package org.turboquant.loader.source;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * The tensors of a model to pack, whatever its format: a {@code .safetensors} file, a checkpoint directory
 * ({@code model.safetensors.index.json} shards or a single {@code model.safetensors}) or an {@code .onnx} model's
 * initializers. Data stays in memory-mapped files; {@link #readFloats} streams any part of a float tensor.
 * Thread-safe for reading; {@link #close()} unmaps.
 */
public interface TensorSource extends AutoCloseable {

    /**
     * Opens {@code path}, choosing the reader by what it is.
     *
     * @throws org.turboquant.loader.BadInputException when the path is missing, of an unknown kind, or malformed
     * @throws IOException when it cannot be read
     */
    static TensorSource open(Path path) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    /** The path this source was opened from. */
    Path path();

    /** The tensors, in a stable order (file order of the underlying format). */
    List<SourceTensor> tensors();

    /** The tensor named {@code name}. @throws java.util.NoSuchElementException when there is none */
    SourceTensor tensor(String name);

    /** The tensor's bytes, little-endian, zero-copy where the format allows. */
    MemorySegment raw(SourceTensor t);

    /**
     * Converts {@code count} elements of a float tensor (F32, F16, BF16 or F64), starting at flat element index
     * {@code elementOffset}, into {@code dst[dstOff ..]}. F16 and BF16 convert exactly; F64 rounds to nearest.
     *
     * @throws IllegalArgumentException when the tensor is not a float tensor
     * @throws IndexOutOfBoundsException when the range is outside the tensor or dst
     */
    void readFloats(SourceTensor t, long elementOffset, float[] dst, int dstOff, int count);

    /** Hex SHA-256 of the source's file(s), streamed; for several shards, of their contents in file-name order. */
    String sha256() throws IOException;

    @Override
    void close();
}
