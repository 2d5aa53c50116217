package org.turboquant.runtime;

import java.util.Locale;

/** How the sentence vector is read from the last hidden state; it is L2-normalized afterwards. */
public enum Pooling {
    /** The mean of the token vectors under the attention mask. */
    MEAN,
    /** The first token's vector ([CLS]). */
    CLS;

    public static Pooling parse(String s) {
        return valueOf(s.strip().toUpperCase(Locale.ROOT));
    }

    /**
     * The pooled, L2-normalized vector of one text whose token vectors are rows start .. start + length of
     * {@code hidden} (width {@code dim}); mask[i] is token start + i's mask.
     */
    float[] pool(float[] hidden, int start, int length, int[] mask, int dim) {
        float[] v = new float[dim];
        if (this == CLS) {
            System.arraycopy(hidden, start * dim, v, 0, dim);
        } else {
            int count = 0;
            for (int i = 0; i < length; i++) {
                if (mask[i] == 0) continue;
                count++;
                VectorOps.add(hidden, (start + i) * dim, v, 0, dim);
            }
            VectorOps.scale(1f / Math.max(1, count), v, 0, dim);
        }
        normalize(v);
        return v;
    }

    /** Scales {@code v} to unit length (a zero vector stays zero). */
    static void normalize(float[] v) {
        double sq = 0;
        for (float x : v) sq += (double) x * x;
        if (sq == 0) return;
        VectorOps.scale((float) (1 / Math.sqrt(sq)), v, 0, v.length);
    }
}
