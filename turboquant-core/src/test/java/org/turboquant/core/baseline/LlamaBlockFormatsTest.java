package org.turboquant.core.baseline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class LlamaBlockFormatsTest {

    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static float[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) random.nextGaussian();
        return w;
    }

    private static int u8(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    private static float f16(MemorySegment s, long at) {
        return Float.float16ToFloat(s.get(LE16, at));
    }

    static double relativeSquaredError(float[] w, float[] decoded) {
        double err = 0, energy = 0;
        for (int i = 0; i < w.length; i++) {
            double e = w[i] - decoded[i];
            err += e * e;
            energy += (double) w[i] * w[i];
        }
        return err / energy;
    }

    @Test
    void bitsPerWeightAreLlamaCpps() {
        assertThat(BlockFormat.Q3_K.bitsPerWeight()).isEqualTo(3.4375);
        assertThat(BlockFormat.Q4_K.bitsPerWeight()).isEqualTo(4.5);
        assertThat(BlockFormat.Q5_K.bitsPerWeight()).isEqualTo(5.5);
        assertThat(BlockFormat.Q6_K.bitsPerWeight()).isEqualTo(6.5625);
        assertThat(BlockFormat.IQ4_NL.bitsPerWeight()).isEqualTo(4.5);
        assertThat(BlockFormat.IQ4_XS.bitsPerWeight()).isEqualTo(4.25);
    }

    /** Gaussian weights: each format's error lies in its expected band, and the formats order as llama.cpp's tables. */
    @Test
    void gaussianErrorsOrderAsPublished() {
        int rows = 64, cols = 512;
        float[] w = gaussian(rows * cols, 42);
        double q4_0 = relativeSquaredError(w, Q4_0Matrix.quantize(w, rows, cols).dequantize());
        java.util.Map<BlockFormat, Double> e = new java.util.EnumMap<>(BlockFormat.class);
        for (BlockFormat f : BlockFormat.values()) e.put(f, relativeSquaredError(w, f.quantize(w, rows, cols).dequantize()));
        // Bands around the optimum of each rate for a unit Gaussian (4 bits ≈ 1e-2 for uniform grids; ×~4 per bit).
        assertThat(e.get(BlockFormat.Q3_K)).isBetween(0.02, 0.05);
        assertThat(e.get(BlockFormat.Q4_K)).isBetween(0.004, 0.011);
        assertThat(e.get(BlockFormat.Q5_K)).isBetween(0.001, 0.003);
        assertThat(e.get(BlockFormat.Q6_K)).isBetween(0.0002, 0.0008);
        assertThat(e.get(BlockFormat.IQ4_NL)).isBetween(0.004, 0.011);
        assertThat(e.get(BlockFormat.IQ4_XS)).isBetween(0.004, 0.011);
        assertThat(e.get(BlockFormat.Q4_K)).isLessThan(q4_0);
        assertThat(e.get(BlockFormat.IQ4_NL)).isLessThan(q4_0);
        assertThat(e.get(BlockFormat.IQ4_XS)).isLessThan(q4_0);
        assertThat(e.get(BlockFormat.Q6_K)).isLessThan(e.get(BlockFormat.Q5_K));
        assertThat(e.get(BlockFormat.Q5_K)).isLessThan(e.get(BlockFormat.Q4_K));
        assertThat(e.get(BlockFormat.Q4_K)).isLessThan(e.get(BlockFormat.Q3_K));
    }

    /** Round trip: every decoded weight within a small multiple of its super-block's scale; gemv = decoded·x. */
    @ParameterizedTest
    @EnumSource(BlockFormat.class)
    void roundTripAndGemvOnRaggedShapes(BlockFormat f) {
        for (int[] shape : new int[][] {{3, 384}, {5, 100}, {1, 7}, {2, 256}}) {
            int rows = shape[0], cols = shape[1];
            float[] w = gaussian(rows * cols, 7L * cols + rows);
            BlockStreamMatrix q = f.quantize(w, rows, cols);
            assertThat(q.blocks().byteSize()).isEqualTo(f.blocks((long) rows * cols) * f.bytes());
            float[] decoded = q.dequantize();
            for (int i = 0; i < w.length; i++) {
                int b = i / f.weights();
                float amax = 0;
                for (int j = b * f.weights(); j < Math.min(w.length, (b + 1) * f.weights()); j++) amax = Math.max(amax, Math.abs(w[j]));
                assertThat(decoded[i]).as("%s weight %d", f, i).isCloseTo(w[i], offset(0.6f * amax));
            }
            assertThat(relativeSquaredError(w, decoded)).isLessThan(0.06);
            float[] row = new float[cols];
            q.dequantizeRow(rows - 1, row, 0);
            assertThat(row).containsExactly(java.util.Arrays.copyOfRange(decoded, (rows - 1) * cols, rows * cols));
            float[] x = gaussian(cols, 3), y = new float[rows];
            q.gemv(x, y);
            for (int r = 0; r < rows; r++) {
                double dot = 0, scale = 0;
                for (int c = 0; c < cols; c++) {
                    dot += (double) decoded[r * cols + c] * x[c];
                    scale += Math.abs((double) decoded[r * cols + c] * x[c]);
                }
                assertThat((double) y[r]).isCloseTo(dot, offset(1e-5 * scale + 1e-6));
            }
            assertThat(f.matrix(rows, cols, q.blocks()).dequantize()).containsExactly(decoded);
        }
    }

    @ParameterizedTest
    @EnumSource(BlockFormat.class)
    void zeroBlocksDecodeToZero(BlockFormat f) {
        float[] w = new float[2 * 256];
        for (int i = 256; i < 512; i++) w[i] = (i % 7) - 3;
        float[] decoded = f.quantize(w, 2, 256).dequantize();
        for (int i = 0; i < 256; i++) assertThat(decoded[i]).isZero();
    }

    @Test
    void nonFiniteInputNamesItsPlace() {
        float[] w = new float[2 * 300];
        w[300 + 17] = Float.NaN;
        assertThatThrownBy(() -> BlockFormat.Q4_K.quantize(w, 2, 300))
                .hasMessageContaining("row 1, column 17");
        assertThatThrownBy(() -> new Q4_KMatrix(2, 300, MemorySegment.ofArray(new byte[144 * 2])))
                .hasMessageContaining("too small");
    }

    /**
     * Q4_K and Q5_K on a super-block that their format represents exactly: sub-block j is s_j·q − m_j with the
     * 6-bit scale of s_j and min of m_j known. The bytes are those the layout prescribes.
     */
    @ParameterizedTest
    @ValueSource(ints = {15, 31})
    void asymmetricKQuantLayoutOnAnExactBlock(int nmax) {
        float u = 1f / 64, v = 1f / 128;
        int[] ls = {9, 18, 27, 36, 45, 54, 63, 40}, lm = {63, 1, 20, 33, 17, 50, 8, 63};
        int[] q = new int[256];
        float[] x = new float[256];
        for (int j = 0; j < 8; j++) {
            for (int l = 0; l < 32; l++) {
                int code = l == 0 ? 0 : l == 1 ? nmax : (l * 7 + j * 3) % (nmax + 1);
                q[32 * j + l] = code;
                x[32 * j + l] = ls[j] * u * code - lm[j] * v;
            }
        }
        BlockStreamMatrix m = (nmax == 15 ? BlockFormat.Q4_K : BlockFormat.Q5_K).quantize(x, 1, 256);
        MemorySegment b = m.blocks();
        assertThat(m.dequantize()).containsExactly(x);
        assertThat(f16(b, 0)).isEqualTo(u);
        assertThat(f16(b, 2)).isEqualTo(v);
        for (int j = 0; j < 4; j++) {
            assertThat(u8(b, 4 + j)).isEqualTo(ls[j] | (ls[j + 4] >> 4) << 6);
            assertThat(u8(b, 8 + j)).isEqualTo(lm[j] | (lm[j + 4] >> 4) << 6);
            assertThat(u8(b, 12 + j)).isEqualTo((ls[j + 4] & 0xF) | (lm[j + 4] & 0xF) << 4);
        }
        int qs = nmax == 15 ? 16 : 48;
        for (int p = 0; p < 4; p++) {
            for (int l = 0; l < 32; l++) {
                int lo = q[64 * p + l], hi = q[64 * p + 32 + l];
                assertThat(u8(b, qs + 32 * p + l)).isEqualTo((lo & 0xF) | (hi & 0xF) << 4);
                if (nmax == 31) {
                    assertThat((u8(b, 16 + l) >> 2 * p) & 1).isEqualTo(lo >> 4);
                    assertThat((u8(b, 16 + l) >> 2 * p + 1) & 1).isEqualTo(hi >> 4);
                }
            }
        }
    }

    /** Q6_K on x = s_ib·(q − 32): the largest scale maps to −128 and d = −s_max/128. */
    @Test
    void q6KLayoutOnAnExactBlock() {
        float sMax = 1f / 8;
        int[] q = new int[256];
        float[] x = new float[256];
        for (int ib = 0; ib < 16; ib++) {
            float s = sMax * (128 - 5 * ib) / 128;
            for (int i = 0; i < 16; i++) {
                int code = i == 0 ? 0 : (i * 11 + ib * 5) % 64;
                q[16 * ib + i] = code;
                x[16 * ib + i] = s * (code - 32);
            }
        }
        MemorySegment b = Q6_KMatrix.quantize(x, 1, 256).blocks();
        assertThat(Q6_KMatrix.quantize(x, 1, 256).dequantize()).containsExactly(x);
        assertThat(f16(b, 208)).isEqualTo(-sMax / 128);
        for (int ib = 0; ib < 16; ib++) assertThat((int) b.get(ValueLayout.JAVA_BYTE, 192 + ib)).isEqualTo(-(128 - 5 * ib));
        for (int e = 0; e < 256; e++) {
            int h = e / 128, k = (e % 128) / 32, l = e % 32;
            assertThat((u8(b, 64 * h + 32 * (k % 2) + l) >> 4 * (k / 2)) & 0xF).isEqualTo(q[e] & 0xF);
            assertThat((u8(b, 128 + 32 * h + l) >> 2 * k) & 3).isEqualTo(q[e] >> 4);
        }
    }

    /** Q3_K on x = s_j·(q − 4): 6-bit scales 2j (s_j = s_max·(32 − 2j)/32), d = −s_max/32. */
    @Test
    void q3KLayoutOnAnExactBlock() {
        float sMax = 1f / 4;
        int[] q = new int[256];
        float[] x = new float[256];
        for (int j = 0; j < 16; j++) {
            float s = sMax * (32 - 2 * j) / 32;
            for (int i = 0; i < 16; i++) {
                int code = i == 0 ? 0 : (i * 3 + j) % 8;
                q[16 * j + i] = code;
                x[16 * j + i] = s * (code - 4);
            }
        }
        Q3_KMatrix m = Q3_KMatrix.quantize(x, 1, 256);
        MemorySegment b = m.blocks();
        assertThat(m.dequantize()).containsExactly(x);
        assertThat(f16(b, 108)).isEqualTo(-sMax / 32);
        for (int j = 0; j < 16; j++) {
            int low = j < 8 ? u8(b, 96 + j) & 0xF : u8(b, 96 + j - 8) >> 4;
            int high = (u8(b, 96 + 8 + j % 4) >> 2 * (j / 4)) & 3;
            assertThat(low | high << 4).isEqualTo(2 * j);
        }
        for (int e = 0; e < 256; e++) {
            assertThat((u8(b, e % 32) >> e / 32) & 1).isEqualTo(q[e] >> 2);
            assertThat((u8(b, 32 + 32 * (e / 128) + e % 32) >> 2 * ((e % 128) / 32)) & 3).isEqualTo(q[e] & 3);
        }
    }

    /** IQ4_NL on x = c·grid[q]: the search finds scale c and the codes q. */
    @Test
    void iq4NlLayoutOnAnExactBlock() {
        float c = 1f / 256;
        int[] q = new int[32];
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            q[j] = j == 5 ? 0 : (j * 7 + 3) % 16;
            x[j] = c * NonLinearGrid.VALUES[q[j]];
        }
        IQ4_NLMatrix m = IQ4_NLMatrix.quantize(x, 1, 32);
        MemorySegment b = m.blocks();
        assertThat(m.dequantize()).containsExactly(x);
        assertThat(f16(b, 0)).isEqualTo(c);
        for (int j = 0; j < 16; j++) assertThat(u8(b, 2 + j)).isEqualTo(q[j] | q[j + 16] << 4);
    }

    /** IQ4_XS on x = c·(32 − 3ib)·grid[q]: d = −c, stored scales 3ib, codes q. */
    @Test
    void iq4XsLayoutOnAnExactBlock() {
        float c = 1f / 1024;
        int[] q = new int[256];
        float[] x = new float[256];
        for (int ib = 0; ib < 8; ib++) {
            for (int j = 0; j < 32; j++) {
                int e = 32 * ib + j;
                q[e] = j == 0 ? 0 : (j * 5 + ib) % 16;
                x[e] = c * (32 - 3 * ib) * NonLinearGrid.VALUES[q[e]];
            }
        }
        IQ4_XSMatrix m = IQ4_XSMatrix.quantize(x, 1, 256);
        MemorySegment b = m.blocks();
        assertThat(m.dequantize()).containsExactly(x);
        assertThat(f16(b, 0)).isEqualTo(-c);
        int scalesH = b.get(LE16, 2) & 0xFFFF;
        for (int ib = 0; ib < 8; ib++) {
            int ls = ((u8(b, 4 + ib / 2) >> 4 * (ib % 2)) & 0xF) | ((scalesH >> 2 * ib) & 3) << 4;
            assertThat(ls).isEqualTo(3 * ib);
            for (int j = 0; j < 16; j++) assertThat(u8(b, 8 + 16 * ib + j)).isEqualTo(q[32 * ib + j] | q[32 * ib + 16 + j] << 4);
        }
    }

    /** ggml's nearest_int rounds ties to even; best_index_int8 sends a tie to the upper grid value. */
    @Test
    void roundingRulesAreGgmls() {
        assertThat(GgmlScaleFits.nearestInt(2.5f)).isEqualTo(2);
        assertThat(GgmlScaleFits.nearestInt(3.5f)).isEqualTo(4);
        assertThat(GgmlScaleFits.nearestInt(-2.5f)).isEqualTo(-2);
        assertThat(NonLinearGrid.nearest(-5.5f)).isEqualTo(7); // −10 and 1: 4.5 < 6.5
        assertThat(NonLinearGrid.nearest(7f)).isEqualTo(9); // 1 and 13 tie at 6: the upper (not strictly closer)
        assertThat(NonLinearGrid.nearest(-200f)).isEqualTo(0);
        assertThat(NonLinearGrid.nearest(200f)).isEqualTo(15);
    }
}
