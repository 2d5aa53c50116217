package org.turboquant.simd.baseline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.turboquant.core.baseline.BlockStreamMatrix;
import org.turboquant.core.baseline.IQ4_XSMatrix;
import org.turboquant.core.baseline.Q4_KMatrix;
import org.turboquant.simd.TestMatrices;

/** The fused Q4_K and IQ4_XS kernels against the scalar reference (run at 512/256/128 bits by the pom). */
class BlockGemvTest {
    private static final int ROWS = 7;

    /** 32, 96 and 384 put sub-blocks of one super-block in consecutive rows; 100 and 7 take the scalar path. */
    @ParameterizedTest(name = "cols {0}")
    @ValueSource(ints = {7, 32, 96, 100, 256, 384, 1536, 4128})
    void q4_KMatchesItsScalarReference(int cols) {
        float[] w = TestMatrices.gaussian(ROWS * cols, cols), x = TestMatrices.gaussian(cols, 7);
        Q4_KMatrix m = Q4_KMatrix.quantize(w, ROWS, cols);
        float[] y = new float[ROWS];
        Q4_KGemv.gemv(m, x, y, 0, 2);
        Q4_KGemv.gemv(m, x, y, 2, ROWS);
        assertClose(m, x, y);
    }

    @ParameterizedTest(name = "cols {0}")
    @ValueSource(ints = {7, 32, 96, 100, 256, 384, 1536, 4128})
    void iq4_XSMatchesItsScalarReference(int cols) {
        float[] w = TestMatrices.gaussian(ROWS * cols, cols), x = TestMatrices.gaussian(cols, 7);
        IQ4_XSMatrix m = IQ4_XSMatrix.quantize(w, ROWS, cols);
        float[] y = new float[ROWS];
        IQ4_XSGemv.gemv(m, x, y, 0, 3);
        IQ4_XSGemv.gemv(m, x, y, 3, ROWS);
        assertClose(m, x, y);
    }

    /** |y − scalar| ≤ 1e-5 · Σ_j |w_j x_j| per row (w decoded), and the scalar product is not trivially zero. */
    private static void assertClose(BlockStreamMatrix m, float[] x, float[] y) {
        float[] expected = new float[ROWS], decoded = m.dequantize();
        m.gemv(x, expected);
        int cols = m.cols();
        for (int r = 0; r < ROWS; r++) {
            double abs = 0;
            for (int j = 0; j < cols; j++) abs += Math.abs((double) decoded[r * cols + j] * x[j]);
            assertThat(abs).isPositive();
            assertThat((double) Math.abs(y[r] - expected[r])).as("row %d", r).isLessThanOrEqualTo(1e-5 * abs);
        }
    }
}
