package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RotationTest {

    /** max |PᵀP − I| for the rotation's matrix, obtained by rotating the unit vectors in double. */
    static double orthogonalityError(Rotation rotation) {
        int g = rotation.dim();
        double[][] columns = new double[g][g];
        double[] e = new double[g];
        for (int j = 0; j < g; j++) {
            e[j] = 1;
            rotation.rotate(e, 0, columns[j], 0);
            e[j] = 0;
        }
        double max = 0;
        for (int a = 0; a < g; a++) {
            for (int b = a; b < g; b++) {
                double dot = 0;
                for (int i = 0; i < g; i++) dot += columns[a][i] * columns[b][i];
                max = Math.max(max, Math.abs(dot - (a == b ? 1 : 0)));
            }
        }
        return max;
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 384, 1024})
    void qrIsOrthogonalInDouble(int g) {
        assertThat(orthogonalityError(new QrRotation(g, 5))).isLessThan(1e-12);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 64, 1024})
    void hadamardIsOrthogonalInDouble(int g) {
        assertThat(orthogonalityError(new HadamardRotation(g, 5))).isLessThan(1e-12);
    }

    @Test
    void sameSeedGivesTheIdenticalMatrixAndDifferentSeedsDifferentOnes() {
        QrRotation a = new QrRotation(96, 42), b = new QrRotation(96, 42), c = new QrRotation(96, 43);
        assertThat(a.matrixDouble()).containsExactly(b.matrixDouble());
        assertThat(a.matrix()).containsExactly(b.matrix());
        int equal = 0;
        for (int i = 0; i < a.matrixDouble().length; i++) if (a.matrixDouble()[i] == c.matrixDouble()[i]) equal++;
        assertThat(equal).isZero();
        assertThat(new HadamardRotation(256, 42).signs()).containsExactly(new HadamardRotation(256, 42).signs());
        assertThat(new HadamardRotation(256, 42).signs()).isNotEqualTo(new HadamardRotation(256, 43).signs());
    }

    @Test
    void qrMatrixIsPinnedForItsSeed() {
        // Regression anchor for docs/FORMAT.md: P = Q of the row-major Gaussian matrix of SplitMix64(7), g = 2.
        SplitMix64 random = new SplitMix64(7);
        double a00 = random.nextGaussian(), a01 = random.nextGaussian();
        double a10 = random.nextGaussian(), a11 = random.nextGaussian();
        double n = Math.hypot(a00, a10);
        double[] p = new QrRotation(2, 7).matrixDouble();
        // First column of Q is the normalized first column of A (R_00 = ‖a_0‖ > 0).
        assertThat(p[0]).isCloseTo(a00 / n, offset(1e-15));
        assertThat(p[2]).isCloseTo(a10 / n, offset(1e-15));
        // Second column: ± the unit vector orthogonal to it, with the sign making R_11 = q_1·a_1 positive.
        double r11 = p[1] * a01 + p[3] * a11;
        assertThat(r11).isPositive();
        assertThat(p[1] * p[0] + p[3] * p[2]).isCloseTo(0, offset(1e-15));
    }

    @Test
    void blockedAndColumnQrGiveTheSameDeterministicMatrix() {
        // The blocked, multithreaded path (used from g = 2048) exercised at a size where it spans several blocks.
        int g = 300;
        double[] blocked = QrRotation.orthogonalFactor(g, 77, true);
        assertThat(QrRotation.orthogonalFactor(g, 77, true)).containsExactly(blocked);
        double[] column = QrRotation.orthogonalFactor(g, 77, false);
        for (int i = 0; i < blocked.length; i++) assertThat(blocked[i]).isCloseTo(column[i], offset(1e-12));
    }

    @Property(tries = 30, seed = "20260101")
    void qrFactorHasPositiveDiagonalR(@ForAll @IntRange(min = 1, max = 40) int g, @ForAll long seed) {
        // R = Pᵀ·A must be upper triangular with a positive diagonal, A regenerated from the seed.
        QrRotation rotation = new QrRotation(g, seed);
        double[] p = rotation.matrixDouble();
        double[] a = new double[g * g];
        SplitMix64 random = new SplitMix64(seed);
        for (int i = 0; i < a.length; i++) a[i] = random.nextGaussian();
        for (int i = 0; i < g; i++) {
            for (int j = 0; j < g; j++) {
                double r = 0;
                for (int k = 0; k < g; k++) r += p[k * g + i] * a[k * g + j];
                if (i == j) assertThat(r).isPositive();
                if (i > j) assertThat(r).isCloseTo(0, offset(1e-10));
            }
        }
    }

    @Test
    void hadamardMatchesItsDefinition() {
        int g = 8;
        HadamardRotation rotation = new HadamardRotation(g, 9);
        float[] signs = rotation.signs();
        SplitMix64 random = new SplitMix64(9);
        for (int i = 0; i < g; i++) assertThat(signs[i]).isEqualTo(random.nextLong() < 0 ? -1f : 1f);
        double[] x = {0.5, -1, 2, 0.25, 3, -0.75, 1.5, 4};
        double[] y = new double[g];
        rotation.rotate(x, 0, y, 0);
        for (int i = 0; i < g; i++) {
            double expected = 0;
            for (int j = 0; j < g; j++) expected += ((Integer.bitCount(i & j) & 1) == 0 ? 1 : -1) * signs[j] * x[j];
            assertThat(y[i]).isCloseTo(expected / Math.sqrt(g), offset(1e-12));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qr", "hadamard"})
    void rotateThenUnrotateIsTheIdentity(String kind) {
        int g = 256;
        Rotation rotation = Rotation.of(RotationKind.parse(kind), g, 3);
        SplittableRandom random = new SplittableRandom(3);
        float[] x = new float[g + 5];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        float[] y = new float[g + 2];
        rotation.rotate(x, 5, y, 2);
        float[] back = new float[g];
        rotation.unrotate(y, 2, back, 0);
        for (int i = 0; i < g; i++) assertThat(back[i]).isCloseTo(x[5 + i], offset(2e-5f));
        // In place (same array, same offset) is allowed.
        float[] inPlace = java.util.Arrays.copyOfRange(x, 5, 5 + g);
        rotation.rotate(inPlace, 0, inPlace, 0);
        for (int i = 0; i < g; i++) assertThat(inPlace[i]).isCloseTo(y[2 + i], offset(1e-5f));
        double[] xd = new double[g], yd = new double[g], backd = new double[g];
        for (int i = 0; i < g; i++) xd[i] = x[5 + i];
        rotation.rotate(xd, 0, yd, 0);
        rotation.unrotate(yd, 0, backd, 0);
        for (int i = 0; i < g; i++) assertThat(backd[i]).isCloseTo(xd[i], offset(1e-12));
    }

    @Test
    void rotationsAreCachedByKindDimensionAndSeed() {
        assertThat(Rotation.of(RotationKind.QR, 48, 1)).isSameAs(Rotation.of(RotationKind.QR, 48, 1));
        assertThat(Rotation.of(RotationKind.QR, 48, 1)).isNotSameAs(Rotation.of(RotationKind.QR, 48, 2));
        assertThat(Rotation.of(RotationKind.HADAMARD, 64, 1).kind()).isEqualTo(RotationKind.HADAMARD);
        assertThat(Rotation.of(RotationKind.QR, 48, 1).seed()).isEqualTo(1);
    }

    @Test
    void hadamardRejectsNonPowerOfTwo() {
        assertThatThrownBy(() -> new HadamardRotation(384, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("384");
    }
}
