package org.turboquant.runtime;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Multi-head scaled dot-product self-attention of one text whose tokens are rows {@code start .. start + length)}
 * of [tokens, hidden] query, key and value matrices (heads side by side, head h in columns h·d .. h·d + d). Keys
 * whose mask is 0 get no weight, which is what adding the mask's large negative number before the softmax does.
 * Not thread-safe: one instance per thread, its score buffer reused.
 */
final class Attention {
    private final int heads, headDim, hidden;
    private final float scale;
    private float[] scores = new float[64];
    private int[] keys = new int[64];

    Attention(int heads, int headDim, float scale) {
        this.heads = heads;
        this.headDim = headDim;
        this.hidden = heads * headDim;
        this.scale = scale;
    }

    /**
     * ctx rows start .. start + length = softmax(q·kᵀ·scale over the unmasked keys)·v, per head.
     *
     * @param mask the text's attention mask, mask[i] for token start + i; at least one must be non-zero
     */
    void apply(float[] q, float[] k, float[] v, float[] ctx, int start, int length, int[] mask) {
        apply(q, k, v, ctx, start, length, mask, 0, heads);
    }

    /** The same for the heads h0 .. h1 only (their columns of ctx). */
    void apply(float[] q, float[] k, float[] v, float[] ctx, int start, int length, int[] mask, int h0, int h1) {
        if (scores.length < length) {
            scores = new float[length];
            keys = new int[length];
        }
        int m = 0;
        for (int j = 0; j < length; j++) if (mask[j] != 0) keys[m++] = start + j;
        if (m == 0) throw new IllegalArgumentException("a text whose attention mask is all zeros");
        for (int i = start; i < start + length; i++) {
            for (int h = h0; h < h1; h++) {
                int qOff = i * hidden + h * headDim;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < m; j++) {
                    float s = VectorOps.dot(q, qOff, k, keys[j] * hidden + h * headDim, headDim) * scale;
                    scores[j] = s;
                    if (s > max) max = s;
                }
                float sum = expMinus(scores, m, max);
                float inv = 1f / sum;
                Arrays.fill(ctx, qOff, qOff + headDim, 0f);
                for (int j = 0; j < m; j++)
                    VectorOps.axpy(scores[j] * inv, v, keys[j] * hidden + h * headDim, ctx, qOff, headDim);
            }
        }
    }

    /** s[j] = exp(s[j] − max) for j < n; returns their sum. */
    private static float expMinus(float[] s, int n, float max) {
        var sp = VectorOps.S;
        int j = 0, bound = sp.loopBound(n);
        FloatVector acc = FloatVector.zero(sp);
        for (; j < bound; j += sp.length()) {
            FloatVector e = FloatVector.fromArray(sp, s, j).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(s, j);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) {
            s[j] = (float) Math.exp(s[j] - max);
            sum += s[j];
        }
        return sum;
    }
}
