package org.turboquant.core.baseline;

/**
 * The scale fits of llama.cpp's no-importance-matrix quantizers (ggml-quants.c) for the K-/IQ-quant baselines, in
 * float arithmetic as there, so that the same input gives the same codes (TurboQuant's own exact per-block search is
 * core's {@code ScaleSearch}).
 */
final class GgmlScaleFits {
    /** The level a scaled weight rounds to, in units of the scale (an integer grid or IQ4's non-linear one). */
    interface Grid {
        float level(float scaled);
    }

    /** Below this absolute maximum a group counts as all zero. */
    static final float GROUP_MAX_EPS = 1e-15f;

    private GgmlScaleFits() {}

    /** Round to nearest, ties to even (ggml's nearest_int, which adds 1.5·2^23 in float). */
    static int nearestInt(float v) {
        return (int) Math.rint(v);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /**
     * Asymmetric codes L in 0..nmax with x ≈ scale·L − min, by weighted least squares over nstep + 1 trial
     * inverse scales (rmin + rdelta·is + nmax)/(max − min) (ggml's make_qkx2_quants, squared error). Returns the
     * scale; minOut[0] receives the (non-negative) min.
     */
    static float asymmetric(int n, int nmax, float[] x, int off, float[] weights, int[] codes, int codesOff,
                            float[] minOut, float rmin, float rdelta, int nstep) {
        float min = x[off], max = x[off];
        float sumW = weights[0];
        float sumX = sumW * x[off];
        for (int i = 1; i < n; i++) {
            float v = x[off + i];
            if (v < min) min = v;
            if (v > max) max = v;
            float w = weights[i];
            sumW += w;
            sumX += w * v;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) codes[codesOff + i] = 0;
            minOut[0] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = clamp(nearestInt(iscale * (x[off + i] - min)), 0, nmax);
            codes[codesOff + i] = l;
            float diff = scale * l + min - x[off + i];
            bestError += weights[i] * (diff * diff);
        }
        if (nstep < 1) {
            minOut[0] = -min;
            return scale;
        }
        int[] trial = new int[n];
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = clamp(nearestInt(iscale * (x[off + i] - min)), 0, nmax);
                trial[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[off + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * trial[i] + thisMin - x[off + i];
                    error += weights[i] * (diff * diff);
                }
                if (error < bestError) {
                    System.arraycopy(trial, 0, codes, codesOff, n);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[0] = -min;
        return scale;
    }

    /**
     * Symmetric codes L + nmax (L in −nmax..nmax−1) with x ≈ scale·L, weights x², trying 18 inverse scales
     * around −nmax/max and keeping the best weighted fit (ggml's make_qx_quants with rmse_type 1). Returns the scale.
     */
    static float symmetric(int n, int nmax, float[] x, int off, int[] codes, int codesOff) {
        float max = signedMax(x, off, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) codes[codesOff + i] = 0;
            return 0f;
        }
        Grid grid = v -> clamp(nearestInt(v), -nmax, nmax - 1);
        float[] sums = new float[2];
        float iscale = -nmax / max;
        weightedFit(x, off, n, iscale, grid, sums);
        for (int i = 0; i < n; i++) codes[codesOff + i] = nmax + (int) grid.level(iscale * x[off + i]);
        float scale = sums[1] != 0 ? sums[0] / sums[1] : 0f;
        float best = scale * sums[0];
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            weightedFit(x, off, n, iscale, grid, sums);
            if (sums[1] > 0 && sums[0] * sums[0] > best * sums[1]) {
                for (int i = 0; i < n; i++) codes[codesOff + i] = nmax + (int) grid.level(iscale * x[off + i]);
                scale = sums[0] / sums[1];
                best = scale * sums[0];
            }
        }
        return scale;
    }

    /** The value of largest magnitude in x[off..+n) with its sign (the first one on ties; 0 for all zeros). */
    static float signedMax(float[] x, int off, int n) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[off + i]);
            if (ax > amax) {
                amax = ax;
                max = x[off + i];
            }
        }
        return max;
    }

    /**
     * The weighted (w = x²) least-squares sums of rounding x[off..+n) onto {@code grid} at inverse scale
     * {@code iscale}: sums[0] = Σ w·x·q, sums[1] = Σ w·q², q the level; the fit's scale is sums[0]/sums[1] and it is
     * better the larger sums[0]²/sums[1]. Every trial of ggml's symmetric and IQ4 scale searches is one call.
     */
    static void weightedFit(float[] x, int off, int n, float iscale, Grid grid, float[] sums) {
        float sumQX = 0, sumQ2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            float q = grid.level(iscale * v);
            float w = v * v;
            sumQX += w * v * q;
            sumQ2 += w * q * q;
        }
        sums[0] = sumQX;
        sums[1] = sumQ2;
    }

    /**
     * Symmetric codes L + nmax for Q3_K: start from rounding at −nmax/max, then up to 5 passes that move single
     * codes to their best value given the others, kept when the weighted (x²) fit improves (ggml's
     * make_q3_quants with do_rmse). Returns the least-squares scale.
     */
    static float symmetricRefined(int n, int nmax, float[] x, int off, int[] codes, int codesOff) {
        float max = signedMax(x, off, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) codes[codesOff + i] = 0;
            return 0f;
        }
        float iscale = -nmax / max;
        float sumLX = 0, sumL2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            int l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
            codes[codesOff + i] = l;
            float w = v * v;
            sumLX += w * v * l;
            sumL2 += w * l * l;
        }
        for (int pass = 0; pass < 5; pass++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float v = x[off + i];
                float w = v * v;
                int li = codes[codesOff + i];
                float slx = sumLX - w * v * li;
                if (slx > 0) {
                    float sl2 = sumL2 - w * li * li;
                    int newL = clamp(nearestInt(v * sl2 / slx), -nmax, nmax - 1);
                    if (newL != li) {
                        slx += w * v * newL;
                        sl2 += w * newL * newL;
                        if (sl2 > 0 && slx * slx * sumL2 > sumLX * sumLX * sl2) {
                            codes[codesOff + i] = newL;
                            sumLX = slx;
                            sumL2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) break;
        }
        for (int i = 0; i < n; i++) codes[codesOff + i] += nmax;
        return sumL2 > 0 ? sumLX / sumL2 : 0f;
    }
}
