package org.turboquant.runtime;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GELU in its exact (erf) form, x·(1 + erf(x/√2))/2, as BERT uses it. erf comes from Abramowitz &amp; Stegun 7.1.26
 * (absolute error below 1.5e-7, under float's resolution near 1), which needs only one exp and so vectorizes.
 */
final class Gelu {
    private static final float P = 0.3275911f;
    private static final float A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f,
            A5 = 1.061405429f;
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));

    private Gelu() {}

    /** v[off .. off + n) = GELU(v[...]) in place. */
    static void apply(float[] v, int off, int n) {
        var s = VectorOps.S;
        int i = 0, bound = s.loopBound(n);
        FloatVector one = FloatVector.broadcast(s, 1f), half = FloatVector.broadcast(s, 0.5f);
        for (; i < bound; i += s.length()) {
            FloatVector x = FloatVector.fromArray(s, v, off + i);
            FloatVector z = x.mul(INV_SQRT2);
            FloatVector a = z.abs();
            FloatVector t = one.div(a.mul(P).add(one));
            FloatVector poly = t.mul(A5).add(A4).mul(t).add(A3).mul(t).add(A2).mul(t).add(A1).mul(t);
            FloatVector e = a.mul(a).neg().lanewise(VectorOperators.EXP);
            FloatVector erfAbs = one.sub(poly.mul(e));
            FloatVector erf = erfAbs.blend(erfAbs.neg(), z.compare(VectorOperators.LT, 0f));
            x.mul(half).mul(one.add(erf)).intoArray(v, off + i);
        }
        for (; i < n; i++) v[off + i] = scalar(v[off + i]);
    }

    static float scalar(float x) {
        float z = x * INV_SQRT2;
        float a = Math.abs(z);
        float t = 1f / (1f + P * a);
        float poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
        float erfAbs = 1f - poly * (float) Math.exp(-a * a);
        return 0.5f * x * (1f + (z < 0 ? -erfAbs : erfAbs));
    }
}
