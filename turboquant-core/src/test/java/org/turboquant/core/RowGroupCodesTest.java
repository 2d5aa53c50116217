package org.turboquant.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The grouped code layout (docs/FORMAT.md §19) read by the scalar reference: byte positions follow the documented
 * formula, and a matrix gives the same bits in either layout.
 */
class RowGroupCodesTest {

    static QuantizedMatrix rowMatrix(int rows, int cols, int bits, int block) {
        float[] w = ScalarKernelsTest.gaussianMatrix(rows, cols, 31L * rows + bits);
        return MatrixQuantizer.quantize(w, rows, cols,
                new QuantConfig(bits, block, RotationKind.HADAMARD, 5L + bits, NormPrecision.F16, false));
    }

    @ParameterizedTest(name = "b={0} block={1} cols={2} rows={3}")
    @CsvSource({"1,128,300,1", "2,128,128,15", "3,256,1000,16", "4,128,300,17", "4,256,700,47", "5,128,200,33",
            "8,128,130,18", "6,256,256,2"})
    void bytesAndScalesSitWhereTheFormatSays(int bits, int block, int cols, int rows) {
        QuantizedMatrix m = rowMatrix(rows, cols, bits, block);
        QuantizedMatrix g = RowGroupCodes.regroup(m, Arena.ofAuto());
        int stride = (int) m.rowStrideBytes(), blocks = m.blocksPerRow(), bpb = stride / blocks;
        int groups = (rows + 15) / 16;
        assertThat(g.codeLayout()).isEqualTo(CodeLayout.ROW_GROUPS_16);
        assertThat(g.codes().byteSize()).isEqualTo((long) groups * 16 * stride);
        byte[] row = new byte[stride];
        for (int r = 0; r < groups * 16; r++) {
            if (r < rows) m.rowCodes(r, row, 0);
            else java.util.Arrays.fill(row, (byte) 0); // padding rows: index 0
            for (int k = 0; k < blocks; k++) {
                for (int t = 0; t < bpb; t++) {
                    long at = ((long) (k * groups + r / 16) * bpb + t) * 16 + r % 16;
                    assertThat(g.codes().get(ValueLayout.JAVA_BYTE, at)).as("row %d block %d byte %d", r, k, t)
                            .isEqualTo(row[k * bpb + t]);
                }
                float expected = r < rows ? m.scale(r, k) : 0f;
                assertThat(g.scales()[(k * groups + r / 16) * 16 + r % 16]).isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest(name = "b={0} block={1} cols={2} rows={3}")
    @CsvSource({"1,128,300,1", "2,256,513,15", "3,128,128,16", "4,128,1000,17", "4,256,256,47", "7,128,129,20"})
    void theScalarReferenceGivesTheSameBitsInBothLayouts(int bits, int block, int cols, int rows) {
        QuantizedMatrix m = rowMatrix(rows, cols, bits, block);
        QuantizedMatrix g = RowGroupCodes.regroup(m, Arena.ofAuto());
        assertArrayEquals(ScalarKernels.dequantize(m), ScalarKernels.dequantize(g));
        float[] x = ScalarKernelsTest.gaussianMatrix(3, cols, 4), y = new float[3 * rows], yg = new float[3 * rows];
        ScalarKernels.gemm(m, x, 3, y);
        ScalarKernels.gemm(g, x, 3, yg);
        assertArrayEquals(y, yg);
        QuantizedMatrix back = RowGroupCodes.ungroup(g, Arena.ofAuto());
        assertThat(back.codeLayout()).isEqualTo(CodeLayout.ROWS);
        assertArrayEquals(m.codes().toArray(ValueLayout.JAVA_BYTE), back.codes().toArray(ValueLayout.JAVA_BYTE));
        assertArrayEquals(m.scales(), back.scales());
    }

    /** The encoder's row-at-a-time scatter builds the same bytes as regrouping a whole matrix. */
    @ParameterizedTest(name = "b={0} rows={1}")
    @CsvSource({"4,17", "3,40", "1,16"})
    void scatteringRowsEqualsRegrouping(int bits, int rows) {
        QuantizedMatrix m = rowMatrix(rows, 384, bits, 128);
        QuantizedMatrix g = RowGroupCodes.regroup(m, Arena.ofAuto());
        MemorySegment scattered = MemorySegment.ofArray(new byte[(int) g.codeBytes()]);
        for (int r = rows - 1; r >= 0; r--)
            RowGroupCodes.scatterRow(m.codes(), r * m.rowStrideBytes(), r, g.groups(), m.blocksPerRow(),
                    m.bytesPerBlock(), scattered);
        assertArrayEquals(g.codes().toArray(ValueLayout.JAVA_BYTE), scattered.toArray(ValueLayout.JAVA_BYTE));
    }

    @ParameterizedTest(name = "block {0}")
    @CsvSource({"64", "32"})
    void blocksShorterThanAChunkCannotBeGrouped(int block) {
        QuantizedMatrix m = rowMatrix(4, 256, 4, block);
        assertThatThrownBy(() -> RowGroupCodes.regroup(m, Arena.ofAuto())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QuantizedMatrix(4, m.layout(), 4, m.rotation(), m.centroids(), m.codes(),
                m.scales(), CodeLayout.ROW_GROUPS_16)).hasMessageContaining("whole 128-index chunks");
        assertThat(CodeLayout.preferred(4, 16, m.layout())).isEqualTo(CodeLayout.ROWS);
    }

    @ParameterizedTest(name = "b={0}")
    @CsvSource({"1,32,row_groups_16", "4,4096,row_groups_16", "4,300,rows", "5,32,rows", "8,32,rows"})
    void thePreferredLayoutGroupsTheTableKernelsWidthsWithoutPadding(int bits, int rows, String expected) {
        assertThat(CodeLayout.preferred(bits, rows, new BlockLayout(300, 128, 3)).id()).isEqualTo(expected);
        assertThat(CodeLayout.parse(expected).id()).isEqualTo(expected);
    }
}
