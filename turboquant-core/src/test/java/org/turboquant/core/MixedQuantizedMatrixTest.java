package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MixedQuantizedMatrixTest {

    /** Gaussian rows whose blocks have very different norms, as real weights do. */
    static float[] unevenMatrix(int rows, int cols, long seed) {
        Random random = new Random(seed);
        float[] w = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                double columnScale = 1 + 4 * ((j * 2654435761L >>> 7) % 8 == 0 ? 1 : 0); // outlier columns
                w[r * cols + j] = (float) (random.nextGaussian() * columnScale * (1 + r % 3));
            }
        }
        return w;
    }

    static QuantConfig config(String rotation, int block, int bits) {
        return new QuantConfig(bits, block, RotationKind.parse(rotation), 5L, NormPrecision.F32, false);
    }

    static double relativeError(float[] w, float[] decoded) {
        double err = 0, energy = 0;
        for (int i = 0; i < w.length; i++) {
            err += (double) (w[i] - decoded[i]) * (w[i] - decoded[i]);
            energy += (double) w[i] * w[i];
        }
        return err / energy;
    }

    @Test
    void widestFirstMarksTheLargestEnergiesAndBreaksTiesByUnitNumber() {
        double[] energies = {1, 5, 3, 5, 0, 2, 9, 5, 1, 1};
        byte[] map = BitAllocation.widestFirst(energies, 3);
        boolean[] wide = new boolean[energies.length];
        for (int i = 0; i < wide.length; i++) wide[i] = (map[i >>> 3] >>> (i & 7) & 1) != 0;
        assertThat(wide).as("9, then of the three 5s those at units 1 and 3 before unit 7")
                .containsExactly(false, true, false, true, false, false, true, false, false, false);
        byte[] four = BitAllocation.widestFirst(energies, 4);
        assertThat(Integer.bitCount(four[0] & 0xFF) + Integer.bitCount(four[1] & 0xFF)).isEqualTo(4);
        assertThat(four[0] >>> 7 & 1).as("the last 5").isEqualTo(1);
        assertThat(BitAllocation.widestFirst(energies, 0)).containsOnly(0);
        assertThatThrownBy(() -> BitAllocation.widestFirst(energies, 11)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"128,384,1,3", "64,384,2,3", "32,100,4,1", "256,1000,1,4", "0,1000,1,1", "16,40,3,1", "100,250,1,3"})
    void unitsFillWholeChunks(int block, int cols, int blocksPerUnit, int unitsPerRow) {
        BlockLayout blocks = BlockLayout.of(cols, block, RotationKind.QR);
        assertThat(MixedLayout.blocksPerUnit(blocks)).isEqualTo(blocksPerUnit);
        assertThat(MixedLayout.unitsPerRow(blocks)).isEqualTo(unitsPerRow);
        MixedLayout layout = MixedLayout.of(2, blocks, new byte[MixedLayout.bitmapBytes(2L * unitsPerRow)]);
        assertThat(layout.unitIndices() % BitPacking.CHUNK).isZero();
        assertThat(layout.unitIndices()).isGreaterThanOrEqualTo(blocksPerUnit * blocks.blockSize());
    }

    @Test
    void widthMapIsPerUnitOrPerSixteenRowCell() {
        // 32 rows x 2 units; one loud unit (row 3, unit 1) and a louder cell (rows 16..31, unit 0) overall
        double[] e = new double[64];
        for (int r = 0; r < 32; r++) { e[2 * r] = r >= 16 ? 2 : 0.5; e[2 * r + 1] = 1; }
        e[2 * 3 + 1] = 100;
        assertThat(BitAllocation.widthMap(e, 32, 2, 1, false)).containsExactly(BitAllocation.widestFirst(e, 1));
        byte[] cell = BitAllocation.widthMap(e, 32, 2, 16, true);
        assertThat(cell).containsExactly(BitAllocation.widestCellsFirst(e, 32, 2, 1));
        // per cell the loud unit drags its cell (rows 0..15, unit 1: sum 115) above the louder cell (sum 32)
        MixedLayout layout = MixedLayout.of(32, BlockLayout.of(256, 128, RotationKind.HADAMARD), cell);
        for (int r = 0; r < 32; r++) {
            assertThat(layout.isWide(r, 1)).as("row %d", r).isEqualTo(r < 16);
            assertThat(layout.isWide(r, 0)).isFalse();
        }
        assertThatThrownBy(() -> BitAllocation.widthMap(e, 32, 2, 8, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16-row cells");
    }

    @Test
    void rowOffsetsFollowThePrefixCountsOfTheMap() {
        BlockLayout blocks = BlockLayout.of(512, 128, RotationKind.HADAMARD); // 4 units per row
        byte[] map = {(byte) 0b1001_0110, (byte) 0b0000_1111}; // row 0: units 1,2; row 1: 0,3; row 2: all
        MixedLayout layout = MixedLayout.of(3, blocks, map);
        assertThat(layout.units(0, true)).isEqualTo(2);
        assertThat(layout.units(2, false)).isZero();
        assertThat(layout.unitsBefore(1, true)).isEqualTo(2);
        assertThat(layout.unitsBefore(2, false)).isEqualTo(4);
        assertThat(layout.totalUnits(true)).isEqualTo(8);
        int[] units = new int[4];
        assertThat(layout.rowUnits(1, true, units)).isEqualTo(2);
        assertThat(units).startsWith(0, 3);
        assertThatThrownBy(() -> MixedLayout.of(3, blocks, new byte[] {0, (byte) 0x10}))
                .hasMessageContaining("past its last unit");
        assertThatThrownBy(() -> MixedLayout.of(3, blocks, new byte[1])).hasMessageContaining("expected 2");
    }

    @ParameterizedTest
    @CsvSource({"hadamard,128,4,384", "hadamard,64,3,200", "qr,32,2,100", "qr,0,4,383", "hadamard,256,1,1000",
                "qr,128,7,300"})
    void noWideUnitsDecodesLikeTheUniformNarrowMatrixAndAllWideLikeTheUniformWideOne(String rotation, int block,
                                                                                     int bits, int cols) {
        int rows = 7;
        float[] w = unevenMatrix(rows, cols, 3);
        QuantConfig narrow = config(rotation, block, bits);
        int units = rows * MixedLayout.unitsPerRow(BlockLayout.of(cols, block, narrow.rotation()));
        float[] none = ScalarKernels.dequantize(MixedMatrixQuantizer.quantize(w, rows, cols, narrow, bits + 1, 0));
        float[] all = ScalarKernels.dequantize(MixedMatrixQuantizer.quantize(w, rows, cols, narrow, bits + 1, units));
        assertThat(none).containsExactly(ScalarKernels.dequantize(MatrixQuantizer.quantize(w, rows, cols, narrow)));
        assertThat(all).containsExactly(
                ScalarKernels.dequantize(MatrixQuantizer.quantize(w, rows, cols, narrow.withBits(bits + 1))));
    }

    @ParameterizedTest
    @CsvSource({"hadamard,128,4", "hadamard,64,3", "qr,32,2", "hadamard,128,1"})
    void energyOrderBeatsTheSameNumberOfWideUnitsChosenWithoutLookingAtTheWeights(String rotation, int block, int bits) {
        int rows = 64, cols = 512;
        float[] w = unevenMatrix(rows, cols, 9);
        QuantConfig narrow = config(rotation, block, bits);
        BlockLayout blocks = BlockLayout.of(cols, block, narrow.rotation());
        int units = rows * MixedLayout.unitsPerRow(blocks);
        long wide = units / 4;
        double uniformNarrow = relativeError(w, ScalarKernels.dequantize(MatrixQuantizer.quantize(w, rows, cols, narrow)));
        double ordered = relativeError(w, ScalarKernels.dequantize(
                MixedMatrixQuantizer.quantize(w, rows, cols, narrow, bits + 1, wide)));
        double[] positional = new double[units]; // the first quarter of the units, whatever their energy
        for (int i = 0; i < units; i++) positional[i] = i < wide ? 1 : 0;
        MixedLayout firstQuarter = MixedLayout.of(rows, blocks, BitAllocation.widestFirst(positional, wide));
        double unordered = relativeError(w, ScalarKernels.dequantize(
                MixedMatrixQuantizer.quantize(w, firstQuarter, narrow, bits + 1)));
        assertThat(ordered).isLessThan(unordered).isLessThan(uniformNarrow);
        assertThat(ordered).isLessThan(0.9 * unordered);
    }

    @ParameterizedTest
    @CsvSource({"hadamard,128,4", "qr,0,2", "hadamard,32,3", "qr,64,5"})
    void gemvAndGemmEqualTheDotOfDequantizedRows(String rotation, int block, int bits) {
        int rows = 9, cols = 383;
        float[] w = unevenMatrix(rows, cols, 4);
        MixedQuantizedMatrix m = MixedMatrixQuantizer.quantize(w, rows, cols, config(rotation, block, bits), bits + 1,
                rows * MixedLayout.unitsPerRow(BlockLayout.of(cols, block, RotationKind.parse(rotation))) / 3);
        float[] x = ScalarKernelsTest.gaussianMatrix(2, cols, 8);
        float[] y = new float[2 * rows];
        ScalarKernels.gemm(m, x, 2, y);
        float[] single = new float[rows];
        ScalarKernels.gemv(m, java.util.Arrays.copyOfRange(x, cols, 2 * cols), single);
        float[] decoded = ScalarKernels.dequantize(m);
        for (int b = 0; b < 2; b++) {
            for (int r = 0; r < rows; r++) {
                double expected = 0;
                for (int j = 0; j < cols; j++) expected += (double) decoded[r * cols + j] * x[b * cols + j];
                assertThat((double) y[b * rows + r]).isCloseTo(expected, within(1e-3 * Math.sqrt(cols) * 5));
            }
        }
        assertThat(java.util.Arrays.copyOfRange(y, rows, 2 * rows)).containsExactly(single);
    }

    @Test
    void bitsPerWeightCountsCodesScalesAndTheMap() {
        int rows = 16, cols = 384; // 3 units of 128 per row
        float[] w = unevenMatrix(rows, cols, 1);
        MixedQuantizedMatrix m = MixedMatrixQuantizer.quantize(w, rows, cols, config("hadamard", 128, 4), 5, 12);
        double expected = (36 * 64 * 8 + 12 * 80 * 8 + 48 * 16 + 48) / (16.0 * 384);
        assertThat(m.bitsPerWeight(16)).isCloseTo(expected, within(1e-12));
        assertThat(m.layout().totalUnits(true)).isEqualTo(12);
        assertThat(BitAllocation.uniformBits(rows, m.blocks(), 4, 16)).isEqualTo(16L * 384 * 4 + 48 * 16);
    }
}
