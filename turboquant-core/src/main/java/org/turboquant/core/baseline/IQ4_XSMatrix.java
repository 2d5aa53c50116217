package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * llama.cpp's IQ4_XS (4.25 bits per weight): super-blocks of 256 weights, eight sub-blocks of 32 with a 6-bit
 * signed scale ls (stored + 32) under an f16 d; a weight decodes to d·(ls − 32)·grid[q] ({@link NonLinearGrid}).
 * Block bytes (ggml's block_iq4_xs): d (f16), scales_h (u16, the top 2 bits of sub-block ib's scale at bit 2·ib),
 * scales_l (4 bytes, low 4 bits, sub-block ib in nibble ib % 2 of byte ib / 2), 128 bytes of codes: byte 16·ib + j
 * holds weight j of sub-block ib (low nibble) and weight j + 16 (high).
 *
 * <p>Quantization (llama-quantize without an importance matrix): each sub-block's scale from
 * {@link NonLinearGrid#blockScale}, d = −max/32 over the scale of largest magnitude, the scales rounded to
 * 6 bits against d, then each weight's nearest grid index at its sub-block's d·l.
 */
public record IQ4_XSMatrix(int rows, int cols, MemorySegment blocks) implements BlockStreamMatrix {
    public static final int BLOCK = 256;
    public static final int BLOCK_BYTES = 136;
    public static final int D = 0, SCALES_H = 2, SCALES_L = 4, QS = 8;

    public IQ4_XSMatrix {
        BlockFormat.IQ4_XS.check(rows, cols, blocks);
    }

    public static IQ4_XSMatrix quantize(float[] w, int rows, int cols) {
        return (IQ4_XSMatrix) BlockFormat.IQ4_XS.quantize(w, rows, cols);
    }

    @Override
    public BlockFormat format() {
        return BlockFormat.IQ4_XS;
    }

    static void encodeBlock(float[] x, int off, MemorySegment out, long at) {
        float[] scales = new float[8];
        float maxScale = 0, amaxScale = 0;
        for (int ib = 0; ib < 8; ib++) {
            scales[ib] = NonLinearGrid.blockScale(x, off + 32 * ib, 32);
            float abs = Math.abs(scales[ib]);
            if (abs > amaxScale) {
                amaxScale = abs;
                maxScale = scales[ib];
            }
        }
        float d = -maxScale / 32;
        HalfFloats.setAt(out, at + D, d);
        float id = d != 0f ? 1 / d : 0f;
        int scalesH = 0;
        for (int ib = 0; ib < 8; ib++) {
            int l = Math.max(-32, Math.min(31, GgmlScaleFits.nearestInt(id * scales[ib])));
            float dl = d * l; // the unrounded d, as ggml
            float idl = dl != 0f ? 1 / dl : 0f;
            for (int j = 0; j < 16; j++) {
                int lo = NonLinearGrid.nearest(idl * x[off + 32 * ib + j]);
                int hi = NonLinearGrid.nearest(idl * x[off + 32 * ib + 16 + j]);
                out.set(ValueLayout.JAVA_BYTE, at + QS + 16 * ib + j, (byte) (lo | hi << 4));
            }
            l += 32;
            long sl = at + SCALES_L + ib / 2;
            int prev = ib % 2 == 0 ? 0 : out.get(ValueLayout.JAVA_BYTE, sl) & 0xF;
            out.set(ValueLayout.JAVA_BYTE, sl, (byte) (prev | (l & 0xF) << 4 * (ib % 2)));
            scalesH |= (l >> 4) << 2 * ib;
        }
        out.set(HalfFloats.U16_LE, at + SCALES_H, (short) scalesH);
    }

    /** The 16 grid values (the IQ4 non-linear levels) as bytes, for table-lookup kernels. */
    public static byte[] grid() {
        byte[] g = new byte[16];
        for (int i = 0; i < 16; i++) g[i] = (byte) NonLinearGrid.VALUES[i];
        return g;
    }

    /** The f16 super-block scale d of the block at byte {@code at}. */
    public static float superScale(MemorySegment in, long at) {
        return HalfFloats.getAt(in, at + D);
    }

    /** The stored 6-bit scale of sub-block ib, minus 32. */
    public static int subScale(MemorySegment in, long at, int ib) {
        int low = (in.get(ValueLayout.JAVA_BYTE, at + SCALES_L + ib / 2) >> 4 * (ib % 2)) & 0xF;
        int high = (in.get(HalfFloats.U16_LE, at + SCALES_H) >> 2 * ib) & 3;
        return (low | high << 4) - 32;
    }

    static void decodeBlock(MemorySegment in, long at, float[] dst, int off) {
        float d = HalfFloats.getAt(in, at + D);
        for (int ib = 0; ib < 8; ib++) {
            float dl = d * subScale(in, at, ib);
            for (int j = 0; j < 16; j++) {
                int b = in.get(ValueLayout.JAVA_BYTE, at + QS + 16 * ib + j);
                dst[off + 32 * ib + j] = dl * NonLinearGrid.VALUES[b & 0xF];
                dst[off + 32 * ib + 16 + j] = dl * NonLinearGrid.VALUES[(b >> 4) & 0xF];
            }
        }
    }
}
