package org.turboquant.core.baseline;

import java.lang.foreign.MemorySegment;

/**
 * What Q4_K and Q5_K share: a 256-weight super-block of eight 32-weight sub-blocks coded x ≈ d·sc·q − dmin·m,
 * with 6-bit sc and m (ggml's quantize_row_q4_K_ref / q5_K_ref, which differ only in nmax and the search grid).
 */
final class AsymmetricSuperBlock {
    static final int WEIGHTS = 256;
    static final int SUB = 32;

    private AsymmetricSuperBlock() {}

    /**
     * Quantizes x[off .. off + 256) into codes (0..nmax, one per weight), writes d, dmin (f16) and the packed
     * scales/mins at the given byte offsets of out.
     */
    static void encode(float[] x, int off, int nmax, float rmin, float rdelta, int nstep, int[] codes,
                       MemorySegment out, long dAt, long dminAt, long scalesAt) {
        float[] scales = new float[8], mins = new float[8];
        float[] weights = new float[SUB], minOut = new float[1];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++) {
            int sub = off + SUB * j;
            float sumX2 = 0;
            for (int l = 0; l < SUB; l++) sumX2 += x[sub + l] * x[sub + l];
            float avX = (float) Math.sqrt(sumX2 / SUB);
            for (int l = 0; l < SUB; l++) weights[l] = avX + Math.abs(x[sub + l]);
            scales[j] = GgmlScaleFits.asymmetric(SUB, nmax, x, sub, weights, codes, SUB * j, minOut, rmin, rdelta, nstep);
            mins[j] = minOut[0];
            if (scales[j] > maxScale) maxScale = scales[j];
            if (mins[j] > maxMin) maxMin = mins[j];
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        int[] ls = new int[8], lm = new int[8];
        for (int j = 0; j < 8; j++) {
            ls[j] = Math.min(63, GgmlScaleFits.nearestInt(invScale * scales[j]) & 0xFF);
            lm[j] = Math.min(63, GgmlScaleFits.nearestInt(invMin * mins[j]) & 0xFF);
        }
        SixBitScales.packScaleMin(ls, lm, out, scalesAt);
        float d = HalfFloats.setAt(out, dAt, maxScale / 63f);
        float dmin = HalfFloats.setAt(out, dminAt, maxMin / 63f);
        for (int j = 0; j < 8; j++) {
            float dj = d * SixBitScales.scale(out, scalesAt, j);
            if (dj == 0f) continue; // a zero scale keeps the search's codes (they decode to −dmin·m either way)
            float mj = dmin * SixBitScales.min(out, scalesAt, j);
            for (int l = 0; l < SUB; l++) {
                int q = GgmlScaleFits.nearestInt((x[off + SUB * j + l] + mj) / dj);
                codes[SUB * j + l] = Math.max(0, Math.min(nmax, q));
            }
        }
    }

    /** d·sc_j and dmin·m_j of sub-block j, as decoding uses them. */
    static float subScale(MemorySegment in, long dAt, long scalesAt, int j) {
        return HalfFloats.getAt(in, dAt) * SixBitScales.scale(in, scalesAt, j);
    }

    static float subMin(MemorySegment in, long dminAt, long scalesAt, int j) {
        return HalfFloats.getAt(in, dminAt) * SixBitScales.min(in, scalesAt, j);
    }
}
