package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SubScaledMatricesTest {
    static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (r.nextGaussian() * (1 + (i / 40) % 3));
        return w;
    }

    static QuantConfig config(int bits, float[] w, int cols) {
        return new QuantConfig(bits, 128, RotationKind.HADAMARD, 11, NormPrecision.LOG8, false, true).fittedTo(w, w.length, cols);
    }

    static double relativeError(float[] w, float[] d) {
        double e = 0, s = 0;
        for (int i = 0; i < w.length; i++) {
            e += (w[i] - d[i]) * (double) (w[i] - d[i]);
            s += (double) w[i] * w[i];
        }
        return e / s;
    }

    @Test
    void subScalesSpanOneOctaveBelowTheSuperScale() {
        for (int b = 1; b <= 4; b++) {
            int top = (1 << b) - 1;
            assertThat(SubScaledBlockQuantizer.subScale(top, b)).isEqualTo(1f);
            assertThat((double) SubScaledBlockQuantizer.subScale(0, b)).isCloseTo(Math.pow(2, -(double) top / (top + 1)), within(1e-6));
            for (int m = 1; m <= top; m++)
                assertThat(SubScaledBlockQuantizer.subScale(m, b)).isGreaterThan(SubScaledBlockQuantizer.subScale(m - 1, b));
        }
    }

    /** The measured property the candidate rests on: 3-bit sub-scales of 32 cut the searched block-128 error. */
    @Test
    void threeBitSubScalesLowerTheSearchedBlockError() {
        int rows = 64, cols = 384;
        float[] w = gaussian(rows * cols, 5);
        QuantConfig c = config(4, w, cols);
        double plain = relativeError(w, ScalarKernels.dequantize(MatrixQuantizer.quantize(w, rows, cols, c)));
        double sub = relativeError(w, SubScaledMatrices.quantizeDecode(w, rows, cols, c, null, 4, 32, 3));
        assertThat(sub).isLessThan(0.85 * plain).isGreaterThan(0.5 * plain);
    }

    @Test
    void aLayoutOfOnlyWideUnitsDecodesAsTheWideWidthAndZeroBlocksAsZeros() {
        int rows = 8, cols = 300; // a partial last block
        float[] w = gaussian(rows * cols, 9);
        java.util.Arrays.fill(w, cols, 2 * cols, 0f); // row 1 all zero
        BlockLayout blocks = BlockLayout.of(cols, 128, RotationKind.HADAMARD);
        byte[] all = new byte[MixedLayout.bitmapBytes((long) rows * MixedLayout.unitsPerRow(blocks))];
        for (int u = 0; u < rows * MixedLayout.unitsPerRow(blocks); u++) all[u / 8] |= (byte) (1 << (u % 8));
        MixedLayout wide = MixedLayout.of(rows, blocks, all);
        float[] mixed = SubScaledMatrices.quantizeDecode(w, rows, cols, config(3, w, cols), wide, 4, 32, 3);
        float[] uniform = SubScaledMatrices.quantizeDecode(w, rows, cols, config(4, w, cols), null, 4, 32, 3);
        assertThat(mixed).containsExactly(uniform);
        for (int j = cols; j < 2 * cols; j++) assertThat(uniform[j]).isZero();
        assertThat(relativeError(w, uniform)).isLessThan(0.01);
    }

    @Test
    void refusesWhatItCannotStore() {
        Rotation r = Rotation.of(RotationKind.HADAMARD, 128, 1);
        QuantConfig f16 = new QuantConfig(4, 128, RotationKind.HADAMARD, 1, NormPrecision.F16, false, true);
        assertThatThrownBy(() -> new SubScaledBlockQuantizer(f16, r, 32, 3)).hasMessageContaining("log8");
        QuantConfig log8 = new QuantConfig(4, 128, RotationKind.HADAMARD, 1, NormPrecision.LOG8, false, true);
        assertThatThrownBy(() -> new SubScaledBlockQuantizer(log8, r, 48, 3)).hasMessageContaining("divide");
        float[] nan = new float[128];
        nan[5] = Float.NaN;
        assertThatThrownBy(() -> SubScaledMatrices.quantizeDecode(nan, 1, 128, log8, null, 4, 32, 3))
                .hasMessageContaining("column 5");
    }
}
