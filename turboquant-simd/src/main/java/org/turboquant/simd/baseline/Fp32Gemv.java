package org.turboquant.simd.baseline;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Dense float GEMV, the yardstick: four independent FMA chains per row so the loop is bound by loads, not latency. */
public final class Fp32Gemv {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private Fp32Gemv() {}

    /** y[r] = W[r,·]·x for r in [rowStart, rowEnd); W is rows × cols row-major. */
    public static void gemv(float[] w, int cols, float[] x, float[] y, int rowStart, int rowEnd) {
        int step = 4 * F.length();
        int bound = cols - cols % step;
        for (int r = rowStart; r < rowEnd; r++) {
            int base = r * cols;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int j = 0;
            for (; j < bound; j += step) {
                a0 = FloatVector.fromArray(F, w, base + j).fma(FloatVector.fromArray(F, x, j), a0);
                a1 = FloatVector.fromArray(F, w, base + j + F.length()).fma(FloatVector.fromArray(F, x, j + F.length()), a1);
                a2 = FloatVector.fromArray(F, w, base + j + 2 * F.length()).fma(FloatVector.fromArray(F, x, j + 2 * F.length()), a2);
                a3 = FloatVector.fromArray(F, w, base + j + 3 * F.length()).fma(FloatVector.fromArray(F, x, j + 3 * F.length()), a3);
            }
            float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
            for (; j < cols; j++) sum += w[base + j] * x[j];
            y[r] = sum;
        }
    }
}
