package org.turboquant.loader.source;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import org.turboquant.loader.BadInputException;
import org.turboquant.loader.safetensors.FloatCodec;

/**
 * The tensors of a model to pack, whatever its format: a {@code .safetensors} file, a checkpoint directory
 * ({@code model.safetensors.index.json} shards or a single {@code model.safetensors}) or an {@code .onnx} model's
 * initializers (with {@code turboquant-onnx} on the class path). Data stay in memory-mapped files; {@link #readFloats} streams any part of a float tensor, so a caller
 * can walk a tensor of any size row block by row block.
 *
 * <p>Thread-safe for reading; {@link #close()} unmaps, after which segments handed out are no longer accessible.
 */
public interface TensorSource extends AutoCloseable {

    /**
     * Opens {@code path}, choosing the reader by what it is: a directory is a checkpoint, a file ending in
     * {@code .safetensors} or {@code .onnx} (any case) that format.
     *
     * @throws BadInputException when the path is missing, of an unknown kind, or malformed
     * @throws IOException when it cannot be read
     */
    static TensorSource open(Path path) throws IOException {
        if (Files.isDirectory(path)) return SafetensorsSource.openDirectory(path);
        if (!Files.exists(path)) throw new BadInputException(path, null, "no such file or directory");
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) return SafetensorsSource.openFile(path);
        for (TensorSourceProvider provider : ServiceLoader.load(TensorSourceProvider.class)) {
            if (name.endsWith(provider.suffix())) return provider.open(path);
        }
        if (name.endsWith(".onnx"))
            throw new BadInputException(path, null, "reading ONNX models needs the turboquant-onnx module "
                    + "(org.turboquant:turboquant-onnx) on the class path");
        throw new BadInputException(path, null,
                "unknown input kind: expected a .safetensors file, a checkpoint directory or an .onnx model");
    }

    /** The path this source was opened from. */
    Path path();

    /** The tensors, in a stable order: the file order of the format (for checkpoints: shard by shard). */
    List<SourceTensor> tensors();

    /** The tensor named {@code name}. @throws java.util.NoSuchElementException when there is none */
    SourceTensor tensor(String name);

    /** The tensor's bytes, little-endian, zero-copy where the format allows; read-only. */
    MemorySegment raw(SourceTensor t);

    /**
     * Converts {@code count} elements of a float tensor (F32, F16, BF16, F64 or FP8), starting at flat (row-major)
     * element index {@code elementOffset}, into {@code dst[dstOff ..]}. F16, BF16 and FP8 convert exactly; F64 rounds
     * to nearest. An FP8 weight with block scales ({@code NAME_scale_inv}) comes out scaled: its real values.
     *
     * @throws IllegalArgumentException when the tensor is not a float tensor
     * @throws IndexOutOfBoundsException when the range is outside the tensor or dst
     */
    default void readFloats(SourceTensor t, long elementOffset, float[] dst, int dstOff, int count) {
        FloatCodec.decode(raw(t), t.dtype(), elementOffset, dst, dstOff, count);
    }

    /** The source's own metadata (a safetensors header's {@code __metadata__}; of the first shard); may be empty. */
    default java.util.Map<String, String> metadata() { return java.util.Map.of(); }

    /**
     * Hex SHA-256 of the source, streamed: of the file itself for a single file (what {@code sha256sum} prints);
     * for a checkpoint directory, of its index file (if any) followed by its shards in file-name order; for an ONNX
     * model with external data, of the model followed by its data files in path order.
     */
    String sha256() throws IOException;

    @Override
    void close();
}
