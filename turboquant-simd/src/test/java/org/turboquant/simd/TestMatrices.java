package org.turboquant.simd;

import java.util.SplittableRandom;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.MatrixQuantizer;
import org.turboquant.core.NormPrecision;
import org.turboquant.core.QuantConfig;
import org.turboquant.core.QuantizedMatrix;
import org.turboquant.core.RotationKind;
import org.turboquant.core.ScalarKernels;

/** Seeded Gaussian matrices and inputs, and the error measure every kernel test uses. */
public final class TestMatrices {
    private TestMatrices() {}

    public static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (random.nextGaussian());
        return v;
    }

    public static QuantizedMatrix quantized(int rows, int cols, int bits, RotationKind kind, int block, long seed) {
        QuantConfig config = new QuantConfig(bits, block, kind, seed, NormPrecision.F32, false);
        return MatrixQuantizer.quantize(gaussian(rows * cols, seed * 31 + 7), rows, cols, config);
    }

    public static QuantizedMatrix quantized(int rows, int cols, int bits, RotationKind kind, int block) {
        return quantized(rows, cols, bits, kind, block == 0 ? BlockLayout.WHOLE_ROW : block, 42L + bits);
    }

    /** ‖ŵ_r‖·‖x‖ per row: a bound on Σ|terms| of row r's product (Cauchy–Schwarz; rotations keep norms). */
    public static double[] productScale(QuantizedMatrix m, float[] x, int xOff) {
        double xNorm = 0;
        for (int j = 0; j < m.cols(); j++) xNorm += (double) x[xOff + j] * x[xOff + j];
        xNorm = Math.sqrt(xNorm);
        double[] scale = new double[m.rows()];
        float[] row = new float[m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            ScalarKernels.dequantizeRow(m, r, row, 0);
            double n = 0;
            for (float v : row) n += (double) v * v;
            scale[r] = Math.sqrt(n) * xNorm;
        }
        return scale;
    }
}
