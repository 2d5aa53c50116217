package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RowQuantizerTest {

    private static QuantConfig config(int bits, int block, RotationKind kind, NormPrecision precision, boolean corrected) {
        return new QuantConfig(bits, block, kind, 31, precision, corrected);
    }

    /** ‖W − Ŵ‖²_F / ‖W‖²_F. */
    private static double relativeError(float[] w, float[] decoded) {
        double error = 0, energy = 0;
        for (int i = 0; i < w.length; i++) {
            error += (w[i] - decoded[i]) * (double) (w[i] - decoded[i]);
            energy += (double) w[i] * w[i];
        }
        return error / energy;
    }

    @ParameterizedTest
    @CsvSource({
        "1,0,qr", "7,0,qr", "33,0,qr", "383,0,qr", "383,32,qr", "383,64,qr", "383,128,qr", "383,256,qr",
        "1,0,hadamard", "7,0,hadamard", "33,32,hadamard", "383,0,hadamard", "383,64,hadamard", "383,256,hadamard"})
    void blocksAndOddRowLengthsDecodeConsistently(int cols, int block, String kind) {
        int rows = 5;
        float[] w = ScalarKernelsTest.gaussianMatrix(rows, cols, cols + block);
        for (int bits : new int[] {2, 4}) {
            QuantizedMatrix m = MatrixQuantizer.quantize(w, rows, cols, config(bits, block, RotationKind.parse(kind), NormPrecision.F32, false));
            float[] decoded = ScalarKernels.dequantize(m);
            int g = m.blockSize();
            // Whole blocks lose about the codebook's distortion; padded blocks and tiny g may lose a little more.
            double expected = g == 1 ? 1e-12 : Codebook.of(g, bits).distortion();
            assertThat(relativeError(w, decoded)).isLessThan(1.6 * expected + 1e-12);
            float[] x = ScalarKernelsTest.gaussianMatrix(1, cols, 77);
            float[] y = new float[rows];
            ScalarKernels.gemv(m, x, y);
            for (int r = 0; r < rows; r++) {
                double dot = 0, scale = 0;
                for (int j = 0; j < cols; j++) {
                    dot += (double) decoded[r * cols + j] * x[j];
                    scale += Math.abs((double) decoded[r * cols + j] * x[j]);
                }
                assertThat((double) y[r]).isCloseTo(dot, offset(2e-5 * scale + 1e-6));
            }
        }
    }

    @Test
    void layoutFollowsTheBlockRules() {
        assertThat(new RowQuantizer(383, config(3, 0, RotationKind.QR, NormPrecision.F32, false)).layout())
                .isEqualTo(new BlockLayout(383, 383, 1));
        assertThat(new RowQuantizer(383, config(3, 0, RotationKind.HADAMARD, NormPrecision.F32, false)).layout())
                .isEqualTo(new BlockLayout(383, 512, 1));
        assertThat(new RowQuantizer(383, config(3, 128, RotationKind.HADAMARD, NormPrecision.F32, false)).layout())
                .isEqualTo(new BlockLayout(383, 128, 3));
        RowQuantizer q = new RowQuantizer(383, config(3, 64, RotationKind.QR, NormPrecision.F16, false));
        assertThat(q.rowStrideBytes()).isEqualTo(BitPacking.packedBytes(384, 3));
        assertThat(q.codebook()).isSameAs(Codebook.of(64, 3));
        assertThat(q.rotation()).isSameAs(Rotation.of(RotationKind.QR, 64, 31));
    }

    @ParameterizedTest
    @CsvSource({"2,0,qr", "3,64,hadamard", "4,32,qr", "1,128,hadamard"})
    void normCorrectionLowersTheError(int bits, int block, String kind) {
        int rows = 64, cols = 256;
        float[] w = ScalarKernelsTest.gaussianMatrix(rows, cols, 3);
        RotationKind k = RotationKind.parse(kind);
        double plain = relativeError(w, ScalarKernels.dequantize(MatrixQuantizer.quantize(w, rows, cols, config(bits, block, k, NormPrecision.F32, false))));
        QuantizedMatrix corrected = MatrixQuantizer.quantize(w, rows, cols, config(bits, block, k, NormPrecision.F32, true));
        double correctedError = relativeError(w, ScalarKernels.dequantize(corrected));
        assertThat(correctedError).isLessThan(plain);
        // The stored scale is no longer the norm.
        assertThat(corrected.scale(0, 0)).isNotEqualTo(norm(w, 0, corrected.blockSize()));
    }

    private static float norm(float[] w, int from, int len) {
        double s = 0;
        for (int j = from; j < from + len; j++) s += (double) w[j] * w[j];
        return (float) Math.sqrt(s);
    }

    @Test
    void f16ScalesAreTheRoundedNorms() {
        int cols = 96;
        float[] w = ScalarKernelsTest.gaussianMatrix(2, cols, 9);
        QuantizedMatrix f32 = MatrixQuantizer.quantize(w, 2, cols, config(4, 32, RotationKind.HADAMARD, NormPrecision.F32, false));
        QuantizedMatrix f16 = MatrixQuantizer.quantize(w, 2, cols, config(4, 32, RotationKind.HADAMARD, NormPrecision.F16, false));
        for (int i = 0; i < f32.scales().length; i++) {
            assertThat(f32.scales()[i]).isCloseTo(norm(w, 32 * i, 32), offset(1e-5f));
            assertThat(f16.scales()[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(f32.scales()[i])));
        }
        double f32Error = relativeError(w, ScalarKernels.dequantize(f32));
        assertThat(relativeError(w, ScalarKernels.dequantize(f16))).isCloseTo(f32Error, offset(0.02 * f32Error));
    }

    @ParameterizedTest
    @ValueSource(strings = {"qr", "hadamard"})
    void allZeroRowsAndBlocksDecodeToExactZeros(String kind) {
        int rows = 3, cols = 100;
        float[] w = ScalarKernelsTest.gaussianMatrix(rows, cols, 4);
        java.util.Arrays.fill(w, cols, 2 * cols, 0f);  // row 1 all zero
        java.util.Arrays.fill(w, 2 * cols, 2 * cols + 32, 0f); // first block of row 2
        QuantizedMatrix m = MatrixQuantizer.quantize(w, rows, cols, config(3, 32, RotationKind.parse(kind), NormPrecision.F16, true));
        float[] decoded = ScalarKernels.dequantize(m);
        for (int j = 0; j < cols; j++) assertThat(decoded[cols + j]).isEqualTo(0f);
        for (int j = 0; j < 32; j++) assertThat(decoded[2 * cols + j]).isEqualTo(0f);
        assertThat(m.scale(1, 0)).isZero();
        byte[] idx = new byte[m.layout().paddedCols()];
        BitPacking.unpack(m.codes(), m.rowStrideBytes(), idx.length, 3, idx, 0);
        assertThat(idx).containsOnly((byte) 0);
    }

    @Test
    void nonFiniteValuesAreRejectedWithTheirColumn() {
        RowQuantizer q = new RowQuantizer(10, config(2, 0, RotationKind.QR, NormPrecision.F32, false));
        float[] row = new float[10];
        row[7] = Float.NaN;
        MemorySegment codes = MemorySegment.ofArray(new byte[(int) q.rowStrideBytes()]);
        assertThatThrownBy(() -> q.quantizeRow(row, 0, codes, 0, new float[1], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column 7");
        row[7] = Float.POSITIVE_INFINITY;
        assertThatThrownBy(() -> MatrixQuantizer.quantize(row, 1, 10, config(2, 0, RotationKind.QR, NormPrecision.F32, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 0").hasMessageContaining("column 7");
    }

    @Test
    void f16OverflowOfAScaleIsRejected() {
        float[] row = new float[8];
        java.util.Arrays.fill(row, 60000f);
        assertThatThrownBy(() -> MatrixQuantizer.quantize(row, 1, 8, config(2, 0, RotationKind.QR, NormPrecision.F16, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("f16");
    }

    @Test
    void quantizeRowWritesAtTheGivenOffsets() {
        int cols = 70;
        QuantConfig c = config(3, 32, RotationKind.QR, NormPrecision.F32, false);
        RowQuantizer q = new RowQuantizer(cols, c);
        float[] w = ScalarKernelsTest.gaussianMatrix(2, cols, 12);
        QuantizedMatrix m = MatrixQuantizer.quantize(w, 2, cols, c);
        byte[] codes = new byte[(int) q.rowStrideBytes() + 7];
        float[] scales = new float[3 + 2];
        q.quantizeRow(w, cols, MemorySegment.ofArray(codes), 7, scales, 2);
        byte[] expected = new byte[(int) q.rowStrideBytes()];
        MemorySegment.copy(m.codes(), m.rowStrideBytes(), MemorySegment.ofArray(expected), 0, expected.length);
        assertThat(java.util.Arrays.copyOfRange(codes, 7, codes.length)).containsExactly(expected);
        assertThat(java.util.Arrays.copyOfRange(scales, 2, 5)).containsExactly(m.scale(1, 0), m.scale(1, 1), m.scale(1, 2));
    }

    @Test
    void gemmRowsEqualGemvBitForBit() {
        int rows = 7, cols = 130, batch = 3;
        float[] w = ScalarKernelsTest.gaussianMatrix(rows, cols, 21);
        QuantizedMatrix m = MatrixQuantizer.quantize(w, rows, cols, config(4, 64, RotationKind.HADAMARD, NormPrecision.F16, false));
        float[] x = ScalarKernelsTest.gaussianMatrix(batch, cols, 22);
        float[] y = new float[batch * rows];
        ScalarKernels.gemm(m, x, batch, y);
        for (int b = 0; b < batch; b++) {
            float[] yb = new float[rows];
            ScalarKernels.gemv(m, java.util.Arrays.copyOfRange(x, b * cols, (b + 1) * cols), yb);
            assertThat(java.util.Arrays.copyOfRange(y, b * rows, (b + 1) * rows)).containsExactly(yb);
        }
    }

    @Test
    void decodedRowIsScaleTimesUnrotatedCentroids() {
        int cols = 64;
        float[] w = ScalarKernelsTest.gaussianMatrix(1, cols, 13);
        QuantizedMatrix m = MatrixQuantizer.quantize(w, 1, cols, config(3, 0, RotationKind.QR, NormPrecision.F32, false));
        byte[] idx = BitPacking.unpack(m.codes().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), cols, 3);
        double[] levels = new double[cols];
        for (int j = 0; j < cols; j++) levels[j] = Codebook.of(cols, 3).centroidsDouble()[idx[j]];
        double[] unit = new double[cols];
        m.rotation().unrotate(levels, 0, unit, 0);
        float[] decoded = ScalarKernels.dequantize(m);
        for (int j = 0; j < cols; j++) assertThat((double) decoded[j]).isCloseTo(m.scale(0, 0) * unit[j], offset(1e-5));
        // and each index is the nearest level of the rotated, normalized row
        double[] x = new double[cols], y = new double[cols];
        double n = norm(w, 0, cols);
        for (int j = 0; j < cols; j++) x[j] = w[j] / n;
        m.rotation().rotate(x, 0, y, 0);
        int agree = 0;
        for (int j = 0; j < cols; j++) if (Codebook.of(cols, 3).quantize(y[j]) == idx[j]) agree++;
        assertThat(agree).isGreaterThanOrEqualTo(cols - 1); // float vs double rotation may flip a boundary tie
    }
}
