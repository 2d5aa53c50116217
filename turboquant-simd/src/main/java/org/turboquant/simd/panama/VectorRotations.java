package org.turboquant.simd.panama;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import org.turboquant.core.HadamardRotation;
import org.turboquant.core.QrRotation;
import org.turboquant.core.Rotation;

/**
 * P·x and Pᵀ·y with the Vector API: a fast Walsh–Hadamard transform for {@link HadamardRotation} (P = H·D/√g) and
 * dense row-major products for {@link QrRotation}. Works in place on one block of g floats.
 */
final class VectorRotations {

    /** v[off..+g) = P · v[off..+g); {@code tmp} holds at least g floats (needed by QR). */
    void rotate(Rotation rotation, float[] v, int off, float[] tmp) {
        switch (rotation) {
            case HadamardRotation h -> {
                int g = h.dim();
                float norm = (float) (1.0 / Math.sqrt(g));
                multiply(v, off, h.signs(), g, 1f);
                fwht(v, off, g);
                scale(v, off, g, norm);
            }
            case QrRotation q -> {
                int g = q.dim();
                System.arraycopy(v, off, tmp, 0, g);
                float[] p = q.matrix();
                for (int i = 0; i < g; i++) v[off + i] = dot(p, i * g, tmp, 0, g);
            }
        }
    }

    /** v[off..+g) = Pᵀ · v[off..+g). */
    void unrotate(Rotation rotation, float[] v, int off, float[] tmp) {
        switch (rotation) {
            case HadamardRotation h -> {
                int g = h.dim();
                fwht(v, off, g);
                multiply(v, off, h.signs(), g, (float) (1.0 / Math.sqrt(g)));
            }
            case QrRotation q -> {
                int g = q.dim();
                System.arraycopy(v, off, tmp, 0, g);
                java.util.Arrays.fill(v, off, off + g, 0f);
                float[] p = q.matrix();
                // Pᵀ·y = Σ_i y_i · (row i of P): contiguous reads of the row-major matrix.
                for (int i = 0; i < g; i++) axpy(tmp[i], p, i * g, v, off, g);
            }
        }
    }

    /**
     * In-place unnormalized Walsh–Hadamard transform (Sylvester order). At 16 lanes the four strides below one vector
     * run in registers: lane i's butterfly partner i ^ h comes from one permute, and a.fma(±1, partner) gives
     * a_i + a_{i+h} (bit h of i clear) or a_{i−h} − a_i (set) with the same single rounding as the scalar butterfly, so
     * the result is bit for bit the scalar one's. (Those strides were scalar, 4 of 7 stages of a 128-block: the
     * encoder runtime spent ~10 % of its time here.) Other widths, or n below one vector, keep them scalar.
     */
    void fwht(float[] v, int off, int n) {
        int lanes = Lanes.LENGTH;
        if (lanes == 16 && n >= lanes) {
            for (int j = off; j < off + n; j += lanes) {
                FloatVector a = Lanes.load(v, j);
                a = a.fma(SIGN_1, a.rearrange(PARTNER_1));
                a = a.fma(SIGN_2, a.rearrange(PARTNER_2));
                a = a.fma(SIGN_4, a.rearrange(PARTNER_4));
                a = a.fma(SIGN_8, a.rearrange(PARTNER_8));
                a.intoArray(v, j);
            }
        } else {
            for (int h = 1; h < n && h < lanes; h <<= 1) {
                for (int i = 0; i < n; i += h << 1) {
                    for (int j = off + i; j < off + i + h; j++) {
                        float a = v[j], b = v[j + h];
                        v[j] = a + b;
                        v[j + h] = a - b;
                    }
                }
            }
        }
        for (int h = lanes; h < n; h <<= 1) {
            for (int i = 0; i < n; i += h << 1) {
                for (int j = off + i; j < off + i + h; j += lanes) {
                    FloatVector a = Lanes.load(v, j), b = Lanes.load(v, j + h);
                    a.add(b).intoArray(v, j);
                    a.sub(b).intoArray(v, j + h);
                }
            }
        }
    }

    // The in-register stages at 16 lanes (built only there: other widths never read them).
    private static final VectorShuffle<Float> PARTNER_1 = partner(1), PARTNER_2 = partner(2), PARTNER_4 = partner(4),
            PARTNER_8 = partner(8);
    private static final FloatVector SIGN_1 = sign(1), SIGN_2 = sign(2), SIGN_4 = sign(4), SIGN_8 = sign(8);

    /** Lane i ← lane i ^ h. */
    private static VectorShuffle<Float> partner(int h) {
        if (Lanes.LENGTH != 16) return null;
        int[] idx = new int[16];
        for (int i = 0; i < 16; i++) idx[i] = i ^ h;
        return VectorShuffle.fromArray(Lanes.F, idx, 0);
    }

    /** +1 where bit h of the lane is clear (a + partner), −1 where set (partner − a). */
    private static FloatVector sign(int h) {
        if (Lanes.LENGTH != 16) return null;
        float[] s = new float[16];
        for (int i = 0; i < 16; i++) s[i] = (i & h) == 0 ? 1f : -1f;
        return FloatVector.fromArray(Lanes.F, s, 0);
    }

    private void multiply(float[] v, int off, float[] factors, int n, float scale) {
        int i = 0;
        for (; i <= n - Lanes.LENGTH; i += Lanes.LENGTH) {
            Lanes.load(v, off + i).mul(Lanes.load(factors, i)).mul(scale)
                    .intoArray(v, off + i);
        }
        for (; i < n; i++) v[off + i] = v[off + i] * factors[i] * scale;
    }

    private void scale(float[] v, int off, int n, float s) {
        int i = 0;
        for (; i <= n - Lanes.LENGTH; i += Lanes.LENGTH) {
            Lanes.load(v, off + i).mul(s).intoArray(v, off + i);
        }
        for (; i < n; i++) v[off + i] *= s;
    }

    private float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = Lanes.zero();
        int i = 0;
        for (; i <= n - Lanes.LENGTH; i += Lanes.LENGTH) {
            acc = Lanes.load(a, aOff + i).fma(Lanes.load(b, bOff + i), acc);
        }
        float s = LaneSums.sum(acc, new float[Lanes.LENGTH]);
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    private void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - Lanes.LENGTH; i += Lanes.LENGTH) {
            Lanes.load(x, xOff + i).fma(Lanes.broadcast(alpha), Lanes.load(y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }
}
