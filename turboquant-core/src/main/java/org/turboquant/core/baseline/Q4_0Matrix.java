package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * llama.cpp's Q4_0: blocks of {@value #BLOCK} weights along a row (zero-padded to nb·32). Per block, m is the
 * value of largest magnitude (with its sign), d = m/−8 (stored as little-endian f16), and, as llama.cpp does,
 * q_j = min(15, (int)(x_j·(1/d) + 8.5)) (clamped at 0 too). Byte j of a block's 16 bytes holds q_j | q_{j+16} &lt;&lt; 4;
 * a weight decodes to (q − 8)·d.
 *
 * @param quants rows × nb × 16 bytes
 * @param scales rows × nb little-endian f16 values
 */
public record Q4_0Matrix(int rows, int cols, MemorySegment quants, MemorySegment scales) implements BaselineMatrix {
    public static final int BLOCK = BaselineBlocks.BLOCK;
    public static final int BLOCK_BYTES = BLOCK / 2;

    public Q4_0Matrix {
        BaselineBlocks.checkSegments(rows, cols, quants, BLOCK_BYTES, scales);
    }

    public static int blocksPerRow(int cols) {
        return BaselineBlocks.blocksPerRow(cols);
    }

    public static Q4_0Matrix quantize(float[] w, int rows, int cols) {
        int nb = blocksPerRow(cols);
        MemorySegment quants = MemorySegment.ofArray(new byte[Math.multiplyExact(rows, nb * BLOCK_BYTES)]);
        MemorySegment scales = MemorySegment.ofArray(new byte[Math.multiplyExact(rows, nb * 2)]);
        float[] x = new float[BLOCK];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < nb; b++) {
                BaselineBlocks.load(w, r, cols, b, x);
                float amax = 0f, max = 0f;
                for (float v : x) {
                    if (amax < Math.abs(v)) {
                        amax = Math.abs(v);
                        max = v;
                    }
                }
                float d = max / -8f;
                float id = d != 0f ? 1f / d : 0f;
                long block = (long) r * nb + b;
                HalfFloats.set(scales, block, d);
                for (int j = 0; j < BLOCK_BYTES; j++) {
                    int lo = code(x[j] * id), hi = code(x[j + BLOCK_BYTES] * id);
                    quants.set(ValueLayout.JAVA_BYTE, block * BLOCK_BYTES + j, (byte) (lo | hi << 4));
                }
            }
        }
        return new Q4_0Matrix(rows, cols, quants, scales);
    }

    private static int code(float scaled) {
        return Math.max(0, Math.min(15, (int) (scaled + 8.5f)));
    }

    /** The 4-bit code of element j (0..31) of block {@code block}. */
    private int code(long block, int j) {
        int packed = quants.get(ValueLayout.JAVA_BYTE, block * BLOCK_BYTES + (j % BLOCK_BYTES)) & 0xFF;
        return j < BLOCK_BYTES ? packed & 0xF : packed >>> 4;
    }

    public void dequantizeRow(int row, float[] dst, int off) {
        int nb = blocksPerRow(cols);
        for (int b = 0; b < nb; b++) {
            long block = (long) row * nb + b;
            float d = HalfFloats.get(scales, block);
            for (int j = 0; j < BLOCK && b * BLOCK + j < cols; j++)
                dst[off + b * BLOCK + j] = (code(block, j) - 8) * d;
        }
    }

    public float[] dequantize() {
        float[] out = new float[Math.multiplyExact(rows, cols)];
        for (int r = 0; r < rows; r++) dequantizeRow(r, out, r * cols);
        return out;
    }

    /** y[r] = Σ_blocks d · Σ_j (q_j − 8) · x_j (scalar reference). */
    public void gemv(float[] x, float[] y) {
        int nb = blocksPerRow(cols);
        for (int r = 0; r < rows; r++) {
            float sum = 0f;
            for (int b = 0; b < nb; b++) {
                long block = (long) r * nb + b;
                float blockSum = 0f;
                for (int j = 0; j < BLOCK && b * BLOCK + j < cols; j++) blockSum += (code(block, j) - 8) * x[b * BLOCK + j];
                sum += HalfFloats.get(scales, block) * blockSum;
            }
            y[r] = sum;
        }
    }
}
