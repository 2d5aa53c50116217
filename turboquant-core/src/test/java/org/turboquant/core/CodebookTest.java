package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CodebookTest {
    /** Lloyd–Max distortion of N(0, 1) (the g → ∞ limit of g·MSE), b = 1..4. */
    private static final double[] GAUSSIAN_DISTORTION = {0.3634, 0.1175, 0.03454, 0.009497};

    @ParameterizedTest
    @CsvSource({"1,0.3634", "2,0.1175", "3,0.03454", "4,0.009497"})
    void distortionAtDimension4096MatchesThePaper(int bits, double expected) {
        assertThat(Codebook.of(4096, bits).distortion()).isCloseTo(expected, withinPercentage(1));
    }

    @Test
    void centroidsAtDimension4096MatchTheGaussianLevels() {
        double scale = Math.sqrt(4096);
        double[] one = Codebook.of(4096, 1).centroidsDouble();
        assertThat(one[1] * scale).isCloseTo(0.7979, withinPercentage(0.5));
        assertThat(one[0] * scale).isCloseTo(-0.7979, withinPercentage(0.5));
        double[] two = Codebook.of(4096, 2).centroidsDouble();
        assertThat(two[2] * scale).isCloseTo(0.4528, withinPercentage(0.5));
        assertThat(two[3] * scale).isCloseTo(1.510, withinPercentage(0.5));
        assertThat(two[1] * scale).isCloseTo(-0.4528, withinPercentage(0.5));
        assertThat(two[0] * scale).isCloseTo(-1.510, withinPercentage(0.5));
        double[] three = Codebook.of(4096, 3).centroidsDouble();
        double[] expected = {0.2451, 0.7560, 1.3440, 2.1520};
        for (int i = 0; i < 4; i++) assertThat(three[4 + i] * scale).isCloseTo(expected[i], withinPercentage(0.5));
    }

    @ParameterizedTest
    @CsvSource({"32,1", "32,2", "32,3", "32,4", "128,1", "128,2", "128,3", "128,4"})
    void monteCarloOnSpherePointsAgreesAndDiffersFromGaussian(int dim, int bits) {
        Codebook codebook = Codebook.of(dim, bits);
        double[] levels = codebook.centroidsDouble();
        SplittableRandom random = new SplittableRandom(1234 + dim * 10L + bits);
        int samples = 100_000;
        double sumSquaredError = 0;
        for (int s = 0; s < samples; s++) {
            double first = random.nextGaussian(), sumSquares = first * first;
            for (int j = 1; j < dim; j++) {
                double z = random.nextGaussian();
                sumSquares += z * z;
            }
            double t = first / Math.sqrt(sumSquares);
            double e = t - levels[codebook.quantize(t)];
            sumSquaredError += e * e;
        }
        double measured = dim * sumSquaredError / samples;
        assertThat(measured).isCloseTo(codebook.distortion(), withinPercentage(2));
        // The exact density is not the Gaussian: at these dimensions the optimum is measurably lower.
        assertThat(codebook.distortion()).isLessThan(GAUSSIAN_DISTORTION[bits - 1] * 0.995);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 32, 384, 4096, 16384, 1 << 20})
    void everyBitWidthConvergesToASymmetricAscendingCodebook(int dim) {
        for (int bits = 1; bits <= 8; bits++) {
            Codebook codebook = Codebook.of(dim, bits);
            double[] c = codebook.centroidsDouble();
            assertThat(c).hasSize(1 << bits);
            for (int i = 0; i < c.length; i++) {
                assertThat(c[i]).isEqualTo(-c[c.length - 1 - i]);
                assertThat(Math.abs(c[i])).isLessThanOrEqualTo(1.0);
                if (i > 0) assertThat(c[i]).isGreaterThan(c[i - 1]);
            }
            assertThat(codebook.distortion()).isBetween(0.0, 1.0);
            if (bits > 1 && dim > 1) assertThat(codebook.distortion()).isLessThan(Codebook.of(dim, bits - 1).distortion());
        }
    }

    @Test
    void uniformDensityAtDimension3GivesTheUniformQuantizer() {
        // g = 3: f is constant on [−1, 1] (Archimedes), so the optimum is the uniform quantizer, MSE·3 = 4^−b.
        for (int bits = 1; bits <= 8; bits++) {
            Codebook codebook = Codebook.of(3, bits);
            assertThat(codebook.distortion()).isCloseTo(Math.pow(4, -bits), withinPercentage(1e-6));
            int n = 1 << bits;
            double[] c = codebook.centroidsDouble();
            for (int i = 0; i < n; i++) assertThat(c[i]).isCloseTo(-1 + (2 * i + 1.0) / n, offset(1e-12));
        }
    }

    @Test
    void oneBitAtDimension5HasItsClosedForm() {
        // g = 5: f ∝ 1 − t², so c = E[t | t > 0] = (1/4)/(2/3) = 3/8 and g·MSE = 5·(1/5 − 9/64) = 19/64.
        Codebook codebook = Codebook.of(5, 1);
        assertThat(codebook.centroidsDouble()[1]).isCloseTo(3.0 / 8, offset(1e-14));
        assertThat(codebook.distortion()).isCloseTo(19.0 / 64, offset(1e-14));
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4})
    void arcsineDensityAtDimension2SatisfiesTheCentroidConditionInClosedForm(int bits) {
        // g = 2: f(t) = 1/(π√(1−t²)); centroid of [u, v] = (√(1−u²) − √(1−v²)) / (asin v − asin u).
        double[] c = Codebook.of(2, bits).centroidsDouble();
        double[] b = Codebook.of(2, bits).boundaries();
        for (int i = 0; i < c.length; i++) {
            double u = i == 0 ? -1 : b[i - 1], v = i == c.length - 1 ? 1 : b[i];
            double centroid = (Math.sqrt(1 - u * u) - Math.sqrt(1 - v * v)) / (Math.asin(v) - Math.asin(u));
            assertThat(c[i]).isCloseTo(centroid, offset(1e-11));
        }
    }

    @ParameterizedTest
    @CsvSource({"8,3", "64,2", "64,5"})
    void levelsAreCentroidsOfTheirCellsByNumericalIntegration(int dim, int bits) {
        Codebook codebook = Codebook.of(dim, bits);
        double[] c = codebook.centroidsDouble();
        double[] b = codebook.boundaries();
        double alpha = (dim - 3) / 2.0, weightedError = 0, totalMass = 0;
        for (int i = 0; i < c.length; i++) {
            double u = i == 0 ? -1 : b[i - 1], v = i == c.length - 1 ? 1 : b[i];
            double[] moments = simpson(u, v, alpha, c[i]);
            assertThat(moments[1] / moments[0]).isCloseTo(c[i], offset(1e-9 / Math.sqrt(dim)));
            weightedError += moments[2];
            totalMass += moments[0];
        }
        assertThat(dim * weightedError / totalMass).isCloseTo(codebook.distortion(), withinPercentage(1e-6));
    }

    /** ∫ f, ∫ t f and ∫ (t − c)² f over [u, v] for f = (1 − t²)^α, composite Simpson. */
    private static double[] simpson(double u, double v, double alpha, double c) {
        int n = 200_000;
        double h = (v - u) / n;
        double[] sums = new double[3];
        for (int k = 0; k <= n; k++) {
            double t = u + k * h;
            double w = (k == 0 || k == n) ? 1 : (k % 2 == 1 ? 4 : 2);
            double f = Math.pow(Math.max(0, 1 - t * t), alpha);
            sums[0] += w * f;
            sums[1] += w * t * f;
            sums[2] += w * (t - c) * (t - c) * f;
        }
        for (int i = 0; i < 3; i++) sums[i] *= h / 3;
        return sums;
    }

    @Test
    void dimensionOneKeepsPlusAndMinusOneExact() {
        Codebook codebook = Codebook.of(1, 3);
        float[] c = codebook.centroids();
        assertThat(c[0]).isEqualTo(-1f);
        assertThat(c[7]).isEqualTo(1f);
        assertThat(codebook.distortion()).isZero();
        assertThat(c[codebook.quantize(1.0)]).isEqualTo(1f);
        assertThat(c[codebook.quantize(-1.0)]).isEqualTo(-1f);
    }

    @Test
    void quantizePicksTheNearestLevelWithTiesToTheLowerIndex() {
        Codebook codebook = Codebook.of(64, 3);
        double[] c = codebook.centroidsDouble();
        double[] b = codebook.boundaries();
        for (int i = 0; i < c.length; i++) assertThat(codebook.quantize(c[i])).isEqualTo(i);
        for (int i = 0; i < b.length; i++) {
            assertThat(codebook.quantize(b[i])).isEqualTo(i);
            assertThat(codebook.quantize(Math.nextUp(b[i]))).isEqualTo(i + 1);
        }
        assertThat(codebook.quantize(-1.0)).isZero();
        assertThat(codebook.quantize(1.0)).isEqualTo(7);
    }

    @Test
    void cachedPerDimensionAndBits() {
        assertThat(Codebook.of(100, 3)).isSameAs(Codebook.of(100, 3));
        assertThat(Codebook.of(100, 3)).isNotSameAs(Codebook.of(100, 4));
        assertThat(Codebook.solve(100, 3).centroidsDouble()).containsExactly(Codebook.of(100, 3).centroidsDouble());
    }

    @Test
    void rejectsInvalidArguments() {
        assertThatThrownBy(() -> Codebook.of(0, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Codebook.of(16, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Codebook.of(16, 9)).isInstanceOf(IllegalArgumentException.class);
    }
}
