package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * llama.cpp's Q3_K (3.4375 bits per weight): super-blocks of 256 weights, sixteen sub-blocks of 16 with a 6-bit
 * signed scale (stored + 32) under an f16 d; a weight decodes to d·(sc − 32)·(q − 4), q in 0..7. Block bytes
 * (ggml's block_q3_K): hmask (32), qs (64), scales (12, {@link SixBitScales#pack16}), d (f16). Weight e keeps its
 * high bit in hmask[e % 32] at bit e / 32, and its low 2 bits in qs[32·(e / 128) + e % 32] at bit 2·((e % 128) / 32).
 *
 * <p>Quantization (ggml's reference): per sub-block a symmetric fit refined code by code (weights x²), the
 * scales rounded to 6 bits against the largest, then every code re-rounded against its stored scale.
 */
public record Q3_KMatrix(int rows, int cols, MemorySegment blocks) implements BlockStreamMatrix {
    public static final int BLOCK = 256;
    public static final int BLOCK_BYTES = 110;
    public static final int HMASK = 0, QS = 32, SCALES = 96, D = 108;

    public Q3_KMatrix {
        BlockFormat.Q3_K.check(rows, cols, blocks);
    }

    public static Q3_KMatrix quantize(float[] w, int rows, int cols) {
        return (Q3_KMatrix) BlockFormat.Q3_K.quantize(w, rows, cols);
    }

    @Override
    public BlockFormat format() {
        return BlockFormat.Q3_K;
    }

    static void encodeBlock(float[] x, int off, MemorySegment out, long at) {
        int[] codes = new int[BLOCK];
        float[] scales = new float[16];
        float maxScale = 0, amax = 0;
        for (int j = 0; j < 16; j++) {
            scales[j] = GgmlScaleFits.symmetricRefined(16, 4, x, off + 16 * j, codes, 16 * j);
            float abs = Math.abs(scales[j]);
            if (abs > amax) {
                amax = abs;
                maxScale = scales[j];
            }
        }
        out.asSlice(at, BLOCK_BYTES).fill((byte) 0);
        float d;
        if (maxScale != 0f) {
            float iscale = -32f / maxScale;
            int[] stored = new int[16];
            for (int j = 0; j < 16; j++)
                stored[j] = Math.max(-32, Math.min(31, GgmlScaleFits.nearestInt(iscale * scales[j]))) + 32;
            SixBitScales.pack16(stored, out, at + SCALES);
            d = HalfFloats.setAt(out, at + D, 1 / iscale);
        } else {
            d = HalfFloats.setAt(out, at + D, 0f);
        }
        for (int j = 0; j < 16; j++) {
            float dl = d * (SixBitScales.value16(out, at + SCALES, j) - 32);
            if (dl == 0f) continue;
            for (int i = 0; i < 16; i++) {
                int q = GgmlScaleFits.nearestInt(x[off + 16 * j + i] / dl);
                codes[16 * j + i] = Math.max(-4, Math.min(3, q)) + 4;
            }
        }
        for (int e = 0; e < BLOCK; e++) {
            int q = codes[e];
            if (q > 3) {
                long hm = at + HMASK + e % 32;
                out.set(ValueLayout.JAVA_BYTE, hm, (byte) (out.get(ValueLayout.JAVA_BYTE, hm) | 1 << e / 32));
                q -= 4;
            }
            long qs = at + QS + 32 * (e / 128) + e % 32;
            out.set(ValueLayout.JAVA_BYTE, qs, (byte) (out.get(ValueLayout.JAVA_BYTE, qs) | q << 2 * ((e % 128) / 32)));
        }
    }

    static void decodeBlock(MemorySegment in, long at, float[] dst, int off) {
        float d = HalfFloats.getAt(in, at + D);
        for (int e = 0; e < BLOCK; e++) {
            float dl = d * (SixBitScales.value16(in, at + SCALES, e / 16) - 32);
            int low = (in.get(ValueLayout.JAVA_BYTE, at + QS + 32 * (e / 128) + e % 32) >> 2 * ((e % 128) / 32)) & 3;
            boolean high = ((in.get(ValueLayout.JAVA_BYTE, at + HMASK + e % 32) >> e / 32) & 1) != 0;
            dst[off + e] = dl * (low - (high ? 0 : 4));
        }
    }
}
