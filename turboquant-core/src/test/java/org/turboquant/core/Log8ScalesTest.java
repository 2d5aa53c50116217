package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One-byte log-grid block scales under a per-tensor unit R (NormPrecision.LOG8). */
class Log8ScalesTest {

    /** Gaussian rows with uneven block scales and a few outliers (as ScaleSearchTest), times {@code gain}. */
    private static float[] weights(int rows, int cols, long seed, double gain) {
        Random rnd = new Random(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            double scale = 1 + 3 * ((i / 16) % 3) + (rnd.nextInt(50) == 0 ? 8 : 0);
            w[i] = (float) (rnd.nextGaussian() * scale * gain);
        }
        return w;
    }

    private static double relativeError(float[] w, float[] d) {
        double e = 0, n = 0;
        for (int i = 0; i < w.length; i++) {
            e += ((double) w[i] - d[i]) * ((double) w[i] - d[i]);
            n += (double) w[i] * w[i];
        }
        return e / n;
    }

    @Test
    void everyCodeRoundTripsAndTheGridHas16StepsPerOctave() {
        assertThat(NormPrecision.log8Code(0f)).isZero();
        assertThat(NormPrecision.log8Scale(0)).isZero();
        assertThat(NormPrecision.log8Scale(255)).isEqualTo(1f);
        for (int c = 1; c < 256; c++) {
            float s = NormPrecision.log8Scale(c);
            assertThat(NormPrecision.log8Code(s)).as("code %d", c).isEqualTo(c);
            assertThat(NormPrecision.LOG8.round(s)).isEqualTo(s);
            if (c > 1) assertThat((double) s / NormPrecision.log8Scale(c - 1)).isCloseTo(Math.pow(2, 1 / 16.0),
                    org.assertj.core.data.Offset.offset(1e-6));
        }
        Random rnd = new Random(1);
        for (int i = 0; i < 1000; i++) { // inside the grid, rounding is within half a step in log terms
            float v = (float) Math.pow(2, -15 * rnd.nextDouble());
            assertThat(Math.abs(Math.log(NormPrecision.LOG8.round(v) / v) / Math.log(2))).isLessThanOrEqualTo(1 / 32.0 + 1e-6);
        }
        assertThat(NormPrecision.LOG8.round(3f)).isEqualTo(1f); // clamped at R
        assertThat(NormPrecision.LOG8.round(1e-30f)).isEqualTo(NormPrecision.log8Scale(1)); // never rounds to zero
        assertThatThrownBy(() -> NormPrecision.log8Code(-1f)).isInstanceOf(IllegalArgumentException.class);
        assertThat(NormPrecision.parse("LOG8")).isEqualTo(NormPrecision.LOG8);
        assertThat(NormPrecision.LOG8.bytes()).isEqualTo(1);
    }

    @Test
    void aScaleUnitOtherThanOneNeedsLog8() {
        assertThatThrownBy(() -> new QuantConfig(4, 128, RotationKind.HADAMARD, 1, NormPrecision.F16, false, true, 2f))
                .hasMessageContaining("log8");
        assertThatThrownBy(() -> new QuantConfig(4, 128, RotationKind.HADAMARD, 1, NormPrecision.LOG8, false, true, 0f))
                .hasMessageContaining("positive");
        QuantConfig f16 = new QuantConfig(4, 128, RotationKind.HADAMARD, 1, NormPrecision.F16, false, true);
        assertThat(f16.fittedTo(new float[] {5f}, 1, 1)).isSameAs(f16);
        assertThat(NormPrecision.log8Unit(0, 128)).isEqualTo(1f);
    }

