package org.turboquant.simd;

import java.util.SplittableRandom;
import org.turboquant.core.BlockLayout;
import org.turboquant.core.MatrixQuantizer;
import org.turboquant.core.MixedLayout;
import org.turboquant.core.MixedMatrixQuantizer;
import org.turboquant.core.MixedQuantizedMatrix;
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

    /** A mixed-width matrix with a third of its allocation units (rounded down) at the wide width. */
    public static MixedQuantizedMatrix mixed(int rows, int cols, int narrow, int wide, RotationKind kind, int block) {
        int g = block == 0 ? BlockLayout.WHOLE_ROW : block;
        QuantConfig config = new QuantConfig(narrow, g, kind, 42L + narrow, NormPrecision.F32, false);
        long units = (long) rows * MixedLayout.unitsPerRow(BlockLayout.of(cols, g, kind));
        float[] w = gaussian(rows * cols, 77L + narrow);
        for (int i = 0; i < w.length; i += 5) w[i] *= 4; // uneven block energies
        return MixedMatrixQuantizer.quantize(w, rows, cols, config, wide, units / 3);
    }

    /** ‖ŵ_r‖·‖x‖ per row of a mixed-width matrix. */
    public static double[] productScale(MixedQuantizedMatrix m, float[] x, int xOff) {
        float[] decoded = ScalarKernels.dequantize(m);
        return productScale(decoded, m.rows(), m.cols(), x, xOff);
    }

    private static double[] productScale(float[] decoded, int rows, int cols, float[] x, int xOff) {
        double xNorm = 0;
        for (int j = 0; j < cols; j++) xNorm += (double) x[xOff + j] * x[xOff + j];
        xNorm = Math.sqrt(xNorm);
        double[] scale = new double[rows];
        for (int r = 0; r < rows; r++) {
            double n = 0;
            for (int j = 0; j < cols; j++) n += (double) decoded[r * cols + j] * decoded[r * cols + j];
            scale[r] = Math.sqrt(n) * xNorm;
        }
        return scale;
    }

    /**
     * Every y[r] within 1e-5·‖ŵ_r‖·‖x‖ of the scalar reference's row r · x: the tolerance every GEMV kernel is held
     * to (a relative error on the scale of the terms, which stays meaningful when a row's product cancels to ~0).
     */
    public static void assertMatchesReference(QuantizedMatrix m, float[] x, float[] y) {
        float[] expected = new float[m.rows()];
        ScalarKernels.gemv(m, x, expected);
        double[] scale = productScale(m, x, 0);
        for (int r = 0; r < m.rows(); r++)
            org.assertj.core.api.Assertions.assertThat((double) Math.abs(y[r] - expected[r]))
                    .as("row %d: %s vs %s", r, y[r], expected[r]).isLessThanOrEqualTo(1e-5 * scale[r] + 1e-30);
    }

    /** ‖ŵ_r‖·‖x‖ per row: a bound on Σ|terms| of row r's product (Cauchy–Schwarz; rotations keep norms). */
    public static double[] productScale(QuantizedMatrix m, float[] x, int xOff) {
        return productScale(ScalarKernels.dequantize(m), m.rows(), m.cols(), x, xOff);
    }
}
