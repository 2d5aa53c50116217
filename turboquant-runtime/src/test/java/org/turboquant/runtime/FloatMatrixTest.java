package org.turboquant.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * The FP32 panel GEMM against a scalar double-precision reference: row counts around the panel edges, odd column
 * counts, every batch size around the tile edges (1..33), bias and accumulate, offsets, row look-ups; and results
 * that do not depend on the batch around an input or on the threads.
 */
class FloatMatrixTest {
    private static final int[] ROWS = {1, 15, 16, 17, 31, 32, 33, 64, 65, 384};
    private static final int[] COLS = {1, 3, 17, 384};

    /** The pom runs this class again at 256 and 128 bits: make sure those runs really use that width. */
    @Test
    void runsAtTheForcedVectorWidth() {
        Integer forced = Integer.getInteger("turboquant.vectorBits");
        if (forced != null) assertThat(VectorOps.S.vectorBitSize()).isEqualTo(forced);
        assertThat(FloatMatrix.PANEL).isEqualTo(2 * VectorOps.S.length());
    }

    @Test
    void everyBatchMatchesTheScalarReference() {
        Random rnd = new Random(7);
        for (int rows : ROWS)
            for (int cols : COLS) {
                float[] w = gaussian(rnd, rows * cols);
                FloatMatrix m = new FloatMatrix("m", rows, cols, w);
                for (int batch = 1; batch <= 33; batch += batch < 10 || batch > 14 ? 1 : 3) {
                    float[] x = gaussian(rnd, 3 + batch * cols), bias = gaussian(rnd, rows);
                    float[] y = gaussian(rnd, 2 + batch * rows), before = y.clone();
                    boolean accumulate = batch % 2 == 0;
                    m.matmul(x, 3, batch, y, 2, batch % 3 == 0 ? null : bias, accumulate);
                    for (int b = 0; b < batch; b++)
                        for (int r = 0; r < rows; r++) {
                            double e = (batch % 3 == 0 ? 0 : bias[r]) + (accumulate ? before[2 + b * rows + r] : 0);
                            double mag = 0;
                            for (int c = 0; c < cols; c++) {
                                e += (double) w[r * cols + c] * x[3 + b * cols + c];
                                mag += Math.abs((double) w[r * cols + c] * x[3 + b * cols + c]);
                            }
                            assertThat((double) y[2 + b * rows + r]).as("%d×%d batch %d input %d row %d", rows, cols, batch, b, r)
                                    .isCloseTo(e, within(1e-5 * (1 + mag)));
                        }
                    assertThat(y[0]).isEqualTo(before[0]);
                    assertThat(y[1]).isEqualTo(before[1]);
                }
            }
    }

    @Test
    void transposedConstructionAndRowsAreTheMatrix() {
        Random rnd = new Random(3);
        int in = 37, out = 45;
        float[] inByOut = gaussian(rnd, in * out), row = new float[in + 2];
        FloatMatrix m = FloatMatrix.ofTransposed("t", in, out, inByOut);
        assertThat(m.rows()).isEqualTo(out);
        assertThat(m.cols()).isEqualTo(in);
        for (int r = 0; r < out; r++) {
            m.row(r, row, 2);
            for (int c = 0; c < in; c++) assertThat(row[2 + c]).isEqualTo(inByOut[c * out + r]);
        }
    }

    @Test
    void anInputsResultDependsOnNeitherItsBatchNorTheThreads() throws Exception {
        Random rnd = new Random(11);
        int rows = 384, cols = 384, batch = 21;
        FloatMatrix m = new FloatMatrix("m", rows, cols, gaussian(rnd, rows * cols));
        float[] x = gaussian(rnd, batch * cols), all = new float[batch * rows];
        try (ForkJoinPool one = new ForkJoinPool(1)) {
            one.submit(() -> m.matmul(x, 0, batch, all, 0, null, false)).get();
        }
        float[] parallel = new float[batch * rows];
        try (ForkJoinPool three = new ForkJoinPool(3)) {
            three.submit(() -> m.matmul(x, 0, batch, parallel, 0, null, false)).get();
        }
        assertThat(parallel).containsExactly(all);
        for (int b : new int[] {0, 7, 8, 20}) {
            float[] single = new float[rows];
            m.matvec(x, b * cols, single, 0, null, false);
            for (int r = 0; r < rows; r++) assertThat(single[r]).as("input %d row %d", b, r).isEqualTo(all[b * rows + r]);
        }
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }
}
