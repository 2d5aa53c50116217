package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScalarKernelsTest {

    static float[] gaussianMatrix(int rows, int cols, long seed) {
        Random random = new Random(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian();
        return w;
    }

    @ParameterizedTest
    @CsvSource({"qr,0,4", "qr,32,3", "hadamard,64,2", "hadamard,0,4", "qr,128,1", "hadamard,256,8", "qr,0,8"})
    void gemvEqualsDotOfDequantizedRows(String rotation, int block, int bits) {
        int rows = 9, cols = 383;
        float[] w = gaussianMatrix(rows, cols, 7);
        QuantConfig config = new QuantConfig(bits, block, RotationKind.parse(rotation), 11L, NormPrecision.F32, false);
        QuantizedMatrix m = MatrixQuantizer.quantize(w, rows, cols, config);
        float[] x = gaussianMatrix(1, cols, 8);
        float[] y = new float[rows];
        ScalarKernels.gemv(m, x, y);
        float[] decoded = ScalarKernels.dequantize(m);
        for (int r = 0; r < rows; r++) {
            double expected = 0;
            for (int j = 0; j < cols; j++) expected += (double) decoded[r * cols + j] * x[j];
            assertThat((double) y[r]).isCloseTo(expected, within(1e-3 * Math.sqrt(cols)));
        }
    }
}