    /**
     * Log8 at block 128, searched, against f16: every scale is a grid point at most R (the fitted unit is an upper
     * bound, nothing clamps), the stored centroids are the codebook times R, and the error is within 3% (5% at 5 bits)
     * of f16's at half the scale bytes; the same weights times 1000 give the same relative error (R follows the tensor).
     */
    @ParameterizedTest
    @CsvSource({"4,128,384,hadamard", "5,128,1536,hadamard", "3,64,200,hadamard", "4,32,96,qr", "2,128,300,hadamard"})
    void log8LosesLittleAgainstF16(int bits, int block, int cols, String rotation) {
        int rows = 32;
        for (double gain : new double[] {1e-3, 1}) {
            float[] w = weights(rows, cols, 77L * bits + cols, gain);
            QuantConfig f16 = new QuantConfig(bits, block, RotationKind.parse(rotation), 9, NormPrecision.F16, false, true);
            QuantConfig log8 = new QuantConfig(bits, block, RotationKind.parse(rotation), 9, NormPrecision.LOG8, false, true)
                    .fittedTo(w, w.length, cols);
            double max = 0;
            for (float v : w) max = Math.max(max, Math.abs(v));
            assertThat(log8.scaleUnit()).isEqualTo(NormPrecision.log8Unit(max, BlockLayout.of(cols, block, log8.rotation()).blockSize()));
            QuantizedMatrix a = MatrixQuantizer.quantize(w, rows, cols, f16), b = MatrixQuantizer.quantize(w, rows, cols, log8);
            for (float s : b.scales()) {
                assertThat(NormPrecision.log8Scale(NormPrecision.log8Code(s))).isEqualTo(s);
                assertThat(s).isLessThan(1f);
            }
            float[] codebook = Codebook.of(b.blockSize(), bits).centroids();
            for (int i = 0; i < codebook.length; i++) assertThat(b.centroids()[i]).isEqualTo(codebook[i] * log8.scaleUnit());
            double ea = relativeError(w, ScalarKernels.dequantize(a)), eb = relativeError(w, ScalarKernels.dequantize(b));
            // a 4.4% scale step costs more where the grid is finer: up to 3% at 2 to 4 bits, 5% at 5 bits
            assertThat(eb).as("gain %s", gain).isLessThan((bits >= 5 ? 1.05 : 1.03) * ea).isGreaterThan(0.97 * ea);
        }
    }

    /** With log8 scales the search still never loses to the plain (log8-rounded) norm on any block. */
    @Test
    void theSearchNeverLosesToThePlainNormOnLog8() {
        int rows = 24, cols = 384;
        float[] w = weights(rows, cols, 5, 0.02);
        QuantConfig plain = new QuantConfig(4, 128, RotationKind.HADAMARD, 5, NormPrecision.LOG8, false, false)
                .fittedTo(w, w.length, cols);
        float[] da = ScalarKernels.dequantize(MatrixQuantizer.quantize(w, rows, cols, plain));
        float[] db = ScalarKernels.dequantize(MatrixQuantizer.quantize(w, rows, cols, plain.withScaleSearch(true)));
        double sumA = 0, sumB = 0;
        for (int b = 0; b < rows * 3; b++) {
            double ea = 0, eb = 0;
            for (int j = b * 128; j < (b + 1) * 128; j++) {
                ea += ((double) w[j] - da[j]) * ((double) w[j] - da[j]);
                eb += ((double) w[j] - db[j]) * ((double) w[j] - db[j]);
            }
            assertThat(eb).as("block %d", b).isLessThanOrEqualTo(ea);
            sumA += ea;
            sumB += eb;
        }
        assertThat(sumB).isLessThan(0.9 * sumA);
    }

    /** Mixed widths: both codebooks carry R, and the decoded matrix matches the uniform wide/narrow errors' range. */
    @Test
    void mixedMatricesStoreBothCodebooksTimesTheUnit() {
        int rows = 32, cols = 256;
        float[] w = weights(rows, cols, 11, 0.05);
        QuantConfig log8 = new QuantConfig(4, 128, RotationKind.HADAMARD, 3, NormPrecision.LOG8, false, true)
                .fittedTo(w, w.length, cols);
        MixedQuantizedMatrix m = MixedMatrixQuantizer.quantize(w, rows, cols, log8, 5, 20);
        float[] narrow = Codebook.of(128, 4).centroids(), wide = Codebook.of(128, 5).centroids();
        for (int i = 0; i < narrow.length; i++) assertThat(m.narrow().centroids()[i]).isEqualTo(narrow[i] * log8.scaleUnit());
        for (int i = 0; i < wide.length; i++) assertThat(m.wide().centroids()[i]).isEqualTo(wide[i] * log8.scaleUnit());
        double mixed = relativeError(w, ScalarKernels.dequantize(m));
        double four = relativeError(w, ScalarKernels.dequantize(MatrixQuantizer.quantize(w, rows, cols, log8)));
        assertThat(mixed).isLessThan(four);
    }
}
