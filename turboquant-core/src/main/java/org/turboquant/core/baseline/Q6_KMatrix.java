package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * llama.cpp's Q6_K (6.5625 bits per weight): super-blocks of 256 weights, sixteen sub-blocks of 16 with an int8
 * scale each under an f16 d; a weight decodes to d·sc·(q − 32), q in 0..63. Block bytes (ggml's block_q6_K): ql
 * (128), qh (64), scales (16 × int8), d (f16). For half h (weights 128h ..) and l in 0..31: ql[64h + l] holds
 * weights l (low nibble) and l+64 (high), ql[64h + 32 + l] weights l+32 and l+96, and qh[32h + l] their top two
 * bits at bits 0, 2, 4, 6 for l, l+32, l+64, l+96.
 *
 * <p>Quantization (ggml's reference): per sub-block a symmetric search weighted by x² over 19 trial scales, the
 * scales rounded to int8 against the largest, then every code re-rounded against its stored scale.
 */
public record Q6_KMatrix(int rows, int cols, MemorySegment blocks) implements BlockStreamMatrix {
    public static final int BLOCK = 256;
    public static final int BLOCK_BYTES = 210;
    public static final int QL = 0, QH = 128, SCALES = 192, D = 208;

    public Q6_KMatrix {
        BlockFormat.Q6_K.check(rows, cols, blocks);
    }

    public static Q6_KMatrix quantize(float[] w, int rows, int cols) {
        return (Q6_KMatrix) BlockFormat.Q6_K.quantize(w, rows, cols);
    }

    @Override
    public BlockFormat format() {
        return BlockFormat.Q6_K;
    }

    static void encodeBlock(float[] x, int off, MemorySegment out, long at) {
        int[] codes = new int[BLOCK];
        float[] scales = new float[16];
        float maxScale = 0, maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            scales[ib] = GgmlScaleFits.symmetric(16, 32, x, off + 16 * ib, codes, 16 * ib);
            float abs = Math.abs(scales[ib]);
            if (abs > maxAbsScale) {
                maxAbsScale = abs;
                maxScale = scales[ib];
            }
        }
        out.asSlice(at, BLOCK_BYTES).fill((byte) 0);
        if (maxAbsScale < GgmlScaleFits.GROUP_MAX_EPS) return; // all zero: d = 0
        float iscale = -128f / maxScale;
        float d = HalfFloats.setAt(out, at + D, 1 / iscale);
        for (int ib = 0; ib < 16; ib++) {
            int sc = Math.min(127, GgmlScaleFits.nearestInt(iscale * scales[ib]));
            out.set(ValueLayout.JAVA_BYTE, at + SCALES + ib, (byte) sc);
            float dl = d * sc;
            if (dl == 0f) continue;
            for (int i = 0; i < 16; i++) {
                int q = GgmlScaleFits.nearestInt(x[off + 16 * ib + i] / dl);
                codes[16 * ib + i] = Math.max(-32, Math.min(31, q)) + 32;
            }
        }
        for (int h = 0; h < 2; h++) {
            int base = 128 * h;
            for (int l = 0; l < 32; l++) {
                int q1 = codes[base + l], q2 = codes[base + l + 32], q3 = codes[base + l + 64], q4 = codes[base + l + 96];
                out.set(ValueLayout.JAVA_BYTE, at + QL + 64 * h + l, (byte) ((q1 & 0xF) | (q3 & 0xF) << 4));
                out.set(ValueLayout.JAVA_BYTE, at + QL + 64 * h + 32 + l, (byte) ((q2 & 0xF) | (q4 & 0xF) << 4));
                out.set(ValueLayout.JAVA_BYTE, at + QH + 32 * h + l,
                        (byte) (q1 >> 4 | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6));
            }
        }
    }

    static void decodeBlock(MemorySegment in, long at, float[] dst, int off) {
        float d = HalfFloats.getAt(in, at + D);
        for (int e = 0; e < BLOCK; e++) {
            int h = e / 128, k = (e % 128) / 32, l = e % 32;
            int low = (in.get(ValueLayout.JAVA_BYTE, at + QL + 64 * h + 32 * (k % 2) + l) >> 4 * (k / 2)) & 0xF;
            int high = (in.get(ValueLayout.JAVA_BYTE, at + QH + 32 * h + l) >> 2 * k) & 3;
            int sc = in.get(ValueLayout.JAVA_BYTE, at + SCALES + e / 16);
            dst[off + e] = d * sc * ((low | high << 4) - 32);
        }
    }
}
