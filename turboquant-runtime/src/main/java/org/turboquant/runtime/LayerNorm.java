package org.turboquant.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * y = (x − mean) / sqrt(var + eps) · gamma + beta over each row of width {@code gamma.length}, in place; mean and
 * variance in float, two passes (the order ONNX Runtime's LayerNormalization uses: mean, then centred squares).
 */
record LayerNorm(float[] gamma, float[] beta, float eps) {

    LayerNorm {
        if (gamma.length != beta.length)
            throw new IllegalArgumentException("LayerNorm gamma has " + gamma.length + " elements, beta " + beta.length);
    }

    int width() { return gamma.length; }

    /** Normalizes {@code rows} rows of {@code x} starting at element 0. */
    void apply(float[] x, int rows) {
        for (int r = 0; r < rows; r++) applyRow(x, r * gamma.length);
    }

    /** Normalizes the row at x[off .. off + width). */
    void applyRow(float[] x, int off) {
        int n = gamma.length;
        var s = VectorOps.S;
        int bound = s.loopBound(n);
        FloatVector acc = FloatVector.zero(s);
        int i = 0;
        for (; i < bound; i += s.length()) acc = acc.add(FloatVector.fromArray(s, x, off + i));
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += x[off + i];
        float mean = sum / n;
        FloatVector vm = FloatVector.broadcast(s, mean);
        acc = FloatVector.zero(s);
        for (i = 0; i < bound; i += s.length()) {
            FloatVector d = FloatVector.fromArray(s, x, off + i).sub(vm);
            acc = d.fma(d, acc);
        }
        float sq = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float d = x[off + i] - mean;
            sq += d * d;
        }
        float inv = (float) (1 / Math.sqrt(sq / n + eps));
        FloatVector vi = FloatVector.broadcast(s, inv);
        for (i = 0; i < bound; i += s.length()) {
            FloatVector d = FloatVector.fromArray(s, x, off + i).sub(vm).mul(vi);
            d.fma(FloatVector.fromArray(s, gamma, i), FloatVector.fromArray(s, beta, i)).intoArray(x, off + i);
        }
        for (; i < n; i++) x[off + i] = (x[off + i] - mean) * inv * gamma[i] + beta[i];
    }
}
