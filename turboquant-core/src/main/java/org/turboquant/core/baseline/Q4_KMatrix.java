package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * llama.cpp's Q4_K (4.5 bits per weight): super-blocks of 256 weights, eight sub-blocks of 32, each with a 6-bit
 * scale and a 6-bit min under the super-block's f16 d and dmin; a weight decodes to d·sc·q − dmin·m, q in 0..15.
 * Block bytes (ggml's block_q4_K): d (f16), dmin (f16), 12 bytes of scales and mins ({@link SixBitScales}), 128
 * bytes of codes where byte 32·p + l holds sub-block 2p's weight l (low nibble) and sub-block 2p+1's (high).
 *
 * <p>Quantization is ggml's reference (its path without an importance matrix): per sub-block a weighted
 * (weights |x| + rms) asymmetric least-squares search over 21 trial scales, the scales and mins rounded to 6 bits
 * against their maxima, then every code re-rounded against the stored (rounded) scale and min.
 */
public record Q4_KMatrix(int rows, int cols, MemorySegment blocks) implements BlockStreamMatrix {
    public static final int BLOCK = 256;
    public static final int BLOCK_BYTES = 144;
    /** Byte offsets inside a block. */
    public static final int D = 0, DMIN = 2, SCALES = 4, QS = 16;

    public Q4_KMatrix {
        BlockFormat.Q4_K.check(rows, cols, blocks);
    }

    public static Q4_KMatrix quantize(float[] w, int rows, int cols) {
        return (Q4_KMatrix) BlockFormat.Q4_K.quantize(w, rows, cols);
    }

    @Override
    public BlockFormat format() {
        return BlockFormat.Q4_K;
    }

    static void encodeBlock(float[] x, int off, MemorySegment out, long at) {
        int[] codes = new int[BLOCK];
        AsymmetricSuperBlock.encode(x, off, 15, -1f, 0.1f, 20, codes, out, at + D, at + DMIN, at + SCALES);
        for (int p = 0; p < 4; p++) {
            for (int l = 0; l < 32; l++)
                out.set(ValueLayout.JAVA_BYTE, at + QS + 32 * p + l, (byte) (codes[64 * p + l] | codes[64 * p + 32 + l] << 4));
        }
    }

    /** d·sc of sub-block j (0..7) of the block at byte {@code at}, as decoding uses it (for fused kernels). */
    public static float subScale(MemorySegment in, long at, int j) {
        return AsymmetricSuperBlock.subScale(in, at + D, at + SCALES, j);
    }

    /** dmin·m of sub-block j: the amount decoding subtracts from each of its weights. */
    public static float subMin(MemorySegment in, long at, int j) {
        return AsymmetricSuperBlock.subMin(in, at + DMIN, at + SCALES, j);
    }

    static void decodeBlock(MemorySegment in, long at, float[] dst, int off) {
        for (int j = 0; j < 8; j++) {
            float d = subScale(in, at, j);
            float m = subMin(in, at, j);
            long qs = at + QS + 32L * (j / 2);
            int shift = 4 * (j % 2);
            for (int l = 0; l < 32; l++)
                dst[off + 32 * j + l] = d * ((in.get(ValueLayout.JAVA_BYTE, qs + l) >> shift) & 0xF) - m;
        }
    }
}
