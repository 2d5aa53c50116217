package org.turboquant.loader.pack;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.turboquant.core.baseline.BlockFormat;
import org.turboquant.loader.safetensors.DType;
import org.turboquant.loader.safetensors.TensorSpec;

/**
 * The one part of a llama.cpp K-/IQ-quant baseline: the matrix's block stream (FORMAT.md §8), {@code <name>#blocks},
 * U8 [blocks, block bytes]. A block belongs to the row range holding its first weight; when it runs past that
 * range's last row (cols not a multiple of the block), the rows it needs are read again from the source.
 */
final class BlockStreamEncoder implements TensorEncoder {
    private final List<TensorSpec> parts;
    private final int rows;
    private final int cols;
    private final BlockFormat format;
    private volatile RowReader reader;

    BlockStreamEncoder(String name, int rows, int cols, BlockFormat format) {
        this.rows = rows;
        this.cols = cols;
        this.format = format;
        this.parts = List.of(TensorSpec.of(name + "#blocks", DType.U8, format.blocks((long) rows * cols), format.bytes()));
    }

    @Override
    public List<TensorSpec> parts() {
        return parts;
    }

    @Override
    public List<String> roles() {
        return List.of("blocks");
    }

    /** Blocks whose first weight lies in rows [0, row). */
    private long blocksBefore(int row) {
        return format.blocks((long) row * cols);
    }

    @Override
    public long primaryBytes(int firstRow, int n) {
        return (blocksBefore(firstRow + n) - blocksBefore(firstRow)) * format.bytes();
    }

    @Override
    public void prepare(RowReader rows) {
        this.reader = rows;
    }

    @Override
    public void encodeRows(float[] chunk, int firstRow, int n, MemorySegment primary) {
        long start = (long) firstRow * cols, end = start + (long) n * cols;
        long from = blocksBefore(firstRow) * format.weights();
        long to = Math.min(blocksBefore(firstRow + n) * format.weights(), (long) rows * cols);
        if (from >= to) return;
        float[] weights;
        int offset;
        if (to <= end) {
            weights = chunk;
            offset = Math.toIntExact(from - start);
        } else { // the last block runs into the next rows
            int extraRows = Math.toIntExact((to - end + cols - 1) / cols);
            weights = new float[Math.toIntExact(end - from + (long) extraRows * cols)];
            System.arraycopy(chunk, Math.toIntExact(from - start), weights, 0, Math.toIntExact(end - from));
            float[] extra = new float[extraRows * cols];
            reader.read(firstRow + n, extraRows, extra);
            System.arraycopy(extra, 0, weights, Math.toIntExact(end - from), extra.length);
            offset = 0;
        }
        byte[] bytes = format.encode(weights, offset, Math.toIntExact(to - from));
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, primary, 0, bytes.length);
    }

    @Override
    public void writeSecondaryParts(PartSink out) {}
}
