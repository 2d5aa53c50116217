package org.turboquant.cli.fidelity;

import java.util.Arrays;

/**
 * How close reconstructed-weight embeddings stay to the original ones, over the same texts.
 *
 * @param meanCosine  mean over texts of cos(original, reconstructed)
 * @param minCosine   the worst text's cosine
 * @param recallAt10  per text, the share of its 10 nearest neighbours (among the other texts, by original
 *                    embeddings) that are still among its 10 nearest by reconstructed embeddings; averaged
 */
public record FidelityMetrics(double meanCosine, double minCosine, double recallAt10) {
    public static final int K = 10;

    /** Both arrays hold unit vectors, one per text, in the same order. */
    public static FidelityMetrics of(float[][] original, float[][] reconstructed) {
        if (original.length != reconstructed.length || original.length == 0)
            throw new IllegalArgumentException("need the same, non-zero number of embeddings on both sides");
        double sum = 0, min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < original.length; i++) {
            double c = dot(original[i], reconstructed[i]);
            sum += c;
            min = Math.min(min, c);
        }
        return new FidelityMetrics(sum / original.length, min, recallAtK(original, reconstructed, K));
    }

    /** Mean top-k overlap; k shrinks to n − 1 for tiny sets so that the figure stays defined. */
    static double recallAtK(float[][] original, float[][] reconstructed, int k) {
        int n = original.length;
        int kk = Math.min(k, n - 1);
        if (kk <= 0) return 1.0;
        double total = 0;
        for (int i = 0; i < n; i++) {
            int[] a = nearest(original, i, kk);
            int[] b = nearest(reconstructed, i, kk);
            Arrays.sort(b);
            int hits = 0;
            for (int j : a) if (Arrays.binarySearch(b, j) >= 0) hits++;
            total += (double) hits / kk;
        }
        return total / n;
    }

    /** Indices of the k texts most similar to text i (i excluded); ties go to the lower index. */
    static int[] nearest(float[][] e, int i, int k) {
        Integer[] order = new Integer[e.length - 1];
        double[] sim = new double[e.length];
        for (int j = 0, m = 0; j < e.length; j++) {
            if (j == i) continue;
            sim[j] = dot(e[i], e[j]);
            order[m++] = j;
        }
        Arrays.sort(order, (x, y) -> sim[x] != sim[y] ? Double.compare(sim[y], sim[x]) : Integer.compare(x, y));
        int[] top = new int[k];
        for (int j = 0; j < k; j++) top[j] = order[j];
        return top;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) s += (double) a[d] * b[d];
        return s;
    }
}
