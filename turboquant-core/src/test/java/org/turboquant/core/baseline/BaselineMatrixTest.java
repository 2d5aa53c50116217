package org.turboquant.core.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BaselineMatrixTest {

    private static float[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) random.nextGaussian();
        return w;
    }

    private static float absMax(float[] w, int from, int to) {
        float m = 0;
        for (int i = from; i < to; i++) m = Math.max(m, Math.abs(w[i]));
        return m;
    }

    private static void assertGemvMatchesDequantized(float[] decoded, int rows, int cols, float[] y, float[] x) {
        for (int r = 0; r < rows; r++) {
            double dot = 0, scale = 0;
            for (int j = 0; j < cols; j++) {
                dot += (double) decoded[r * cols + j] * x[j];
                scale += Math.abs((double) decoded[r * cols + j] * x[j]);
            }
            assertThat((double) y[r]).isCloseTo(dot, offset(1e-5 * scale + 1e-6));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 31, 32, 100})
    void q8RoundTripWithinHalfAStep(int cols) {
        int rows = 4;
        float[] w = gaussian(rows * cols, cols);
        Q8_0Matrix q = Q8_0Matrix.quantize(w, rows, cols);
        int nb = Q8_0Matrix.blocksPerRow(cols);
        assertThat(q.quants().byteSize()).isEqualTo((long) rows * nb * 32);
        assertThat(q.scales().byteSize()).isEqualTo((long) rows * nb * 2);
        float[] decoded = q.dequantize();
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < nb; b++) {
                int from = r * cols + b * 32, to = r * cols + Math.min(cols, (b + 1) * 32);
                float d = absMax(w, from, to) / 127f;
                for (int i = from; i < to; i++) assertThat(decoded[i]).isCloseTo(w[i], offset(0.5f * d + 2e-3f * Math.abs(w[i]) + 1e-7f));
            }
        }
        float[] x = gaussian(cols, 5), y = new float[rows];
        q.gemv(x, y);
        assertGemvMatchesDequantized(decoded, rows, cols, y, x);
    }

    @Test
    void q8LayoutIsLlamaCpps() {
        float[] w = new float[32];
        for (int j = 0; j < 32; j++) w[j] = j - 12.7f; // absmax at j = 31
        Q8_0Matrix q = Q8_0Matrix.quantize(w, 1, 32);
        float d = w[31] / 127f;
        short f16 = q.scales().get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        assertThat(f16).isEqualTo(Float.floatToFloat16(d));
        assertThat(q.quants().get(ValueLayout.JAVA_BYTE, 31)).isEqualTo((byte) 127);
        assertThat(q.quants().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) Math.round(-12.7f / d));
        // roundf: halves go away from zero.
        float[] halves = new float[32];
        halves[0] = 127f;
        halves[1] = -2.5f;
        halves[2] = 2.5f;
        Q8_0Matrix h = Q8_0Matrix.quantize(halves, 1, 32);
        assertThat(h.quants().get(ValueLayout.JAVA_BYTE, 1)).isEqualTo((byte) -3);
        assertThat(h.quants().get(ValueLayout.JAVA_BYTE, 2)).isEqualTo((byte) 3);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 32, 70})
    void q4RoundTripWithinOneStep(int cols) {
        int rows = 3;
        float[] w = gaussian(rows * cols, 100 + cols);
        Q4_0Matrix q = Q4_0Matrix.quantize(w, rows, cols);
        int nb = Q4_0Matrix.blocksPerRow(cols);
        assertThat(q.quants().byteSize()).isEqualTo((long) rows * nb * 16);
        float[] decoded = q.dequantize();
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < nb; b++) {
                int from = r * cols + b * 32, to = r * cols + Math.min(cols, (b + 1) * 32);
                float d = absMax(w, from, to) / 8f;
                // (int)(x/d + 8.5) rounds to the nearest level; only the clamp at 15 (the side opposite to m, whose
                // level 8 does not exist) can cost a whole step.
                for (int i = from; i < to; i++) {
                    float limit = Math.abs(decoded[i]) > 6.5f * d ? d : 0.5f * d;
                    assertThat(decoded[i]).isCloseTo(w[i], offset(limit + 2e-3f * Math.abs(w[i]) + 1e-6f));
                }
            }
        }
        float[] x = gaussian(cols, 6), y = new float[rows];
        q.gemv(x, y);
        assertGemvMatchesDequantized(decoded, rows, cols, y, x);
    }

    @Test
    void q4LayoutIsLlamaCpps() {
        float[] w = new float[32];
        for (int j = 0; j < 32; j++) w[j] = (j - 16) * 0.5f; // largest magnitude −8 at j = 0 → d = 1
        Q4_0Matrix q = Q4_0Matrix.quantize(w, 1, 32);
        assertThat(Float.float16ToFloat(q.scales().get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0))).isEqualTo(1f);
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (int) (w[j] + 8.5f)), hi = Math.min(15, (int) (w[j + 16] + 8.5f));
            assertThat(q.quants().get(ValueLayout.JAVA_BYTE, j)).isEqualTo((byte) (lo | hi << 4));
        }
        float[] decoded = q.dequantize();
        assertThat(decoded[0]).isEqualTo(-8f); // the extreme value is exact
        assertThat(decoded[16]).isEqualTo(0f);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void rtnRoundTripWithinHalfAStep(int bits) {
        int rows = 5, cols = 77;
        float[] w = gaussian(rows * cols, bits);
        RtnMatrix q = RtnMatrix.quantize(w, rows, cols, bits);
        float[] decoded = q.dequantize();
        for (int r = 0; r < rows; r++) {
            float s = absMax(w, r * cols, (r + 1) * cols) / ((1 << (bits - 1)) - 1);
            assertThat(q.scales()[r]).isCloseTo(s, offset(1e-6f));
            for (int j = 0; j < cols; j++) assertThat(decoded[r * cols + j]).isCloseTo(w[r * cols + j], offset(0.5f * s + 1e-5f));
        }
        float[] x = gaussian(cols, 7), y = new float[rows];
        q.gemv(x, y);
        assertGemvMatchesDequantized(decoded, rows, cols, y, x);
    }

    @Test
    void rtnOneBitIsSignTimesMeanAbsolute() {
        float[] w = {1f, -3f, 2f, 0f, -0.5f};
        RtnMatrix q = RtnMatrix.quantize(w, 1, 5, 1);
        assertThat(q.scales()[0]).isEqualTo(1.3f);
        assertThat(q.dequantize()).containsExactly(1.3f, -1.3f, 1.3f, 1.3f, -1.3f);
    }

    @Test
    void zeroRowsDecodeToZeros() {
        float[] w = new float[64];
        // Numerically zero; Q4_0 gives −0.0 exactly as llama.cpp does (d = 0/−8).
        for (float[] decoded : new float[][] {Q8_0Matrix.quantize(w, 1, 64).dequantize(),
                Q4_0Matrix.quantize(w, 1, 64).dequantize(), RtnMatrix.quantize(w, 1, 64, 4).dequantize()}) {
            for (float v : decoded) assertThat(v == 0f).isTrue();
        }
    }
}
