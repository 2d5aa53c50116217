package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * llama.cpp's Q8_0: blocks of {@value #BLOCK} weights along a row, the row zero-padded to nb·32 (nb =
 * ceil(cols/32)). Per block d = absmax/127 (stored as little-endian f16) and q_j = roundf(x_j · (1/d)) as int8;
 * a weight decodes to q·d (d read back from f16).
 *
 * @param quants rows × nb·32 int8 values, row-major
 * @param scales rows × nb little-endian f16 values
 */
public record Q8_0Matrix(int rows, int cols, MemorySegment quants, MemorySegment scales) implements BaselineMatrix {
    public static final int BLOCK = BaselineBlocks.BLOCK;

    public Q8_0Matrix {
        BaselineBlocks.checkSegments(rows, cols, quants, BLOCK, scales);
    }

    public static int blocksPerRow(int cols) {
        return BaselineBlocks.blocksPerRow(cols);
    }

    public static Q8_0Matrix quantize(float[] w, int rows, int cols) {
        int nb = blocksPerRow(cols);
        MemorySegment quants = MemorySegment.ofArray(new byte[Math.multiplyExact(rows, nb * BLOCK)]);
        MemorySegment scales = MemorySegment.ofArray(new byte[Math.multiplyExact(rows, nb * 2)]);
        float[] x = new float[BLOCK];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < nb; b++) {
                BaselineBlocks.load(w, r, cols, b, x);
                float amax = 0f;
                for (float v : x) amax = Math.max(amax, Math.abs(v));
                float d = amax / 127f;
                float id = d != 0f ? 1f / d : 0f;
                long block = (long) r * nb + b;
                HalfFloats.set(scales, block, d);
                for (int j = 0; j < BLOCK; j++)
                    quants.set(ValueLayout.JAVA_BYTE, block * BLOCK + j, (byte) HalfFloats.roundHalfAway(x[j] * id));
            }
        }
        return new Q8_0Matrix(rows, cols, quants, scales);
    }

    public void dequantizeRow(int row, float[] dst, int off) {
        int nb = blocksPerRow(cols);
        for (int b = 0; b < nb; b++) {
            long block = (long) row * nb + b;
            float d = HalfFloats.get(scales, block);
            for (int j = 0; j < BLOCK && b * BLOCK + j < cols; j++)
                dst[off + b * BLOCK + j] = quants.get(ValueLayout.JAVA_BYTE, block * BLOCK + j) * d;
        }
    }

    public float[] dequantize() {
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) dequantizeRow(r, out, r * cols);
        return out;
    }

    /** y[r] = Σ_blocks d · Σ_j q_j · x_j (scalar reference). */
    public void gemv(float[] x, float[] y) {
        int nb = blocksPerRow(cols);
        for (int r = 0; r < rows; r++) {
            float sum = 0f;
            for (int b = 0; b < nb; b++) {
                long block = (long) r * nb + b;
                float blockSum = 0f;
                for (int j = 0; j < BLOCK && b * BLOCK + j < cols; j++)
                    blockSum += quants.get(ValueLayout.JAVA_BYTE, block * BLOCK + j) * x[b * BLOCK + j];
                sum += HalfFloats.get(scales, block) * blockSum;
            }
            y[r] = sum;
        }
    }
}
