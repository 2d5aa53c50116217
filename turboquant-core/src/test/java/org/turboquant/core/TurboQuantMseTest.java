package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TurboQuantMseTest {
    private static final int VECTORS = 10_000;

    /** √3·π/2·4^−b, the paper's upper bound on E‖u − û‖² for unit u. */
    static double paperBound(int bits) {
        return Math.sqrt(3) * Math.PI / 2 * Math.pow(4, -bits);
    }

    static float[] randomUnitVector(SplittableRandom random, int dim) {
        float[] x = new float[dim];
        double sumSquares = 0;
        for (int j = 0; j < dim; j++) {
            x[j] = (float) random.nextGaussian();
            sumSquares += (double) x[j] * x[j];
        }
        for (int j = 0; j < dim; j++) x[j] /= (float) Math.sqrt(sumSquares);
        return x;
    }

    /**
     * Mean ‖u − û‖²/‖u‖² per bit width 1..4. Distortion is measured in the rotated frame, ‖P·u − c[idx]‖ (P is
     * orthogonal, see RotationTest), so each vector is rotated once for all four widths; {@link #decodedVectorsMatchTheRotatedFrameError} checks
     * that this equals the error of TurboQuantMse's own round trip.
     */
    private static double[] distortions(int dim, RotationKind kind, VectorSource source, int seedsPerDim) {
        double[] sums = new double[5];
        float[] rotated = new float[dim];
        for (int v = 0; v < VECTORS; v++) {
            float[] x = source.vector(v);
            long seed = seedsPerDim == 0 ? 17 : 17 + v / dim;
            TurboQuantMse base = new TurboQuantMse(dim, 1, kind, seed);
            float[] unit = new float[dim];
            TurboQuantMse.normalize(x, dim, unit);
            base.rotation().rotate(unit, 0, rotated, 0);
            for (int bits = 1; bits <= 4; bits++) {
                Codebook codebook = Codebook.of(dim, bits);
                float[] levels = codebook.centroids();
                double error = 0;
                for (int j = 0; j < dim; j++) {
                    double e = rotated[j] - levels[codebook.quantize(rotated[j])];
                    error += e * e;
                }
                sums[bits] += error;
            }
        }
        for (int bits = 1; bits <= 4; bits++) sums[bits] /= VECTORS;
        return sums;
    }

    interface VectorSource {
        float[] vector(int v);
    }

    private static void assertMatchesCodebookAndBound(int dim, double[] measured) {
        for (int bits = 1; bits <= 4; bits++) {
            assertThat(measured[bits]).as("g=%d b=%d", dim, bits)
                    .isCloseTo(Codebook.of(dim, bits).distortion(), withinPercentage(3))
                    .isLessThan(paperBound(bits));
        }
    }

    @ParameterizedTest
    @CsvSource({"64,qr", "384,qr", "1024,qr", "64,hadamard", "1024,hadamard"})
    void randomUnitVectorsHaveTheCodebookDistortion(int dim, String kind) {
        SplittableRandom random = new SplittableRandom(dim);
        assertMatchesCodebookAndBound(dim, distortions(dim, RotationKind.parse(kind), v -> randomUnitVector(random, dim), 0));
    }

    @ParameterizedTest
    @CsvSource({"64", "384", "1024"})
    void oneHotVectorsHaveTheSameDistortionUnderQr(int dim) {
        // Each one-hot e_i is quantized under dim-many rotations (seed changes every dim vectors): the error is
        // oblivious to the data, averaged over the random rotation.
        VectorSource oneHot = v -> {
            float[] x = new float[dim];
            x[v % dim] = 1f;
            return x;
        };
        assertMatchesCodebookAndBound(dim, distortions(dim, RotationKind.QR, oneHot, 1));
    }

    @ParameterizedTest
    @CsvSource({"64", "384", "1024"})
    void vectorsWithAFewHugeCoordinatesHaveTheSameDistortionUnderQr(int dim) {
        SplittableRandom random = new SplittableRandom(99 + dim);
        VectorSource spiky = v -> {
            float[] x = new float[dim];
            for (int j = 0; j < dim; j++) x[j] = (float) (1e-3 * random.nextGaussian());
            for (int k = 0; k < 3; k++) x[random.nextInt(dim)] = (float) (1e4 * (random.nextBoolean() ? 1 : -1));
            return x;
        };
        assertMatchesCodebookAndBound(dim, distortions(dim, RotationKind.QR, spiky, 1));
    }

    @Test
    void decodedVectorsMatchTheRotatedFrameError() {
        int dim = 384;
        SplittableRandom random = new SplittableRandom(5);
        for (int bits = 1; bits <= 4; bits++) {
            TurboQuantMse mse = new TurboQuantMse(dim, bits, RotationKind.QR, 17);
            for (int v = 0; v < 20; v++) {
                float[] x = randomUnitVector(random, dim);
                for (int j = 0; j < dim; j++) x[j] *= 3.5f;
                TurboQuantMse.Code code = mse.quantize(x);
                assertThat(code.norm()).isCloseTo(3.5f, offset(1e-5f));
                float[] decoded = mse.dequantize(code);
                float[] rotated = new float[dim];
                mse.rotation().rotate(x, 0, rotated, 0);
                double decodedError = 0, rotatedError = 0;
                float[] levels = mse.codebook().centroids();
                for (int j = 0; j < dim; j++) {
                    decodedError += (x[j] - decoded[j]) * (double) (x[j] - decoded[j]);
                    double e = rotated[j] - 3.5 * levels[code.indices()[j] & 0xFF];
                    rotatedError += e * e;
                }
                assertThat(decodedError).isCloseTo(rotatedError, offset(1e-6 + 1e-4 * rotatedError));
            }
        }
    }

    @Test
    void zeroVectorDecodesToZeros() {
        TurboQuantMse mse = new TurboQuantMse(64, 3, RotationKind.HADAMARD, 1);
        TurboQuantMse.Code code = mse.quantize(new float[64]);
        assertThat(code.norm()).isZero();
        assertThat(mse.dequantize(code)).containsOnly(0f);
    }
}
