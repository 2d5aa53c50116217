package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * llama.cpp's Q5_K (5.5 bits per weight): Q4_K's super-block with 5-bit codes (q in 0..31). Block bytes (ggml's
 * block_q5_K): d, dmin (f16), 12 bytes of 6-bit scales and mins, 32 bytes qh, 128 bytes qs. Byte 32·p + l of qs
 * holds the low 4 bits of sub-block 2p's weight l (low nibble) and of sub-block 2p+1's (high); their fifth bits
 * are bits 2p and 2p+1 of qh[l]. Quantization as Q4_K's with nmax 31 and 16 trial scales.
 */
public record Q5_KMatrix(int rows, int cols, MemorySegment blocks) implements BlockStreamMatrix {
    public static final int BLOCK = 256;
    public static final int BLOCK_BYTES = 176;
    public static final int D = 0, DMIN = 2, SCALES = 4, QH = 16, QS = 48;

    public Q5_KMatrix {
        BlockFormat.Q5_K.check(rows, cols, blocks);
    }

    public static Q5_KMatrix quantize(float[] w, int rows, int cols) {
        return (Q5_KMatrix) BlockFormat.Q5_K.quantize(w, rows, cols);
    }

    @Override
    public BlockFormat format() {
        return BlockFormat.Q5_K;
    }

    static void encodeBlock(float[] x, int off, MemorySegment out, long at) {
        int[] codes = new int[BLOCK];
        AsymmetricSuperBlock.encode(x, off, 31, -0.5f, 0.1f, 15, codes, out, at + D, at + DMIN, at + SCALES);
        int[] qh = new int[32];
        for (int p = 0; p < 4; p++) {
            for (int l = 0; l < 32; l++) {
                int lo = codes[64 * p + l], hi = codes[64 * p + 32 + l];
                qh[l] |= (lo >> 4) << 2 * p | (hi >> 4) << 2 * p + 1;
                out.set(ValueLayout.JAVA_BYTE, at + QS + 32 * p + l, (byte) ((lo & 0xF) | (hi & 0xF) << 4));
            }
        }
        for (int l = 0; l < 32; l++) out.set(ValueLayout.JAVA_BYTE, at + QH + l, (byte) qh[l]);
    }

    static void decodeBlock(MemorySegment in, long at, float[] dst, int off) {
        for (int j = 0; j < 8; j++) {
            float d = AsymmetricSuperBlock.subScale(in, at + D, at + SCALES, j);
            float m = AsymmetricSuperBlock.subMin(in, at + DMIN, at + SCALES, j);
            long qs = at + QS + 32L * (j / 2);
            int shift = 4 * (j % 2);
            for (int l = 0; l < 32; l++) {
                int q = ((in.get(ValueLayout.JAVA_BYTE, qs + l) >> shift) & 0xF)
                        | ((in.get(ValueLayout.JAVA_BYTE, at + QH + l) >> j) & 1) << 4;
                dst[off + 32 * j + l] = d * q - m;
            }
        }
    }
}
