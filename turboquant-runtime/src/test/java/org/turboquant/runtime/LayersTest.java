package org.turboquant.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each layer of the encoder against a plain scalar reference written here, in double, on odd sizes. */
class LayersTest {
    private static final int[] WIDTHS = {1, 3, 7, 16, 17, 31, 384, 385};

    @Test
    void layerNormMatchesTheTextbookFormula() {
        Random rnd = new Random(1);
        for (int n : WIDTHS) {
            float[] gamma = gaussian(rnd, n, 1), beta = gaussian(rnd, n, 1);
            int rows = 3;
            float[] x = gaussian(rnd, rows * n, 4);
            for (int i = 0; i < x.length; i++) x[i] += 2; // a non-zero mean
            float[] expect = x.clone();
            for (int r = 0; r < rows; r++) {
                double mean = 0, var = 0;
                for (int i = 0; i < n; i++) mean += x[r * n + i];
                mean /= n;
                for (int i = 0; i < n; i++) var += (x[r * n + i] - mean) * (x[r * n + i] - mean);
                var /= n;
                for (int i = 0; i < n; i++)
                    expect[r * n + i] = (float) ((x[r * n + i] - mean) / Math.sqrt(var + 1e-12) * gamma[i] + beta[i]);
            }
            new LayerNorm(gamma, beta, 1e-12f).apply(x, rows);
            for (int i = 0; i < x.length; i++)
                assertThat(x[i]).as("width %d, element %d", n, i).isCloseTo(expect[i], within(2e-5f * (1 + Math.abs(expect[i]))));
        }
    }

    @Test
    void layerNormOfAConstantRowIsItsShift() {
        float[] beta = {0.5f, -1, 2}, x = {3, 3, 3};
        new LayerNorm(new float[] {1, 1, 1}, beta, 1e-5f).apply(x, 1);
        assertThat(x).containsExactly(beta);
    }

    @Test
    void geluIsTheErfForm() {
        for (int n : WIDTHS) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = -8 + 16f * i / Math.max(1, n - 1);
            float[] y = x.clone();
            Gelu.apply(y, 0, n);
            for (int i = 0; i < n; i++) {
                double expect = 0.5 * x[i] * (1 + erf(x[i] / Math.sqrt(2)));
                assertThat((double) y[i]).as("GELU(%s)", x[i]).isCloseTo(expect, within(3e-7 * (1 + Math.abs(expect))));
            }
        }
    }

    @Test
    void geluAtKnownPoints() {
        float[] x = {0, 1, -1, 3};
        Gelu.apply(x, 0, x.length);
        // GELU(1) = Φ(1) = 0.841344746..., GELU(-1) = -(1 - Φ(1)), GELU(3) = 3·Φ(3)
        assertThat(x[0]).isEqualTo(0f);
        assertThat(x[1]).isCloseTo(0.8413447f, within(3e-7f));
        assertThat(x[2]).isCloseTo(-0.1586553f, within(3e-7f));
        assertThat(x[3]).isCloseTo(3 * 0.9986501f, within(1e-6f));
    }

    @Test
    void attentionMatchesTheNaiveSoftmaxWithPaddingMask() {
        Random rnd = new Random(2);
        for (int[] hd : new int[][] {{1, 1}, {2, 3}, {3, 17}, {12, 32}}) {
            int heads = hd[0], d = hd[1], hidden = heads * d;
            int before = 2, length = 9, tokens = before + length + 1; // the text sits between other rows
            float scale = (float) (1 / Math.sqrt(d));
            float[] q = gaussian(rnd, tokens * hidden, 1), k = gaussian(rnd, tokens * hidden, 1), v = gaussian(rnd, tokens * hidden, 1);
            int[] mask = {1, 1, 0, 1, 0, 1, 1, 1, 0};
            float[] ctx = new float[tokens * hidden];
            new Attention(heads, d, scale).apply(q, k, v, ctx, before, length, mask);
            for (int i = 0; i < length; i++) {
                for (int h = 0; h < heads; h++) {
                    double[] w = new double[length];
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < length; j++) {
                        double s = 0;
                        for (int c = 0; c < d; c++)
                            s += (double) q[(before + i) * hidden + h * d + c] * k[(before + j) * hidden + h * d + c];
                        w[j] = mask[j] == 0 ? Double.NEGATIVE_INFINITY : s * scale;
                        max = Math.max(max, w[j]);
                    }
                    for (int j = 0; j < length; j++) sum += w[j] = Math.exp(w[j] - max);
                    for (int c = 0; c < d; c++) {
                        double e = 0;
                        for (int j = 0; j < length; j++) e += w[j] / sum * v[(before + j) * hidden + h * d + c];
                        assertThat((double) ctx[(before + i) * hidden + h * d + c]).as("heads %d, d %d, token %d", heads, d, i)
                                .isCloseTo(e, within(1e-5));
                    }
                }
            }
            for (int c = 0; c < before * hidden; c++) assertThat(ctx[c]).isZero(); // other texts' rows untouched
        }
    }

    @Test
    void attentionRejectsAnAllZeroMask() {
        assertThatThrownBy(() -> new Attention(1, 2, 1).apply(new float[4], new float[4], new float[4], new float[4], 0, 2,
                new int[] {0, 0})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("all zeros");
    }

    @Test
    void meanAndClsPoolingThenL2() {
        Random rnd = new Random(3);
        for (int dim : WIDTHS) {
            int start = 1, length = 5;
            float[] hidden = gaussian(rnd, (start + length) * dim, 2);
            int[] mask = {1, 0, 1, 1, 0};
            double[] mean = new double[dim];
            for (int t = 0; t < length; t++)
                if (mask[t] == 1) for (int c = 0; c < dim; c++) mean[c] += hidden[(start + t) * dim + c] / 3.0;
            double[] cls = new double[dim];
            for (int c = 0; c < dim; c++) cls[c] = hidden[start * dim + c];
            assertUnitAlong(Pooling.MEAN.pool(hidden, start, length, mask, dim), mean);
            assertUnitAlong(Pooling.CLS.pool(hidden, start, length, mask, dim), cls);
        }
    }

    @Test
    void normalizingAZeroVectorLeavesItZero() {
        float[] z = new float[5];
        Pooling.normalize(z);
        assertThat(z).containsOnly(0f);
    }

    private static void assertUnitAlong(float[] got, double[] direction) {
        double norm = 0;
        for (double x : direction) norm += x * x;
        norm = Math.sqrt(norm);
        for (int c = 0; c < got.length; c++)
            assertThat((double) got[c]).as("element %d of %d", c, got.length).isCloseTo(direction[c] / norm, within(2e-6));
    }

    private static float[] gaussian(Random rnd, int n, double sigma) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * sigma);
        return v;
    }

    /** erf by its Maclaurin series (|x| < 3) or continued fraction of erfc; both well below float's resolution. */
    static double erf(double x) {
        double a = Math.abs(x);
        double r;
        if (a < 3) {
            double term = a, sum = a;
            for (int n = 1; n < 200; n++) {
                term *= -a * a / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;
            for (int k = 60; k >= 1; k--) f = k / 2.0 / (a + f);
            r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f);
        }
        return x < 0 ? -r : r;
    }
}
