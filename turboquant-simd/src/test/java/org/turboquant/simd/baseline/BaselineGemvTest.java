package org.turboquant.simd.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.turboquant.core.baseline.Q4_0Matrix;
import org.turboquant.core.baseline.Q8_0Matrix;
import org.turboquant.simd.TestMatrices;

class BaselineGemvTest {
    private static final int ROWS = 5;

    @ParameterizedTest(name = "cols {0}")
    @ValueSource(ints = {1, 7, 31, 32, 33, 383, 1000, 4097})
    void fp32MatchesAPlainDotProduct(int cols) {
        float[] w = TestMatrices.gaussian(ROWS * cols, cols), x = TestMatrices.gaussian(cols, 7);
        float[] y = new float[ROWS];
        Fp32Gemv.gemv(w, cols, x, y, 0, ROWS);
        for (int r = 0; r < ROWS; r++) {
            double exact = 0, abs = 0;
            for (int j = 0; j < cols; j++) {
                exact += (double) w[r * cols + j] * x[j];
                abs += Math.abs((double) w[r * cols + j] * x[j]);
            }
            assertThat(Math.abs(y[r] - exact)).isLessThanOrEqualTo(1e-5 * abs);
        }
    }

    @ParameterizedTest(name = "cols {0}")
    @ValueSource(ints = {1, 7, 31, 32, 33, 383, 1000, 4097})
    void q8_0MatchesItsScalarReference(int cols) {
        float[] w = TestMatrices.gaussian(ROWS * cols, cols), x = TestMatrices.gaussian(cols, 7);
        Q8_0Matrix m = Q8_0Matrix.quantize(w, ROWS, cols);
        float[] expected = new float[ROWS], y = new float[ROWS];
        m.gemv(x, expected);
        Q8_0Gemv.gemv(m, x, y, 0, ROWS);
        assertClose(y, expected, m.dequantize(), x, cols);
    }

    @ParameterizedTest(name = "cols {0}")
    @ValueSource(ints = {1, 7, 31, 32, 33, 383, 1000, 4097})
    void q4_0MatchesItsScalarReference(int cols) {
        float[] w = TestMatrices.gaussian(ROWS * cols, cols), x = TestMatrices.gaussian(cols, 7);
        Q4_0Matrix m = Q4_0Matrix.quantize(w, ROWS, cols);
        float[] expected = new float[ROWS], y = new float[ROWS];
        m.gemv(x, expected);
        Q4_0Gemv.gemv(m, x, y, 0, ROWS);
        assertClose(y, expected, m.dequantize(), x, cols);
    }

    /** |y − expected| ≤ 1e-5 · Σ_j |w_j x_j| per row, with w the decoded matrix. */
    private static void assertClose(float[] y, float[] expected, float[] decoded, float[] x, int cols) {
        for (int r = 0; r < ROWS; r++) {
            double abs = 0;
            for (int j = 0; j < cols; j++) abs += Math.abs((double) decoded[r * cols + j] * x[j]);
            assertThat((double) Math.abs(y[r] - expected[r])).as("row %d", r).isLessThanOrEqualTo(1e-5 * abs);
        }
    }
}
