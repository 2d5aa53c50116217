package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;

/**
 * A matrix stored as one of llama.cpp's block streams ({@link BlockFormat}): row r is weights
 * [r·cols, (r + 1)·cols) of the stream. Decoding, and the scalar reference product (decode, then multiply), are
 * the same for every format.
 */
public sealed interface BlockStreamMatrix extends BaselineMatrix
        permits Q3_KMatrix, Q4_KMatrix, Q5_KMatrix, Q6_KMatrix, IQ4_NLMatrix, IQ4_XSMatrix {

    BlockFormat format();

    /** The blocks, ggml's structs back to back. */
    MemorySegment blocks();

    @Override
    default void dequantizeRow(int row, float[] dst, int off) {
        BlockFormat f = format();
        int w = f.weights();
        long start = (long) row * cols(), end = start + cols();
        float[] block = new float[w];
        for (long b = start / w; b * w < end; b++) {
            f.decode(blocks(), b, block, 0);
            long from = Math.max(start, b * w), to = Math.min(end, (b + 1) * w);
            System.arraycopy(block, (int) (from - b * w), dst, off + (int) (from - start), (int) (to - from));
        }
    }

    @Override
    default float[] dequantize() {
        float[] out = new float[Math.multiplyExact(rows(), cols())];
        for (int r = 0; r < rows(); r++) dequantizeRow(r, out, r * cols());
        return out;
    }

    /** y[r] = Σ_c decoded(r, c) · x[c], summed in column order (the ground truth the kernels are tested against). */
    @Override
    default void gemv(float[] x, float[] y) {
        int cols = cols();
        float[] row = new float[cols];
        for (int r = 0; r < rows(); r++) {
            dequantizeRow(r, row, 0);
            float sum = 0f;
            for (int c = 0; c < cols; c++) sum += row[c] * x[c];
            y[r] = sum;
        }
    }
}
