package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * llama.cpp's IQ4_NL (4.5 bits per weight): blocks of 32 weights, one f16 scale d; a weight decodes to
 * d·grid[q] with the non-uniform 16-level {@link NonLinearGrid}. Block bytes (ggml's block_iq4_nl): d (f16), then
 * 16 bytes where byte j holds weight j (low nibble) and weight j + 16 (high).
 *
 * <p>Quantization is what llama-quantize runs without an importance matrix: the scale search of
 * {@link NonLinearGrid#blockScale} (15 trials), then each weight's nearest grid index at that (unrounded) scale.
 */
public record IQ4_NLMatrix(int rows, int cols, MemorySegment blocks) implements BlockStreamMatrix {
    public static final int BLOCK = 32;
    public static final int BLOCK_BYTES = 18;
    public static final int D = 0, QS = 2;

    public IQ4_NLMatrix {
        BlockFormat.IQ4_NL.check(rows, cols, blocks);
    }

    public static IQ4_NLMatrix quantize(float[] w, int rows, int cols) {
        return (IQ4_NLMatrix) BlockFormat.IQ4_NL.quantize(w, rows, cols);
    }

    @Override
    public BlockFormat format() {
        return BlockFormat.IQ4_NL;
    }

    static void encodeBlock(float[] x, int off, MemorySegment out, long at) {
        float d = NonLinearGrid.blockScale(x, off, BLOCK);
        HalfFloats.setAt(out, at + D, d);
        float id = d != 0f ? 1 / d : 0f;
        for (int j = 0; j < 16; j++) {
            int lo = NonLinearGrid.nearest(id * x[off + j]), hi = NonLinearGrid.nearest(id * x[off + 16 + j]);
            out.set(ValueLayout.JAVA_BYTE, at + QS + j, (byte) (lo | hi << 4));
        }
    }

    static void decodeBlock(MemorySegment in, long at, float[] dst, int off) {
        float d = HalfFloats.getAt(in, at + D);
        for (int j = 0; j < 16; j++) {
            int b = in.get(ValueLayout.JAVA_BYTE, at + QS + j);
            dst[off + j] = d * NonLinearGrid.VALUES[b & 0xF];
            dst[off + 16 + j] = d * NonLinearGrid.VALUES[(b >> 4) & 0xF];
        }
    }
}
