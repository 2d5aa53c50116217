package org.turboquant.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.turboquant.simd.panama.Lanes;

/**
 * Dense float loops on the kernels' vector species ({@link Lanes#F}: the CPU's widest, or
 * {@code -Dturboquant.vectorBits}, so the runtime's layers are tested at forced widths too), each with a scalar tail.
 */
final class VectorOps {
    static final VectorSpecies<Float> S = Lanes.F;

    private VectorOps() {}

    /** Σ a[aOff + i]·b[bOff + i] over i < n. */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0, bound = S.loopBound(n);
        for (; i < bound; i += S.length())
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /** y[yOff + i] += alpha·x[xOff + i] over i < n. */
    static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int i = 0, bound = S.loopBound(n);
        for (; i < bound; i += S.length())
            FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** y[yOff + i] += x[xOff + i] over i < n. */
    static void add(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0, bound = S.loopBound(n);
        for (; i < bound; i += S.length())
            FloatVector.fromArray(S, x, xOff + i).add(FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        for (; i < n; i++) y[yOff + i] += x[xOff + i];
    }

    /** v[off + i] *= alpha over i < n. */
    static void scale(float alpha, float[] v, int off, int n) {
        int i = 0, bound = S.loopBound(n);
        for (; i < bound; i += S.length())
            FloatVector.fromArray(S, v, off + i).mul(alpha).intoArray(v, off + i);
        for (; i < n; i++) v[off + i] *= alpha;
    }
}
