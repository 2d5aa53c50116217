package org.turboquant.cli.fidelity;

import java.util.Locale;

/** How a sentence embedding is read from a transformer's last hidden state. */
public enum Pooling {
    /** Average of the token vectors under the attention mask (what all-MiniLM-L6-v2 was trained with). */
    MEAN,
    /** The first token's vector ([CLS]). */
    CLS;

    public static Pooling parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    /**
     * Pools one batch and L2-normalizes each result.
     *
     * @param hidden [batch, seq, dim] row-major
     * @param mask   [batch, seq], 1 for real tokens
     * @return batch vectors of length dim, each of unit norm (or zero when the input was zero)
     */
    public float[][] pool(float[] hidden, long[] mask, int batch, int seq, int dim) {
        float[][] out = new float[batch][dim];
        for (int b = 0; b < batch; b++) {
            float[] v = out[b];
            if (this == CLS) {
                System.arraycopy(hidden, b * seq * dim, v, 0, dim);
            } else {
                double[] sum = new double[dim];
                long count = 0;
                for (int t = 0; t < seq; t++) {
                    if (mask[b * seq + t] == 0) continue;
                    count++;
                    int base = (b * seq + t) * dim;
                    for (int d = 0; d < dim; d++) sum[d] += hidden[base + d];
                }
                for (int d = 0; d < dim; d++) v[d] = (float) (sum[d] / Math.max(1, count));
            }
            normalize(v);
        }
        return out;
    }

    static void normalize(float[] v) {
        double sq = 0;
        for (float x : v) sq += (double) x * x;
        if (sq == 0) return;
        float inv = (float) (1 / Math.sqrt(sq));
        for (int d = 0; d < v.length; d++) v[d] *= inv;
    }
}
