package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TurboQuantProdTest {
    private static final int PAIRS = 20_000;
    private static final int PAIRS_PER_SKETCH = 10;

    /** √3·π²/g·4^−b, the paper's bound on the estimate's variance for unit vectors. */
    private static double varianceBound(int dim, int bits) {
        return Math.sqrt(3) * Math.PI * Math.PI / dim * Math.pow(4, -bits);
    }

    /**
     * Pairs (x, y) of unit vectors with ⟨x, y⟩ ≈ 0.7, so that a biased estimator (an mse-only estimate shrinks
     * toward 0; a wrong QJL factor over- or under-corrects) shows up in the mean error. The estimate is unbiased
     * over the randomness of S; one fixed S is biased by O(1/g) (its row norms are not exactly √g), which 20k
     * pairs would detect, so every {@value #PAIRS_PER_SKETCH} pairs draw a fresh S.
     */
    @ParameterizedTest
    @CsvSource({"128,1,qr", "128,2,qr", "128,3,qr", "128,4,qr", "64,2,hadamard", "64,3,qr"})
    void estimateIsUnbiasedWithVarianceBelowThePaperBound(int dim, int bits, String kind) {
        SplittableRandom random = new SplittableRandom(1000 + 10L * dim + bits);
        double sum = 0, sumSquares = 0, mseOnlySum = 0;
        TurboQuantProd prod = null;
        for (int p = 0; p < PAIRS; p++) {
            if (p % PAIRS_PER_SKETCH == 0) {
                QjlSketch sketch = new QjlSketch(dim, 5000L + p / PAIRS_PER_SKETCH);
                prod = new TurboQuantProd(dim, bits, RotationKind.parse(kind), 23, sketch);
            }
            float[] x = TurboQuantMseTest.randomUnitVector(random, dim);
            float[] noise = TurboQuantMseTest.randomUnitVector(random, dim);
            float[] y = new float[dim];
            for (int j = 0; j < dim; j++) y[j] = x[j] + noise[j];
            y = normalized(y);
            double truth = dot(x, y);
            TurboQuantProd.Code code = prod.quantize(x);
            double error = prod.estimateInnerProduct(code, y) - truth;
            sum += error;
            sumSquares += error * error;
            if (prod.mse() != null) mseOnlySum += dot(prod.mse().dequantize(prod.mse().quantize(x)), y) - truth;
        }
        double mean = sum / PAIRS;
        double variance = sumSquares / PAIRS - mean * mean;
        double standardError = Math.sqrt(variance / PAIRS);
        assertThat(Math.abs(mean)).as("mean error").isLessThan(3 * standardError);
        assertThat(variance).as("variance").isLessThan(varianceBound(dim, bits));
        // The same pairs do expose the bias of the plain (b−1)-bit mse estimate: the test can fail.
        if (prod.mse() != null) assertThat(Math.abs(mseOnlySum / PAIRS)).isGreaterThan(10 * standardError);
    }

    @Test
    void dequantizedVectorReproducesTheEstimate() {
        int dim = 64;
        TurboQuantProd prod = new TurboQuantProd(dim, 3, RotationKind.QR, 4);
        SplittableRandom random = new SplittableRandom(8);
        float[] x = TurboQuantMseTest.randomUnitVector(random, dim);
        for (int j = 0; j < dim; j++) x[j] *= 2.5f;
        float[] y = TurboQuantMseTest.randomUnitVector(random, dim);
        TurboQuantProd.Code code = prod.quantize(x);
        assertThat(code.norm()).isCloseTo(2.5f, offset(1e-5f));
        assertThat(code.signBits()).hasSize((int) BitPacking.packedBytes(dim, 1));
        assertThat(dot(prod.dequantize(code), y)).isCloseTo(prod.estimateInnerProduct(code, y), offset(1e-5));
    }

    @Test
    void signBitsAreTheSignsOfTheSketchedResidual() {
        int dim = 32;
        TurboQuantProd prod = new TurboQuantProd(dim, 1, RotationKind.QR, 6);
        float[] x = TurboQuantMseTest.randomUnitVector(new SplittableRandom(2), dim);
        TurboQuantProd.Code code = prod.quantize(x);
        // bits = 1: no mse stage, the residual is x itself and its norm is 1.
        assertThat(code.residualNorm()).isCloseTo(1f, offset(1e-6f));
        double[] sx = new double[dim];
        new QjlSketch(dim, 6).project(x, 0, sx, 0);
        byte[] signs = BitPacking.unpack(code.signBits(), dim, 1);
        for (int i = 0; i < dim; i++) assertThat(signs[i]).isEqualTo((byte) (sx[i] >= 0 ? 1 : 0));
        // S is regenerated from SplitMix64(qjlSeed(rotation seed)), row-major.
        SplitMix64 random = new SplitMix64(Seeds.qjlSeed(6));
        float[] s = prod.sketch().matrix();
        for (int i = 0; i < 10; i++) assertThat(s[i]).isEqualTo((float) random.nextGaussian());
    }

    @Test
    void matrixGemvEqualsThePerRowEstimates() {
        int rows = 6, cols = 100;
        float[] w = ScalarKernelsTest.gaussianMatrix(rows, cols, 3);
        float[] x = ScalarKernelsTest.gaussianMatrix(1, cols, 4);
        for (int bits = 1; bits <= 3; bits++) {
            QuantConfig config = new QuantConfig(bits, BlockLayout.WHOLE_ROW, RotationKind.QR, 9, NormPrecision.F32, false);
            QuantizedProdMatrix m = QuantizedProdMatrix.quantize(w, rows, cols, config);
            float[] y = new float[rows];
            m.gemv(x, y);
            TurboQuantProd prod = new TurboQuantProd(cols, bits, RotationKind.QR, 9);
            for (int r = 0; r < rows; r++) {
                float[] row = java.util.Arrays.copyOfRange(w, r * cols, (r + 1) * cols);
                assertThat((double) y[r]).isCloseTo(prod.estimateInnerProduct(prod.quantize(row), x), offset(1e-3));
            }
            assertThat(m.qjlBits().byteSize()).isEqualTo(rows * BitPacking.packedBytes(cols, 1));
            assertThat(m.mseCodes().byteSize()).isEqualTo(bits == 1 ? 0 : rows * BitPacking.packedBytes(cols, bits - 1));
        }
    }

    @Test
    void blockedMatrixEstimatesAreCloseToTheTruth() {
        int rows = 40, cols = 200;
        float[] w = ScalarKernelsTest.gaussianMatrix(rows, cols, 5);
        float[] x = ScalarKernelsTest.gaussianMatrix(1, cols, 6);
        QuantConfig config = new QuantConfig(4, 64, RotationKind.HADAMARD, 9, NormPrecision.F32, false);
        QuantizedProdMatrix m = QuantizedProdMatrix.quantize(w, rows, cols, config);
        float[] y = new float[rows];
        m.gemv(x, y);
        double errorEnergy = 0, energy = 0;
        for (int r = 0; r < rows; r++) {
            double truth = 0;
            for (int j = 0; j < cols; j++) truth += w[r * cols + j] * x[j];
            errorEnergy += (y[r] - truth) * (y[r] - truth);
            energy += truth * truth;
        }
        assertThat(errorEnergy / energy).isLessThan(0.05);
    }

    @Test
    void normCorrectionIsRejectedForProd() {
        QuantConfig config = new QuantConfig(3, 0, RotationKind.QR, 1, NormPrecision.F32, true);
        assertThatThrownBy(() -> QuantizedProdMatrix.quantize(new float[8], 1, 8, config))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) s += (double) a[j] * b[j];
        return s;
    }

    static float[] normalized(float[] v) {
        double n = Math.sqrt(dot(v, v));
        float[] out = new float[v.length];
        for (int j = 0; j < v.length; j++) out[j] = (float) (v[j] / n);
        return out;
    }
}
