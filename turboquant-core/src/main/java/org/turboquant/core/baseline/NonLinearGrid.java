package org.turboquant.core.baseline;

/**
 * The 16-level non-uniform grid of llama.cpp's IQ4_NL and IQ4_XS (ggml's kvalues_iq4nl: denser near zero, as
 * suits bell-shaped weights) and the per-32 scale search both formats use without an importance matrix.
 */
final class NonLinearGrid {
    /** The grid, in units of the block scale. */
    static final int[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    /** Trial inverse scales on either side of the first guess (llama-quantize's ntry). */
    static final int TRIES = 7;

    private NonLinearGrid() {}

    /** Index of the grid value nearest v (a tie goes to the upper one, as in ggml's best_index_int8). */
    static int nearest(float v) {
        if (v <= VALUES[0]) return 0;
        if (v >= VALUES[15]) return 15;
        int lo = 0, hi = 15;
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            if (v < VALUES[mid]) hi = mid;
            else lo = mid;
        }
        return v - VALUES[hi - 1] < VALUES[hi] - v ? hi - 1 : hi;
    }

    /**
     * The scale of the 32 weights at x[off ..]: the weighted (x²) least-squares scale for the grid indices that
     * rounding gives at 2·TRIES + 1 trial inverse scales (−127 + t)/max, t in −TRIES..TRIES, plus a first guess
     * max/127; the best fit wins ({@link GgmlScaleFits#weightedFit}, whose products run as w·x·q where ggml's IQ4 code
     * writes w·q·x: a sum may differ in its last bit). 0 for an all-zero block. May be negative (the grid is not
     * symmetric).
     */
    static float blockScale(float[] x, int off, int n) {
        float max = GgmlScaleFits.signedMax(x, off, n);
        if (Math.abs(max) < GgmlScaleFits.GROUP_MAX_EPS) return 0f;
        GgmlScaleFits.Grid grid = v -> VALUES[nearest(v)];
        float[] sums = new float[2];
        GgmlScaleFits.weightedFit(x, off, n, 1 / (-max / VALUES[0]), grid, sums);
        float d = sums[1] > 0 ? sums[0] / sums[1] : 0f;
        float best = d * sums[0];
        for (int t = -TRIES; t <= TRIES; t++) {
            GgmlScaleFits.weightedFit(x, off, n, (t + VALUES[0]) / max, grid, sums);
            if (sums[1] > 0 && sums[0] * sums[0] > best * sums[1]) {
                d = sums[0] / sums[1];
                best = d * sums[0];
            }
        }
        return d;
    }
}
